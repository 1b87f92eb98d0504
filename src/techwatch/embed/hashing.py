"""A model-free embedder: hashed words and character n-grams (numpy only).

The fallback of last resort: it needs no corpus and no package, so it serves while the
TF-IDF model has nothing to learn from (an empty corpus). Character n-grams make
"battery" and "batteries" close; crc32 (not Python's salted `hash`) keeps vectors
identical across processes.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

from techwatch.embed.base import normalise

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
VERSION = 1


class HashingEmbedder:
    """Deterministic bag of hashed words and character n-grams."""

    def __init__(self, dim: int = 1024, ngram: tuple[int, int] = (3, 5)) -> None:
        self.dim = dim
        self.ngram = ngram
        self.model_id = f"hashing-{dim}-{ngram[0]}{ngram[1]}-v{VERSION}"

    @property
    def name(self) -> str:  # the older spelling, kept for benchmarks/bench_cards.py
        return self.model_id

    def _features(self, text: str) -> dict[int, float]:
        feats: dict[int, float] = {}

        def add(token: str, weight: float) -> None:
            h = zlib.crc32(token.encode("utf-8"))
            index = h % self.dim
            sign = 1.0 if (h >> 31) & 1 else -1.0
            feats[index] = feats.get(index, 0.0) + sign * weight

        lo, hi = self.ngram
        for word in _WORD.findall(text.lower()[:20_000]):
            add("w:" + word, 1.0)
            padded = f"<{word}>"
            grams = [
                padded[i : i + n] for n in range(lo, hi + 1) for i in range(len(padded) - n + 1)
            ]
            if grams:
                weight = 1.0 / len(grams) ** 0.5
                for gram in grams:
                    add("c:" + gram, weight)
        return feats

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for index, value in self._features(text or "").items():
                matrix[row, index] = value
        return normalise(matrix)
