"""Embedding throughput, side by side: the offline TF-IDF + SVD default and the MiniLM routes.

    python benchmarks/bench_embed.py [--texts 2000] [--repeat 2]

Texts are the card items and card texts of the reference corpus (../shared) when present,
else of synthetic cards made from the demo corpus (as in bench_retrieval.py): short item
texts (a signal's name and description, ~25 words) and long card texts (~150 words) are
timed separately, in sentences (texts) per second. The baseline measured in the same run is
the hashing embedder (no model at all). MiniLM runs by every route installed: ONNX int8
(the `minilm` extra) and sentence-transformers + torch (the `bench` extra); a missing route
is reported, not an error. The TF-IDF fit time is reported on its own.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable

import numpy as np

from bench_retrieval import seed_cards, synthetic_cards
from techwatch.embed import EmbedderError, HashingEmbedder, TfidfSvdEmbedder
from techwatch.embed.minilm import MiniLMOnnxEmbedder, MiniLMTorchEmbedder
from techwatch.vectors import card_text, item_text


def corpus_texts(n: int) -> tuple[list[str], list[str], str]:
    seeds, origin = seed_cards()
    cards = [c for c, _ in synthetic_cards(seeds, max(0, n - len(seeds)), random.Random(3))]
    cards = seeds + cards
    longs = [card_text(c.model_dump()) for c in cards][:n]
    shorts = [
        item_text(i.name, i.description, getattr(i, "change", ""))
        for c in cards
        for items in c.items().values()
        for i in items
    ]
    shorts = list(dict.fromkeys(shorts))[:n]
    return shorts, longs, origin


def rate(
    embed: Callable[[list[str]], np.ndarray], texts: list[str], repeat: int
) -> tuple[float, float]:
    """Texts per second of wall time, and per second of this process's CPU time (all its
    threads): on a shared machine the second is the steadier figure."""
    embed(texts[:8])  # warm up (lazy loads, first-call allocations)
    start, start_cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        embed(texts)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return len(texts) * repeat / wall, len(texts) * repeat / cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    shorts, longs, origin = corpus_texts(args.texts)
    words = (np.mean([len(t.split()) for t in shorts]), np.mean([len(t.split()) for t in longs]))
    print(
        f"texts from {origin}: {len(shorts)} item texts (~{words[0]:.0f} words), "
        f"{len(longs)} card texts (~{words[1]:.0f} words); repeat {args.repeat}"
    )

    tfidf = TfidfSvdEmbedder(None)
    start = time.perf_counter()
    tfidf.fit(shorts + longs)
    fit = time.perf_counter() - start
    print(f"TF-IDF + SVD fit on {len(shorts) + len(longs)} texts: {fit:.1f} s ({tfidf.model_id})")

    routes: list[tuple[str, Callable[[], object]]] = [
        ("baseline: hashing (no model)", HashingEmbedder),
        ("TF-IDF + SVD (default)", lambda: tfidf),
        ("MiniLM, ONNX int8 (minilm extra)", MiniLMOnnxEmbedder),
        ("MiniLM, torch (bench extra)", MiniLMTorchEmbedder),
    ]
    print(f"\n{'texts/s (wall | per CPU-second)':<34} {'items':>17} {'cards':>17}  x baseline")
    base: tuple[float, float] | None = None
    vectors: dict[str, np.ndarray] = {}
    for label, make in routes:
        try:
            embedder = make()
        except EmbedderError as exc:
            print(f"{label:<34} {'-':>17} {'-':>17}  not available: {exc}")
            continue
        short_wall, short_cpu = rate(embedder.embed, shorts, args.repeat)
        long_wall, long_cpu = rate(embedder.embed, longs, args.repeat)
        if base is None:
            base = (short_cpu, long_cpu)
        print(
            f"{label:<34} {short_wall:>7,.0f} | {short_cpu:>7,.0f} {long_wall:>7,.0f} | "
            f"{long_cpu:>7,.0f}  x{short_cpu / base[0]:.2f}, x{long_cpu / base[1]:.2f}"
        )
        if "MiniLM" in label:
            vectors[label] = embedder.embed(shorts[:200])
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if len(vectors) == 2:
        a, b = vectors.values()
        print(
            f"\nONNX vs torch MiniLM, mean cosine of the same texts: {np.mean(np.sum(a * b, 1)):.4f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
