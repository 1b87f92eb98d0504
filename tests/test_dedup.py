"""MinHash near-duplicate detection."""

from __future__ import annotations

import random

import pytest

from techwatch.dedup import NUM_PERM, NearDuplicateIndex, shingles, signature, similarity

WORDS = [
    "grid",
    "battery",
    "storage",
    "power",
    "neighbour",
    "solar",
    "policy",
    "market",
    "price",
    "household",
    "energy",
    "network",
    "utility",
    "regulator",
    "demand",
    "supply",
    "peak",
    "load",
    "inverter",
    "tariff",
    "carbon",
    "city",
    "data",
    "model",
    "forecast",
    "cost",
    "study",
    "research",
    "trade",
    "local",
    "community",
    "project",
    "pilot",
    "scheme",
]


def article(seed: int, words: int = 600) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + str(rng.randint(0, 40)) for _ in range(words))


def test_signature_is_compact_and_stable() -> None:
    sig = signature(article(1))
    assert isinstance(sig, bytes)
    assert len(sig) == 1 + 4 * NUM_PERM
    assert sig == signature(article(1))
    # a golden prefix: stored signatures must not change between versions or processes
    assert signature("the quick brown fox jumps over the lazy dog")[:9].hex() == GOLDEN_PREFIX


GOLDEN_PREFIX = "010aa612189cead507"


def test_exact_duplicates() -> None:
    text = article(2)
    assert similarity(signature(text), signature(text)) == 1.0
    # case and punctuation do not matter
    assert similarity(signature(text), signature(text.upper().replace(" ", " , "))) == 1.0


def test_small_edits_stay_similar() -> None:
    text = article(3)
    words = text.split()
    words[50] = "changed"
    words[300] = "edited"
    edited = " ".join(words) + " Copyright 2024 The Gazette"
    assert similarity(signature(text), signature(edited)) >= 0.9


def test_different_articles_are_dissimilar() -> None:
    assert similarity(signature(article(4)), signature(article(5))) < 0.1


def test_short_texts() -> None:
    assert similarity(signature("Hello, world!"), signature("hello world")) == 1.0
    assert similarity(signature("hello world"), signature("goodbye moon")) < 0.1
    assert shingles("one two three").size == 1
    assert shingles("").size == 0
    assert similarity(signature("a b c d e f"), signature("a b c d e f")) == 1.0


def test_similarity_rejects_foreign_bytes() -> None:
    with pytest.raises(ValueError):
        similarity(b"\x01abc", signature("x"))


def test_index_finds_near_duplicates_only() -> None:
    index = NearDuplicateIndex()
    for seed in range(50):
        index.add(f"doc{seed}", signature(article(seed)))
    assert len(index) == 50
    words = article(7).split()
    words[10] = "tweak"
    query = signature(" ".join(words))
    hits = index.query(query)
    assert [key for key, _ in hits] == ["doc7"]
    assert hits[0][1] >= 0.9
    assert index.query(signature(article(999))) == []


def test_index_replace_and_remove() -> None:
    index = NearDuplicateIndex(bands=32)
    index.add("a", signature(article(1)))
    index.add("a", signature(article(2)))
    assert index.query(signature(article(1))) == []
    assert index.query(signature(article(2)))[0][0] == "a"
    index.remove("a")
    assert "a" not in index and index.query(signature(article(2))) == []
    with pytest.raises(ValueError):
        NearDuplicateIndex(bands=7)
