"""Embedders: the offline TF-IDF + SVD default, the hashing fallback, MiniLM, the factory."""

from __future__ import annotations

import numpy as np
import pytest

from techwatch.config import EmbedConfig, Settings
from techwatch.embed import (
    Embedder,
    EmbedderError,
    HashingEmbedder,
    TfidfSvdEmbedder,
    get_embedder,
    minilm_available,
    tfidf_model_path,
)

# A corpus with three subjects: each text draws most of its words from its subject's pool,
# so SVD can only put same-subject texts together by learning which words co-occur.
POOLS = {
    "energy": "battery storage grid solar wind sodium lithium heat pump utility power charging "
    "electricity renewable turbine",
    "ai": "agents model language chatbot automation code assistant workflow inference training "
    "prompt neural reasoning copilot",
    "food": "farm lettuce meat fermentation dairy protein insect flour vegetables restaurant "
    "harvest crop bakery kitchen",
}
SHARED_WORDS = ["new", "company", "report", "market", "growth", "city", "people", "year"]


def _texts(topic: str, n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    pool = POOLS[topic].split()
    return [
        " ".join(rng.choice(pool, 7).tolist() + rng.choice(SHARED_WORDS, 3).tolist())
        for _ in range(n)
    ]


TOPICS = {topic: _texts(topic, 30, i) for i, topic in enumerate(POOLS)}
CORPUS = [text for texts in TOPICS.values() for text in texts]


def _fitted(tmp_path, dim: int = 16) -> TfidfSvdEmbedder:
    embedder = TfidfSvdEmbedder(tmp_path / "m.npz", dim=dim)
    embedder.fit(CORPUS)
    return embedder


def test_tfidf_vectors_are_unit_rows_and_deterministic(tmp_path) -> None:
    a = _fitted(tmp_path / "a")
    b = _fitted(tmp_path / "b")
    assert isinstance(a, Embedder)
    assert a.model_id == b.model_id and a.model_id.startswith("tfidf-svd-")
    va = a.embed(CORPUS[:5])
    assert va.dtype == np.float32 and va.shape == (5, a.dim)
    assert np.allclose(np.linalg.norm(va, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(va, b.embed(CORPUS[:5]))


def test_tfidf_model_is_stable_across_reloads(tmp_path) -> None:
    fitted = _fitted(tmp_path)
    reloaded = TfidfSvdEmbedder(tmp_path / "m.npz", dim=16)
    assert reloaded.fitted and reloaded.model_id == fitted.model_id
    assert np.array_equal(reloaded.embed(["battery storage"]), fitted.embed(["battery storage"]))


def test_tfidf_puts_similar_texts_closer_than_unrelated(tmp_path) -> None:
    embedder = _fitted(tmp_path)
    query, same, other = embedder.embed(
        ["storage for the power grid", "battery solar wind", "farm crop harvest"]
    )
    assert float(query @ same) > float(query @ other) + 0.3
    # Subject-level: the mean similarity inside a topic beats the mean across topics.
    vectors = {k: embedder.embed(v) for k, v in TOPICS.items()}
    inside = np.mean([(m @ m.T)[np.triu_indices(len(m), 1)].mean() for m in vectors.values()])
    across = np.mean(vectors["energy"] @ vectors["ai"].T)
    assert inside > across + 0.2


def test_a_changed_model_file_fails_its_hash_check(tmp_path) -> None:
    _fitted(tmp_path)
    path = tmp_path / "m.npz"
    data = dict(np.load(path, allow_pickle=False))
    data["idf"] = data["idf"] * 2
    with open(path, "wb") as fh:
        np.savez(fh, **data)
    with pytest.raises(EmbedderError, match="hash check"):
        TfidfSvdEmbedder(path)


def test_refit_only_when_the_corpus_grew(tmp_path) -> None:
    embedder = TfidfSvdEmbedder(tmp_path / "m.npz", dim=16, refit_growth=2.0)
    assert not embedder.needs_fit(0)  # nothing to learn from
    assert embedder.needs_fit(1)
    embedder.fit(CORPUS, corpus_size=10)
    assert not embedder.needs_fit(19) and embedder.needs_fit(20)
    never = TfidfSvdEmbedder(None, refit_growth=0)
    never.fit(CORPUS)
    assert not never.needs_fit(10_000)


@pytest.mark.parametrize(
    "texts",
    [
        [],  # empty corpus: stays on the hashing fallback
        ["the and of"],  # only stop words
        ["one lonely card about heat pumps"],
        ["heat pumps", "football"],
    ],
)
def test_small_corpora_degrade_without_crashing(texts) -> None:
    embedder = TfidfSvdEmbedder(None, dim=256)
    embedder.fit(texts)
    vectors = embedder.embed(["heat pumps", ""])
    assert vectors.shape == (2, embedder.dim) and embedder.dim >= 1
    assert np.isfinite(vectors).all()
    assert not np.any(vectors[1])  # an empty text is the zero vector, not NaN
    if not embedder.fitted:
        assert embedder.model_id.startswith("hashing-")
    else:
        assert embedder.dim < 256  # plain TF-IDF: no SVD on so few texts


def test_hashing_embedder_is_deterministic_and_morphology_aware() -> None:
    embedder = HashingEmbedder(dim=256)
    vectors = embedder.embed(["heat pumps", "", "data centres"])
    assert vectors.shape == (3, 256)
    assert not np.any(vectors[1])
    assert np.array_equal(
        vectors, HashingEmbedder(dim=256).embed(["heat pumps", "", "data centres"])
    )
    a, b, c = HashingEmbedder().embed(["battery", "batteries", "football"])
    assert float(a @ b) > float(a @ c) + 0.2


def test_factory_reads_the_embed_settings(tmp_path) -> None:
    embedder = get_embedder(Settings(), tmp_path)
    assert isinstance(embedder, TfidfSvdEmbedder) and embedder.dim == 256
    assert embedder.path == tfidf_model_path(tmp_path)
    small = get_embedder(Settings(embed=EmbedConfig(dim=32)), tmp_path)
    assert small.target_dim == 32
    with pytest.raises(EmbedderError, match="unknown embed backend"):
        get_embedder(EmbedConfig(backend="word2vec"))
    with pytest.raises(EmbedderError, match="base_url"):
        get_embedder(Settings(embed=EmbedConfig(backend="openai"), openai={"base_url": ""}))
    with pytest.raises(ValueError):
        get_embedder("nope")


@pytest.mark.slow
@pytest.mark.skipif(not minilm_available(), reason="MiniLM not installed (the `minilm` extra)")
def test_minilm_offline() -> None:
    embedder = get_embedder(EmbedConfig(backend="minilm"))
    a, b, c = embedder.embed(["heat pumps are booming", "heat pump sales grow", "a football match"])
    assert embedder.dim == 384 and "MiniLM" in embedder.model_id
    assert float(a @ b) > float(a @ c) + 0.3
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-4
    assert embedder.embed([]).shape == (0, 384)


@pytest.mark.skipif(not minilm_available(), reason="MiniLM not installed (the `minilm` extra)")
def test_minilm_model_files_are_hash_checked(tmp_path, monkeypatch) -> None:
    from techwatch.embed import minilm

    monkeypatch.setattr(minilm, "ONNX_SHA256", "0" * 64)
    with pytest.raises(EmbedderError, match="hash check"):
        minilm.MiniLMOnnxEmbedder()
    (tmp_path / "model.onnx").write_bytes(b"not a model")
    (tmp_path / "tokenizer.json").write_bytes(minilm.packaged_tokenizer().read_bytes())
    with pytest.raises(EmbedderError, match="cannot load"):
        minilm.MiniLMOnnxEmbedder(str(tmp_path))
    with pytest.raises(EmbedderError, match="no model.onnx"):
        minilm.MiniLMOnnxEmbedder(str(tmp_path / "missing"))
