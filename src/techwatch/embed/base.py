"""What every embedder shares: the protocol, row normalisation, file hashes, errors.

Every embedder returns float32 rows of unit length (or all zeros for a text with nothing the
model knows), so a dot product is a cosine. `model_id` names the exact model (it includes a
hash of the weights or of the fitted model): vectors are stored under it, so two models never
mix and changing the model re-embeds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np


class EmbedderError(Exception):
    """An embedder cannot run: a missing package, a model file that fails its hash, a bad reply."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class CorpusFitted(Protocol):
    """An embedder that learns from the corpus (TF-IDF + SVD) and says when to learn again."""

    def needs_fit(self, corpus_size: int) -> bool: ...

    def fit(self, texts: Sequence[str], corpus_size: int | None = None) -> None: ...


def normalise(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; all-zero rows stay zero (no division by zero)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim != 2:
        raise EmbedderError(f"expected a 2-D matrix of vectors, got shape {matrix.shape}")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32, copy=False)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def empty(dim: int) -> np.ndarray:
    return np.zeros((0, dim), dtype=np.float32)
