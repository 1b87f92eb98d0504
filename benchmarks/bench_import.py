"""Throughput of page import: parse, render and parse+render over the reference corpus.

    python benchmarks/bench_import.py [--repeat N] [--corpus DIR] [--no-repair]

The baseline is reading the files and splitting them into lines, so the ratios say how much
the parser costs over merely touching the bytes.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from techwatch.publish.markdown import parse_page, render_page

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "futures-pages"


def _rate(label: str, pages: int, work: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        work()
    elapsed = time.perf_counter() - start
    rate = pages * repeat / elapsed
    print(f"{label:<28} {rate:>12,.0f} pages/s  ({elapsed:.3f} s for {pages * repeat} pages)")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--no-repair", action="store_true")
    args = parser.parse_args()
    files = sorted(args.corpus.glob("*.md"))
    if not files:
        print(f"no pages under {args.corpus}", file=sys.stderr)
        return 1
    repair = not args.no_repair
    texts = [f.read_text(encoding="utf-8") for f in files]
    parsed = [parse_page(t, repair=repair) for t in texts]
    n = len(files)
    print(f"{n} pages, {sum(map(len, texts)):,} characters, repeat {args.repeat}, repair={repair}")

    base = _rate(
        "read + split lines",
        n,
        lambda: [f.read_text(encoding="utf-8").split("\n") for f in files],
        args.repeat,
    )
    p = _rate("parse", n, lambda: [parse_page(t, repair=repair) for t in texts], args.repeat)
    r = _rate(
        "render",
        n,
        lambda: [render_page(x.card, x.meta, x.closest) for x in parsed],
        args.repeat,
    )

    def both() -> None:
        for t in texts:
            x = parse_page(t, repair=repair)
            render_page(x.card, x.meta, x.closest)

    pr = _rate("parse + render", n, both, args.repeat)
    print(
        f"slowdown vs baseline: parse x{base / p:.1f}, render x{base / r:.1f}, both x{base / pr:.1f}"
    )
    same = sum(
        render_page(x.card, x.meta, x.closest) == t for x, t in zip(parsed, texts, strict=True)
    )
    formats: dict[str, int] = {}
    for x in parsed:
        formats[x.format] = formats.get(x.format, 0) + 1
    print(f"round-trip byte-identical: {same}/{n} = {same / n:.1%}; formats {formats}")
    _store_import(args.corpus)
    return 0


def _store_import(folder: Path) -> None:
    """`techwatch import pages` into a fresh SQLite workspace, then again (idempotent)."""
    import tempfile
    import time

    from techwatch.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.init(Path(tmp) / "ws")
        for label in ("import into SQLite", "re-import (unchanged)"):
            start = time.perf_counter()
            report = ws.import_pages(folder)
            elapsed = time.perf_counter() - start
            print(
                f"{label:30} {report.processed / elapsed:10,.0f} pages/s  "
                f"({elapsed:.2f} s, {dict(report.counts)})"
            )
        ws.close()


if __name__ == "__main__":
    sys.exit(main())
