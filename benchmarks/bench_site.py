"""Static site build speed: the imported reference corpus plus synthetic cards.

    python benchmarks/bench_site.py [--synthetic 10000] [--workspace DIR] [--corpus DIR]

Measures a full build, a rebuild with nothing changed, and an incremental rebuild after 10
new cards. The baseline, measured in the same run on the same cards, is `techwatch pages`
(one markdown page per card plus the index): the ratios say what the HTML site costs over it.
Trends pages are included only when trends were computed in the workspace beforehand.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from techwatch.card import Card, Item, Signal
from techwatch.store.store import NewArticle
from techwatch.workspace import Workspace

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "futures-pages"
WORDS = [
    "battery",
    "sodium",
    "lithium",
    "grid",
    "solar",
    "wind",
    "hydrogen",
    "heat",
    "pump",
    "carbon",
    "capture",
    "robot",
    "agent",
    "model",
    "chip",
    "quantum",
    "fusion",
    "drone",
    "satellite",
    "city",
    "farm",
    "water",
    "textile",
    "plastic",
    "recycling",
    "health",
    "vaccine",
    "gene",
    "protein",
    "brain",
    "sleep",
    "work",
    "school",
    "privacy",
    "identity",
    "money",
    "bank",
    "payment",
    "trust",
    "media",
    "video",
    "music",
    "game",
    "sport",
    "travel",
    "rail",
    "car",
    "bike",
    "road",
    "housing",
]
CATEGORIES = ("technology", "science", "politics", "city", "infrastructures", "sport", "others")
TYPES = ("news", "blog post", "research article", "social network", "others")


def synthetic_card(rng: random.Random, n: int) -> Card:
    words = rng.sample(WORDS, 6)
    return Card(
        title=f"{words[0].title()} and {words[1]}: synthetic report {n}",
        summary=" ".join(rng.choice(WORDS) for _ in range(60)),
        keywords=[f"{a} {b}" for a, b in zip(words[:4], words[1:5], strict=True)],
        themes=[rng.choice(WORDS[:12]), rng.choice(WORDS[12:30])],
        category=rng.choice(CATEGORIES),
        type=rng.choice(TYPES),
        signals=[
            Signal(
                name=f"{words[2]} {words[3]} spreads",
                description=" ".join(rng.choice(WORDS) for _ in range(15)),
                change=f"from {words[4]} to {words[5]}",
                relevancy=rng.randint(1, 5),
            )
        ],
        technologies=[Item(name=words[5], description="synthetic")],
    )


def add_synthetic(ws: Workspace, count: int, *, seed: int = 7, start: int = 0) -> list[str]:
    """Store `count` synthetic articles with ok cards, dated over 2022-2026."""
    rng = random.Random(seed + start)
    ids = []
    for n in range(start, start + count):
        day = f"{2022 + n % 5}-{1 + n % 12:02d}-{1 + n % 28:02d}"
        article_id, _ = ws.store.discover(
            NewArticle(
                url=f"https://synthetic.example.org/{n}",
                origin_kind="issue",
                origin_url=f"https://letter.example.org/{day}",
                origin_title=f"Synthetic letter {day}",
                origin_date=day,
                title=f"Synthetic {n}",
            )
        )
        ws.store.save_article(article_id, status="ok", text="synthetic text " * 50)
        ws.store.save_card(
            article_id,
            status="ok",
            card=synthetic_card(rng, n),
            provenance={"analyzer": "synthetic"},
        )
        ids.append(article_id)
    return ids


def prepare(folder: Path, corpus: Path, synthetic: int) -> Workspace:
    """A workspace with the corpus and the synthetic cards (reused when already there)."""
    ws = Workspace.init(folder)
    if ws.store.card_status_counts().get("ok", 0) == 0:
        started = time.perf_counter()
        if corpus.is_dir():
            ws.import_pages(corpus)
        else:
            print(f"(no corpus at {corpus}: synthetic cards only)")
        add_synthetic(ws, synthetic)
        print(f"prepared {folder} in {time.perf_counter() - started:.1f}s")
    return ws


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument("--workspace", type=Path, default=None, help="kept (and reused) here")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="bench-site-")
    folder = args.workspace or Path(tmp.name) / "ws"
    ws = prepare(folder, args.corpus, args.synthetic)
    cards = ws.store.card_status_counts().get("ok", 0)
    out = Path(tmp.name) / "site"
    pages_out = Path(tmp.name) / "pages"

    t0 = time.perf_counter()
    ws.pages(pages_out)
    baseline = time.perf_counter() - t0

    t0 = time.perf_counter()
    full = ws.site(out)
    full_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    again = ws.site(out)
    again_s = time.perf_counter() - t0

    add_synthetic(ws, 10, seed=99, start=10_000_000 + cards)  # new URLs on every run
    t0 = time.perf_counter()
    incr = ws.site(out)
    incr_s = time.perf_counter() - t0

    print(f"cards                        {cards:>10,}")
    print(
        f"site pages                   {full.pages:>10,}  (largest {full.largest[1]:,} bytes: "
        f"{full.largest[0]})"
    )
    print(f"baseline: techwatch pages    {baseline:>10.2f} s  ({cards / baseline:,.0f} cards/s)")
    print(
        f"full site build              {full_s:>10.2f} s  ({full.pages / full_s:,.0f} pages/s, "
        f"{full_s / baseline:.2f}x the baseline)"
    )
    print(
        f"rebuild, nothing changed     {again_s:>10.2f} s  ({again.written} files written, "
        f"{again_s / full_s:.2f}x the full build)"
    )
    print(
        f"rebuild after 10 new cards   {incr_s:>10.2f} s  ({incr.written} files written, "
        f"{incr_s / full_s:.2f}x the full build)"
    )
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
