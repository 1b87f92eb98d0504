"""Throughput of the extractive analyzer, against plain YAKE on the same texts.

    python benchmarks/bench_extractive_speed.py [--n 200] [--workers 2] [--chars 4000]

Texts are the demo articles (cut or repeated to about --chars characters), so the numbers
are comparable between runs; the target is >= 20 articles/s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import time

import yake

from techwatch.analyze.base import ArticleInput
from techwatch.analyze.extractive import ExtractiveAnalyzer

FALLBACK = (
    "Heat pump sales in Europe grew by 18 percent this year, according to the association. "
    "Installers warn of a shortage of skilled workers, and the EU will ban some refrigerants. "
    "Homeowners are increasingly turning to heat pumps because gas prices stayed high. "
)


def texts(n: int, chars: int) -> list[str]:
    try:
        from bench_cards import _demo_articles  # same folder when run as a script

        bodies = [a.text for a in _demo_articles()]  # type: ignore[attr-defined]
    except Exception:
        bodies = []
    bodies = bodies or [FALLBACK]
    out = []
    for i in range(n):
        body = bodies[i % len(bodies)]
        while len(body) < chars:
            body += "\n\n" + bodies[(i + len(body)) % len(bodies)]
        cut = body.rfind(". ", 0, chars)
        out.append(body[: cut + 1 if cut > 0 else chars] + f" Article {i}.")
    return out


def rate(label: str, count: int, seconds: float) -> float:
    per_s = count / seconds
    print(f"{label:<34} {count:>5} articles in {seconds:6.2f} s = {per_s:7.1f} articles/s")
    return per_s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--chars", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    corpus = texts(args.n, args.chars)
    articles = [ArticleInput(id=str(i), text=t, language="en") for i, t in enumerate(corpus)]
    mean_chars = sum(map(len, corpus)) / len(corpus)
    print(f"{len(corpus)} texts, mean {mean_chars:.0f} characters, {os.cpu_count()} CPUs")

    extractor = yake.KeywordExtractor()
    start = time.perf_counter()
    for text in corpus:
        extractor.extract_keywords(text)
    base = rate("baseline: plain YAKE, 1 process", len(corpus), time.perf_counter() - start)

    analyzer = ExtractiveAnalyzer()
    start = time.perf_counter()
    ok = sum(r.status == "ok" for _, r in analyzer.analyze_many(articles))
    single = rate("extractive, 1 process", len(corpus), time.perf_counter() - start)

    pooled = ExtractiveAnalyzer(workers=args.workers)
    start = time.perf_counter()
    ok_pool = sum(r.status == "ok" for _, r in pooled.analyze_many(articles))
    multi = rate(f"extractive, {args.workers} processes", len(corpus), time.perf_counter() - start)

    print(f"ok: {ok}/{len(corpus)} (pool {ok_pool}/{len(corpus)})")
    print(f"ratio extractive/YAKE (1 process): {single / base:.2f}")
    print(f"ratio extractive pool/YAKE:        {multi / base:.2f}")
    print(f"target >= 20 articles/s: {'met' if max(single, multi) >= 20 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
