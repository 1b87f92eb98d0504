"""Speed and memory of trends: clustering + emergence for N signals, then an incremental update.

    python benchmarks/bench_trends_speed.py [--signals 100000] [--new 1000] [--embedder tfidf]

A synthetic corpus of realistic signals (a 4 to 8 word name, a 15 to 30 word description,
over five years) is bulk-inserted into a real SQLite store (untimed). The default
embedder (TF-IDF + SVD) is fitted and the vectors computed once, outside the timed parts,
and timed on their own: the trend stage reads stored vectors in production too.

Timed: (1) the first full clustering + labels + store writes, then emergence scores for
every trend; (2) an incremental update after N new signals, then the scores again;
(3) the baseline in the same run: a full recluster of everything after the same growth.
Peak RSS (ru_maxrss) is reported for the whole process.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from techwatch.store import schema as t
from techwatch.store.db import sqlite_url
from techwatch.store.store import Store
from techwatch.trends.analysis import build_report
from techwatch.trends.cluster import ClusterParams
from techwatch.trends.data import load_items
from techwatch.trends.model import TrendModel

WORDS = [
    "energy",
    "grid",
    "battery",
    "storage",
    "hydrogen",
    "solar",
    "wind",
    "nuclear",
    "carbon",
    "capture",
    "policy",
    "market",
    "city",
    "transport",
    "mobility",
    "vehicle",
    "electric",
    "charging",
    "autonomous",
    "drone",
    "robot",
    "factory",
    "automation",
    "ai",
    "model",
    "language",
    "agent",
    "chip",
    "semiconductor",
    "quantum",
    "computing",
    "cloud",
    "data",
    "privacy",
    "security",
    "health",
    "care",
    "drug",
    "genome",
    "protein",
    "biology",
    "food",
    "farming",
    "water",
    "climate",
    "heat",
    "flood",
    "insurance",
    "finance",
    "bank",
    "crypto",
    "payment",
    "retail",
    "work",
    "remote",
    "skills",
    "education",
    "school",
    "university",
    "media",
    "news",
    "misinformation",
    "platform",
    "social",
    "creator",
    "music",
    "film",
    "game",
    "sport",
    "space",
    "satellite",
    "launch",
    "orbit",
    "mining",
    "lithium",
    "copper",
    "recycling",
    "waste",
    "plastic",
    "fashion",
    "housing",
    "building",
    "material",
    "cement",
    "steel",
    "ocean",
    "shipping",
    "port",
    "supply",
    "chain",
    "trade",
    "tariff",
    "election",
    "democracy",
    "regulation",
    "law",
    "court",
    "ethics",
    "labour",
    "union",
    "aging",
    "loneliness",
    "wellbeing",
    "sleep",
    "diet",
]
FILLER = [
    "the",
    "a",
    "of",
    "to",
    "in",
    "for",
    "with",
    "and",
    "on",
    "as",
    "new",
    "more",
    "less",
    "growing",
    "shift",
    "toward",
    "from",
    "rise",
    "of",
    "companies",
    "people",
    "users",
    "governments",
    "startups",
    "researchers",
    "report",
    "plans",
    "adopt",
    "use",
    "build",
]


def make_texts(n: int, topics: int, rng: random.Random) -> list[tuple[str, str, int]]:
    """(name, description, topic) with topic vocabularies of 6 words each."""
    vocab = [rng.sample(WORDS, 6) for _ in range(topics)]
    out = []
    for _ in range(n):
        topic = rng.randrange(topics)
        core = vocab[topic]
        name = " ".join(rng.sample(core, 3) + rng.sample(FILLER, rng.randint(1, 5))).capitalize()
        words = rng.sample(core, 4) + [rng.choice(WORDS) for _ in range(3)]
        words += [rng.choice(FILLER) for _ in range(rng.randint(8, 23))]
        rng.shuffle(words)
        out.append((name, " ".join(words).capitalize() + ".", topic))
    return out


def bulk_cards(
    store: Store,
    texts: list[tuple[str, str, int]],
    start: int,
    first: date,
    days: int,
    rng: random.Random,
) -> None:
    """Cards of 5 signals each, dated over `days`, written in a few big transactions."""
    stamp = datetime.now(UTC)
    per_card = 5
    articles, cards, items = [], [], []
    for c in range(0, len(texts), per_card):
        aid = f"{start + c // per_card:032x}"
        day = first + timedelta(days=rng.randrange(days))
        articles.append(
            {
                "id": aid,
                "url": f"https://bench.example/{aid}",
                "origin_date": day.isoformat(),
                "status": "ok",
                "discovered_at": stamp,
                "updated_at": stamp,
            }
        )
        cards.append(
            {
                "article_id": aid,
                "status": "ok",
                "card": {"title": aid},
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        for pos, (name, desc, _) in enumerate(texts[c : c + per_card]):
            items.append(
                {
                    "article_id": aid,
                    "kind": "signal",
                    "position": pos,
                    "name": name,
                    "description": desc,
                }
            )
    with store.engine.begin() as conn:
        for table, rows in ((t.articles, articles), (t.cards, cards), (t.card_items, items)):
            for i in range(0, len(rows), 20000):
                conn.execute(insert(table), rows[i : i + 20000])


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--topics", type=int, default=1500)
    parser.add_argument("--similarity", type=float, default=0.35)
    parser.add_argument("--embedder", default="tfidf", help="tfidf (default) or hashing")
    args = parser.parse_args()
    rng = random.Random(7)
    texts = make_texts(args.signals + args.new, args.topics, rng)
    folder = Path(tempfile.mkdtemp(prefix="bench-trends-"))
    store = Store(sqlite_url(folder / "bench.sqlite"))
    bulk_cards(store, texts[: args.signals], 0, date(2021, 1, 1), 5 * 365, rng)
    print(f"{args.signals:,} signals in {args.signals // 5:,} cards; store {folder}")

    from techwatch.embed import get_embedder

    embedder = get_embedder(args.embedder)
    all_text = [f"{n}. {d}" for n, d, _ in texts]
    started = time.perf_counter()
    if hasattr(embedder, "fit"):
        embedder.fit(all_text[: args.signals], corpus_size=args.signals // 5)
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    matrix = np.asarray(embedder.embed(all_text), dtype=np.float32)
    embed_s = time.perf_counter() - started
    print(
        f"embedding (untimed below): fit {fit_s:.1f}s, then {len(all_text):,} texts with "
        f"{embedder.model_id} ({embedder.dim} dims) in {embed_s:.1f}s = "
        f"{len(all_text) / embed_s:,.0f} texts/s"
    )
    # The item key to row map, as stored vectors would give it.
    items_now = load_items(store, "signals")
    text_row = {txt: i for i, txt in enumerate(all_text)}

    def vectors(items):
        return matrix[[text_row[i.text] for i in items]]

    params = ClusterParams(similarity=args.similarity)
    model = TrendModel(embedder, params, vectors=vectors)

    started = time.perf_counter()
    first = model.update(store, "signals", items_now)
    cluster_s = time.perf_counter() - started
    started = time.perf_counter()
    report = build_report(store, "signals", "month")
    score_s = time.perf_counter() - started
    print(
        f"full clustering: {first.trends:,} trends, residue {first.residue:,} in {cluster_s:.1f}s; emergence for every trend in {score_s:.1f}s"
    )
    print(
        f"  end to end {cluster_s + score_s:.1f}s (target < 120 s); states: "
        + ", ".join(
            f"{s} {len(report.by_state(s))}"
            for s in ("emerging", "strong", "fading", "noise", "insufficient_history")
        )
    )
    print(f"  peak RSS so far {rss_mb():,.0f} MB (target < 4096)")

    bulk_cards(store, texts[args.signals :], 10**9, date(2025, 12, 1), 60, rng)
    grown = load_items(store, "signals")
    started = time.perf_counter()
    inc = model.update(store, "signals", grown)
    inc_s = time.perf_counter() - started
    started = time.perf_counter()
    build_report(store, "signals", "month")
    inc_score_s = time.perf_counter() - started
    print(
        f"incremental +{inc.new_items:,}: joined {inc.joined:,}, new trends {len(inc.created)}, merged {len(inc.merged)}, residue {inc.residue:,} in {inc_s:.1f}s (target < 10 s); scores again {inc_score_s:.1f}s"
    )

    started = time.perf_counter()
    full = model.update(store, "signals", grown, full=True)
    full_s = time.perf_counter() - started
    print(
        f"baseline full recluster of {len(grown):,}: {full.trends:,} trends ({len(full.merged)} merged, {len(full.split)} split recorded) in {full_s:.1f}s"
    )
    print(f"ratio full / incremental: {full_s / inc_s:.1f}x")
    print(f"peak RSS {rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
