"""BM25 from per-phrase postings: the same rankings and the same scores as FTS5's
`ORDER BY bm25()`, on a real SQLite store, and fresh after every commit."""

from __future__ import annotations

import random

import numpy as np
import pytest

from techwatch.embed import HashingEmbedder
from techwatch.postings import card_postings
from techwatch.retrieval import lexical_phrases, lexical_query, search
from techwatch.store.db import sqlite_url
from techwatch.store.store import Store
from techwatch.vectors import clear_cache, ensure_vectors
from test_vectors import add_card

WORDS = ["solar", "grid", "battery", "agents", "café", "cafe", "gpt-4", "rust", "chips", "water"]


@pytest.fixture
def store(tmp_path):
    clear_cache()
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    rng = random.Random(4)
    for n in range(120):
        # Few words, repeated: many cards score exactly alike (ties), lengths vary.
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 12))]
        add_card(store, f"c{n}", " ".join(words[:3]), " ".join(words), date=f"2025-0{n % 9 + 1}-01")
    yield store
    store.close()
    clear_cache()


def _fts(store: Store, fts: str, position: dict[str, int], mask: np.ndarray, depth: int):
    """FTS5 itself: every match by bm25(), then the first `depth` rows the mask keeps."""
    raw = store.engine.raw_connection()
    try:
        matches = (
            raw.cursor()
            .execute(
                "SELECT article_id, bm25(cards_fts) FROM cards_fts WHERE cards_fts MATCH ? "
                "ORDER BY 2",
                (fts,),
            )
            .fetchall()
        )
    finally:
        raw.close()
    ranking, scores = [], {}
    for key, score in matches:
        row = position.get(key)
        if row is None or not mask[row] or row in scores:
            continue
        ranking.append(row)
        scores[row] = -score
        if len(ranking) >= depth:
            break
    return ranking, scores


QUERIES = [
    "solar",
    "solar grid",
    "grid solar",  # the same words in another order: FTS5 sums in query order
    "battery agents water",
    "café cafe",  # two phrases with the same token once diacritics are removed
    "gpt-4 chips",  # a phrase of two tokens
    "nothing matches this",
    "the",  # only a stop word
]


@pytest.mark.parametrize("every", [True, False])
def test_rankings_and_scores_are_fts5s(store, every):
    vset = ensure_vectors(store, HashingEmbedder(dim=64))
    position = vset.index()
    rng = random.Random(1)
    masks = [np.ones(len(vset), bool), np.array([rng.random() < 0.3 for _ in range(len(vset))])]
    postings = card_postings(store)
    assert postings is not None
    raw = store.engine.raw_connection()
    try:
        for query in QUERIES:
            phrases = lexical_phrases(query)
            fts = lexical_query(query, "AND" if every else "OR")
            for mask in masks:
                for depth in (5, 40, 1000):
                    got = postings.ranking(raw.cursor(), phrases, every, position, mask, depth)
                    assert got == _fts(store, fts, position, mask, depth), (query, depth)
    finally:
        raw.close()
    # Ties are there (the case where an order could differ): equal scores on several rows.
    _, scores = _fts(store, '"solar"', position, masks[0], 1000)
    assert len(set(scores.values())) < len(scores)


def test_postings_follow_commits(store):
    embedder = HashingEmbedder(dim=64)
    before = search(store, embedder, "zebra", k=5)
    first = card_postings(store)
    assert card_postings(store) is first  # nothing committed: the same postings
    new = add_card(store, "z", "Zebra crossings", "zebra zebra crossings in cities")
    assert card_postings(store) is not first
    after = search(store, embedder, "zebra", k=5)
    assert [h.card_id for h in after if h.bm25_rank] == [new]
    assert not [h for h in before if h.bm25_rank]


def test_a_phrase_is_read_on_its_second_use(store):
    postings = card_postings(store)
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        assert not postings.ready(cursor, ['"solar"', '"grid"'])  # first use: FTS5 answers
        assert not postings.ready(cursor, ['"solar"', '"water"'])  # "water" is new
        assert postings.ready(cursor, ['"solar"', '"grid"'])  # both read now
        assert postings.ready(cursor, ['"grid"'])
    finally:
        raw.close()


def test_preload_reads_the_common_words_only(store):
    from techwatch.postings import preload

    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()

        def cards_with(word: str) -> int:
            query = "SELECT count(*) FROM cards_fts WHERE cards_fts MATCH ?"
            return cursor.execute(query, (f'"{word}"',)).fetchone()[0]

        total = cursor.execute("SELECT count(*) FROM cards_fts").fetchone()[0]
        counts = {w: cards_with(w) for w in ("solar", "grid", "water", "rust", "chips")}
        threshold = sorted(counts.values())[2]  # some words above, some below
        loaded = preload(store, share=threshold / total)
        postings = card_postings(store)
        for word, count in counts.items():
            # A preloaded word is ranked from memory on its first use; the others are not.
            assert postings.ready(cursor, [f'"{word}"']) == (count >= threshold), word
        assert 0 < loaded < len(WORDS)
    finally:
        raw.close()
