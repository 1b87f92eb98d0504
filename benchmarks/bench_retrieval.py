"""Hybrid retrieval latency over many synthetic cards, against FTS alone measured in the same run.

    python benchmarks/bench_retrieval.py [--cards 100000] [--queries 60] [--dim 256]

Synthetic cards are made from real ones (the reference corpus in ../shared when present, else
the demo corpus's reference cards): each takes a seed card's sentences, keywords and signals,
shuffled and mixed with another card's, with a date spread over 2022-2026, so texts have real
lengths and real vocabulary. They are written to a real SQLite store in bulk (the same rows
and FTS entries `Store.save_card` writes), embedded with the offline default, then queried
with topic queries built from real keywords. Figures: p50/p95 of `retrieval.search` (warm,
as in a running web app), the first (cold) query, the same with filters, and the baselines:
FTS5 BM25 alone (`Store.search_cards`) and the vector product alone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sqlalchemy import insert, text

from techwatch.card import Card
from techwatch.embed import TfidfSvdEmbedder
from techwatch.retrieval import SearchFilters, search
from techwatch.store import schema as t
from techwatch.store.db import sqlite_url
from techwatch.store.store import Store, _card_body, _card_rows, now
from techwatch.vectors import card_count, embed_corpus, ensure_vectors

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "futures-pages"
DEMO_CARDS = ROOT / "src" / "techwatch" / "demo" / "reference_cards.json"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def seed_cards() -> tuple[list[Card], str]:
    """Real cards to build synthetic ones from: the reference corpus, else the demo's."""
    if CORPUS.is_dir():
        from techwatch.publish.markdown import parse_page

        cards = []
        for path in sorted(CORPUS.glob("*.md")):
            card = parse_page(path.read_text(encoding="utf-8")).card
            if card.summary:
                cards.append(card)
        if cards:
            return cards, f"{len(cards)} cards of {CORPUS}"
    data = json.loads(DEMO_CARDS.read_text(encoding="utf-8"))
    return [Card.model_validate(c) for c in data.values()], f"{len(data)} demo reference cards"


def synthetic_cards(seeds: list[Card], n: int, rng: random.Random) -> list[tuple[Card, str]]:
    """n cards (with a date each) that read like the seeds: a seed's text, shuffled and mixed."""
    keywords = sorted({k for s in seeds for k in s.keywords})
    out = []
    for i in range(n):
        seed, other = rng.choice(seeds), rng.choice(seeds)
        sentences = _SENTENCE.split(seed.summary) + rng.sample(_SENTENCE.split(other.summary), 1)
        rng.shuffle(sentences)
        signals = list(seed.signals[:3]) + list(other.signals[:1])
        card = Card(
            title=f"{seed.title} ({i})",
            summary=" ".join(sentences[:6]),
            keywords=rng.sample(seed.keywords, min(6, len(seed.keywords)))
            + rng.sample(keywords, 2),
            themes=list(seed.themes[:3]),
            category=seed.category or "technology",
            type=seed.type or "news",
            signals=signals,
            technologies=list(seed.technologies[:2]),
        )
        date = f"{rng.randint(2022, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        out.append((card, date))
    return out


