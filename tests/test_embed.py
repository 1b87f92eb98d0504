"""Embedders: the hashing fallback everywhere, MiniLM when its packages are installed."""

from __future__ import annotations

import numpy as np
import pytest

from techwatch.embed import (
    Embedder,
    HashingEmbedder,
    MiniLMEmbedder,
    default_embedder,
    get_embedder,
    minilm_available,
)


def test_hashing_rows_are_normalised_and_deterministic() -> None:
    embedder = HashingEmbedder(dim=256)
    assert isinstance(embedder, Embedder)
    vectors = embedder.embed(["heat pumps", "", "data centres"])
    assert vectors.shape == (3, 256) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[[0, 2]], axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[1], 0.0)
    assert np.array_equal(
        vectors, HashingEmbedder(dim=256).embed(["heat pumps", "", "data centres"])
    )


def test_hashing_similar_texts_are_close() -> None:
    embedder = HashingEmbedder()
    a, b, c = embedder.embed(
        [
            "Heat pump sales are growing across Europe",
            "heat pumps sales grow in Europe",
            "The football team won the championship match",
        ]
    )
    assert float(a @ b) > 0.5
    assert float(a @ b) > float(a @ c) + 0.3


def test_get_embedder_names() -> None:
    assert get_embedder("hashing").name.startswith("hashing")
    with pytest.raises(ValueError):
        get_embedder("nope")
    assert default_embedder().dim > 0


@pytest.mark.slow
@pytest.mark.skipif(not minilm_available(), reason="MiniLM packages (bench extra) not installed")
def test_minilm_offline() -> None:
    embedder = MiniLMEmbedder()
    a, b, c = embedder.embed(["heat pumps are booming", "heat pump sales grow", "a football match"])
    assert embedder.dim == 384
    assert float(a @ b) > float(a @ c) + 0.3
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-4
