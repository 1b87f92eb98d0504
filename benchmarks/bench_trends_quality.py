"""Quality of emergence detection on a synthetic corpus with ground truth, and on the real one.

    python benchmarks/bench_trends_quality.py [--months 24] [--seed 3] [--corpus DIR]

Synthetic: flat background subjects (the same expected number of articles every month)
and injected subjects that start at a known month and grow. The real pipeline runs on a
real store: the default embedder, the trend model, then `build_report(as_of=...)` at the
end of every month, as a backtest would. Reported, beside a naive baseline computed in
the same run (the top 10 by the rise of articles over the last month):

- lead time: months from an injected subject's start to its first weak flag (state
  `emerging`) and to its first strong flag (state `strong`);
- false alarms: flat subjects ever flagged `emerging`, and flags per flat subject-month;
- precision@10 of the emerging list, averaged over the months after the first injection.

Real corpus (../shared/corpus/futures-pages, when present): the top emerging trends of
each year, as known at the year's end (flagged ones first, then the rises closest to
significance), to judge whether labels read like names.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from techwatch.store import schema as t
from techwatch.store.db import sqlite_url
from techwatch.store.store import Store
from techwatch.trends.analysis import build_report
from techwatch.trends.cluster import ClusterParams
from techwatch.trends.model import TrendModel
from techwatch.trends.periods import next_start

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "futures-pages"
VOCAB = [
    "battery",
    "hydrogen",
    "solar",
    "wind",
    "nuclear",
    "carbon",
    "grid",
    "storage",
    "lithium",
    "copper",
    "recycling",
    "plastic",
    "quantum",
    "chip",
    "robot",
    "drone",
    "satellite",
    "orbit",
    "rocket",
    "vaccine",
    "genome",
    "protein",
    "enzyme",
    "algae",
    "farming",
    "soil",
    "water",
    "drought",
    "flood",
    "heat",
    "insurance",
    "bank",
    "payment",
    "crypto",
    "stablecoin",
    "election",
    "court",
    "union",
    "strike",
    "housing",
    "rent",
    "tourism",
    "museum",
    "theatre",
    "opera",
    "football",
    "cycling",
    "rail",
    "tram",
    "ferry",
    "port",
    "tariff",
    "export",
    "import",
    "fusion",
    "reactor",
    "magnet",
    "laser",
    "optics",
    "sensor",
    "camera",
    "privacy",
    "identity",
    "passport",
    "border",
    "migration",
    "language",
    "translation",
    "tutoring",
    "exam",
    "campus",
    "library",
]
FILLER = [
    "new",
    "more",
    "growing",
    "report",
    "says",
    "plan",
    "first",
    "market",
    "cities",
    "people",
    "companies",
    "study",
]


def month_start(first: date, n: int) -> date:
    day = first
    for _ in range(n):
        day = next_start(day, "month")
    return day


def build_corpus(
    store: Store, months: int, rng: random.Random
) -> tuple[dict[str, str], dict[str, dict]]:
    """Cards in the store; returns card id -> subject, and each subject's ground truth."""
    syllables = ["ka", "lo", "mi", "ner", "tus", "vra", "qui", "zem", "dor", "pha", "gli", "sto"]
    coined = sorted({a + b + c for a in syllables for b in syllables for c in syllables})
    rng.shuffle(coined)
    subjects: dict[str, dict] = {}
    for n in range(30):
        subjects[f"flat-{n}"] = {"kind": "flat", "rate": rng.uniform(2, 6), "start": 0}
    for n in range(10):
        start = rng.randint(months // 3, months - 6)
        subjects[f"new-{n}"] = {
            "kind": "injected",
            "rate": 0.0,
            "start": start,
            "growth": rng.uniform(0.8, 1.6),
        }
    # Each subject has three words of its own (coined, so no two subjects share one).
    for n, subject in enumerate(subjects.values()):
        subject["words"] = coined[3 * n : 3 * n + 3]
    stamp = datetime.now(UTC)
    first = date(2024, 1, 1)
    arts, cards, items, truth = [], [], [], {}
    np_rng = np.random.default_rng(rng.randrange(1 << 30))
    for m in range(months):
        begin = month_start(first, m)
        for name, s in subjects.items():
            if s["kind"] == "flat":
                count = np_rng.poisson(s["rate"])
            elif m < s["start"]:
                count = 0
            else:
                count = int(round(1 + s["growth"] * (m - s["start"])))
            for _ in range(count):
                aid = f"{len(arts):032x}"
                day = begin + timedelta(days=rng.randrange(28))
                truth[aid] = name
                arts.append(
                    {
                        "id": aid,
                        "url": f"https://q.example/{aid}",
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
                w = s["words"]
                for pos in range(2):
                    name_words = rng.sample(w, 2) + rng.sample(FILLER, 2)
                    desc = " ".join(w + rng.sample(FILLER, 4) + [rng.choice(VOCAB)])
                    items.append(
                        {
                            "article_id": aid,
                            "kind": "signal",
                            "position": pos,
                            "name": " ".join(name_words).capitalize(),
                            "description": desc,
                        }
                    )
    with store.engine.begin() as conn:
        conn.execute(insert(t.articles), arts)
        conn.execute(insert(t.cards), cards)
        conn.execute(insert(t.card_items), items)
    return truth, subjects


def synthetic(months: int, seed: int) -> None:
    rng = random.Random(seed)
    store = Store(sqlite_url(Path(tempfile.mkdtemp(prefix="bench-q-")) / "q.sqlite"))
    truth, subjects = build_corpus(store, months, rng)
    from techwatch.embed import get_embedder

    embedder = get_embedder("tfidf")
    from techwatch.vectors import ensure_vectors

    ensure_vectors(store, embedder, "items")
    from techwatch.trends.service import store_vectors

    model = TrendModel(embedder, ClusterParams(), vectors=store_vectors(store, embedder))
    report = model.update(store, "signals")
    print(
        f"synthetic: {len(truth):,} cards, {len(subjects)} subjects (30 flat, 10 injected), {report.trends} trends, residue {report.residue}"
    )
    first = date(2024, 1, 1)
    injected = {n for n, s in subjects.items() if s["kind"] == "injected"}
    flat = {n for n, s in subjects.items() if s["kind"] == "flat"}
    ours: dict[str, dict[str, int]] = defaultdict(dict)  # subject -> flag -> first month
    base: dict[str, int] = {}
    flat_flags = Counter()
    base_flat_flags = Counter()
    p_ours, p_base = [], []
    first_injection = min(s["start"] for s in subjects.values() if s["kind"] == "injected")
    for m in range(2, months):
        as_of = month_start(first, m + 1) - timedelta(days=1)
        rep = build_report(store, "signals", "month", as_of)
        subject_of = {}
        for tr in rep.trends:
            votes = Counter(truth[c] for c in tr.card_ids)
            subject_of[tr.id] = votes.most_common(1)[0][0]
        for tr in rep.trends:
            subj = subject_of[tr.id]
            for state, flag in (("emerging", "weak"), ("strong", "strong")):
                if tr.state == state and flag not in ours[subj]:
                    ours[subj][flag] = m
            if tr.state == "emerging" and subj in flat:
                flat_flags[subj] += 1
        growth = sorted(
            (tr for tr in rep.trends if len(tr.emergence.df) >= 2),
            key=lambda tr: (-(tr.emergence.df[-1] - tr.emergence.df[-2]), tr.id),
        )
        top_base = [tr for tr in growth if tr.emergence.df[-1] - tr.emergence.df[-2] > 0][:10]
        for tr in top_base:
            subj = subject_of[tr.id]
            base.setdefault(subj, m)
            if subj in flat:
                base_flat_flags[subj] += 1
        if m >= first_injection:
            top_ours = rep.emerging[:10]
            if top_ours:
                p_ours.append(sum(subject_of[t.id] in injected for t in top_ours) / len(top_ours))
            if top_base:
                p_base.append(sum(subject_of[t.id] in injected for t in top_base) / len(top_base))

    def lead(flag_month: int | None, start: int) -> str:
        return "never" if flag_month is None else str(flag_month - start)

    print(
        f"{'injected subject':<18}{'start':>6}{'weak flag':>11}{'strong flag':>13}{'baseline':>10}   (months after start)"
    )
    leads_w, leads_s, leads_b = [], [], []
    for name in sorted(injected, key=lambda n: subjects[n]["start"]):
        s = subjects[name]["start"]
        w, st, b = ours[name].get("weak"), ours[name].get("strong"), base.get(name)
        leads_w += [w - s] if w is not None else []
        leads_s += [st - s] if st is not None else []
        leads_b += [b - s] if b is not None else []
        print(f"{name:<18}{s:>6}{lead(w, s):>11}{lead(st, s):>13}{lead(b, s):>10}")

    def mean(xs: list[int]) -> str:
        return f"{sum(xs) / len(xs):.1f}" if xs else "n/a"

    flat_months = len(flat) * (months - 2)
    print(
        f"mean lead: weak {mean(leads_w)} ({len(leads_w)}/10 found), strong {mean(leads_s)} ({len(leads_s)}/10), baseline {mean(leads_b)} ({len(leads_b)}/10)"
    )
    print(
        f"false alarms on flat subjects: ours {len(flat_flags)}/{len(flat)} subjects ever flagged, {sum(flat_flags.values())} flags in {flat_months} subject-months; baseline {len(base_flat_flags)}/{len(flat)}, {sum(base_flat_flags.values())} flags"
    )
    print(
        f"precision@10 of the emerging list (mean over months {first_injection}..{months - 1}): ours {np.mean(p_ours) if p_ours else float('nan'):.2f}, baseline {np.mean(p_base) if p_base else float('nan'):.2f}"
    )


def real(corpus: Path, top: int) -> None:
    if not corpus.is_dir():
        print(f"real corpus: {corpus} not found, skipped")
        return
    from techwatch.workspace import Workspace

    ws = Workspace.init(Path(tempfile.mkdtemp(prefix="bench-real-")) / "ws")
    try:
        ws.import_pages(corpus)
        reports = ws.update_trends()
        print(
            f"real corpus: {sum(r.items for r in reports):,} items, "
            + ", ".join(f"{r.kind} {r.trends}" for r in reports)
            + " trends"
        )
        for kind in ("signals", "technologies"):
            full = ws.trend_report(kind, period="quarter", update=False)
            last = max(t.last_seen for t in full.trends)
            years = sorted({p[:4] for p in full.periods})
            for year in years:
                as_of = min(date(int(year), 12, 31), last)
                rep = ws.trend_report(kind, period="quarter", as_of=as_of, update=False)
                # Flagged first, then the rises closest to significance, so that a small
                # corpus still shows its candidates (with their p-values and states).
                ranked = sorted(
                    rep.trends,
                    key=lambda t: (t.state != "emerging", t.emergence.rise_p, -t.articles, t.id),
                )
                lines = [
                    f"{t.label} [{t.state}, {t.emergence.recent} recent, p={t.emergence.rise_p:.2f}]"
                    for t in ranked[:top]
                ]
                print(f"{kind} {year}: " + "; ".join(lines))
    finally:
        ws.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    synthetic(args.months, args.seed)
    real(args.corpus, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