def bulk_load(store: Store, cards: list[tuple[Card, str]], batch: int = 5000) -> None:
    """The rows `Store.discover` + `save_card` write, inserted in large transactions."""
    stamp = now()
    for start in range(0, len(cards), batch):
        articles, card_rows, items, fts = [], [], [], []
        for i, (card, date) in enumerate(cards[start : start + batch], start=start):
            aid = f"{i:032x}"
            articles.append(
                {
                    "id": aid,
                    "url": f"https://synthetic.example/{i}",
                    "origin_date": date,
                    "title": card.title,
                    "status": "ok",
                    "discovered_at": stamp,
                    "updated_at": stamp,
                }
            )
            card_rows.append(
                {
                    "article_id": aid,
                    "status": "ok",
                    "card": card.model_dump(mode="json"),
                    "analyzer": "synthetic",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
            items += _card_rows(aid, card)
            fts.append({"id": aid, "t": card.title, "b": _card_body(card)})
        with store.engine.begin() as conn:
            conn.execute(insert(t.articles), articles)
            conn.execute(insert(t.cards), card_rows)
            conn.execute(insert(t.card_items), items)
            conn.execute(
                text("INSERT INTO cards_fts(article_id, title, body) VALUES (:id, :t, :b)"), fts
            )


def topic_queries(seeds: list[Card], n: int, rng: random.Random) -> list[str]:
    """Queries a person would type: one to three real keywords, some with a theme."""
    keywords = sorted({k for s in seeds for k in s.keywords if 3 <= len(k) <= 40})
    themes = sorted({th for s in seeds for th in s.themes})
    queries = []
    for _ in range(n):
        words = rng.sample(keywords, rng.randint(1, 2))
        if themes and rng.random() < 0.5:
            words.append(rng.choice(themes))
        queries.append(" ".join(words))
    return queries


def timed(work: Callable[[], object], repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        work()
    return (time.perf_counter() - start) / repeat


def sampled(works: list[Callable[[], object]]) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each call. On a shared machine wall time includes waiting for
    a core; the CPU time of this process does not."""
    wall, cpu = [], []
    for work in works:
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


def report(
    label: str, samples: tuple[list[float], list[float]], base: float | None = None
) -> float:
    (p50, p95), (c50, c95) = percentiles(samples[0]), percentiles(samples[1])
    ratio = f"  x{p95 / base:.1f}" if base else ""
    print(f"{label:<38} {p50:8.1f} {p95:8.1f}   {c50:8.1f} {c95:8.1f}{ratio}")
    return p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--keep", type=Path, help="Keep the store in this folder.")
    parser.add_argument(
        "--reuse", action="store_true", help="With --keep: query the store kept by a previous run."
    )
    args = parser.parse_args()
    rng = random.Random(7)
    seeds, origin = seed_cards()
    print(f"seeds: {origin}; {args.cards:,} synthetic cards; dim {args.dim}", flush=True)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-retrieval-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "bench.sqlite"
    reuse = args.reuse and db.is_file()
    if not reuse:
        db.unlink(missing_ok=True)
        (folder / "tfidf-svd.npz").unlink(missing_ok=True)
    store = Store(sqlite_url(db))
    if reuse:
        print(f"reusing {db} ({card_count(store):,} cards)")
    else:
        cards = synthetic_cards(seeds, args.cards, rng)
        elapsed = timed(lambda: bulk_load(store, cards))
        print(f"store written in {elapsed:.1f} s ({db.stat().st_size / 1e6:.0f} MB)", flush=True)

    embedder = TfidfSvdEmbedder(folder / "tfidf-svd.npz", dim=args.dim)
    start = time.perf_counter()
    embedded = embed_corpus(store, embedder)
    total = time.perf_counter() - start
    print(
        f"embed (fit + {embedded.embedded_cards:,} cards + {embedded.embedded_items:,} items): "
        f"{total:.1f} s, model {embedded.model_id}",
        flush=True,
    )

    from techwatch.vectors import clear_cache

    clear_cache()
    queries = topic_queries(seeds, args.queries, random.Random(11))
    cold = timed(lambda: search(store, embedder, queries[0], k=20))
    print(f"first query (loads {args.cards:,} vectors from the store): {cold * 1000:.0f} ms")

    vset = ensure_vectors(store, embedder, "cards")
    fts = sampled([lambda q=q: store.search_cards(q, 100) for q in queries])
    vec = sampled(
        [
            lambda q=q: np.argpartition(-(vset.matrix @ embedder.embed([q])[0]), 100)[:100]
            for q in queries
        ]
    )
    hybrid = sampled([lambda q=q: search(store, embedder, q, k=20) for q in queries])
    filtered_filters = SearchFilters(since="2025-01-01", until="2025-12-31", category="technology")
    filtered = sampled(
        [lambda q=q: search(store, embedder, q, k=20, filters=filtered_filters) for q in queries]
    )
    techs = SearchFilters(kinds=("technology",))

    def item_query(q: str) -> object:
        return search(store, embedder, q, scope="items", k=20, filters=techs)

    first = timed(lambda: item_query(queries[0]))
    n_items = len(ensure_vectors(store, embedder, "items", kinds=("technology",)))
    print(f"first items query (loads {n_items:,} technology vectors): {first * 1000:.0f} ms")
    items = sampled([lambda q=q: item_query(q) for q in queries])

    print(f"\n{len(queries)} topic queries, e.g. {queries[:3]}")
    print(f"{'ms':<38} {'wall p50':>8} {'p95':>8}   {'cpu p50':>8} {'p95':>8}  wall p95 vs FTS")
    base = report("baseline: FTS5 BM25 alone (top 100)", fts)
    report("vector alone (embed + matmul, top 100)", vec, base)
    p95 = report("hybrid search, cards (k=20)", hybrid, base)
    report("hybrid + period + category filters", filtered, base)
    report("hybrid search, technology items", items, base)
    cpu95 = percentiles(hybrid[1])[1]
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    verdict = "meets" if p95 < 200 else "MISSES"
    print(
        f"topic query p95 {p95:.0f} ms wall ({cpu95:.0f} ms CPU) on {args.cards:,} cards: "
        f"{verdict} the 200 ms target"
    )
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
