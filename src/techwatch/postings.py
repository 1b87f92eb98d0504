"""SQLite FTS5's BM25 of the cards, computed from per-phrase postings kept in memory.

A search's lexical ranking asks FTS5 for the cards matching every word (or any word) of
the query, ordered by `bm25()`. When the words are common, FTS5 scores thousands of rows
for each new query: 6-9 ms of a search's 16 ms on 10,000 cards, most of the CPU of a
search page. BM25 is a sum over the query's phrases (FTS5's `bm25()`: for each phrase,
idf x a term-frequency part, then negated), so a query's scores are the sums of the scores
each of its phrases gets alone. Those per-phrase postings (the matching rows and their
scores) are read from FTS5 once and kept until the next commit to the store (SQLite's
`PRAGMA data_version`, as for the vectors): a new query made of known words then costs a
few array operations. The scores are SQLite's own, summed in the same order as FTS5 sums
them, so they are the same numbers, and ties keep FTS5's order (ascending rowid).

Reading a phrase's postings scores every card that has it, where an AND query scores only
the cards that have every word: for a word asked once that costs more than it saves. So a
phrase is read on its second use since the last commit (`LOAD_AFTER`), and a query is
answered from postings only when all its phrases are there; otherwise FTS5 answers it.
The live app reads the postings of the most common words when it starts (`preload`): they
are the costly ones to rank, and the likeliest to be asked.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from techwatch.store.store import Store
from techwatch.vectors import commit_generation

__all__ = ["PHRASES", "CardPostings", "card_postings", "preload"]

PHRASES = 1024  # phrases kept per store (each: two arrays as long as its matches)
LOAD_AFTER = 2  # a phrase's postings are read on this use (since the last commit)
PRELOAD_SHARE = 0.05  # `preload`: words in at least this share of the cards...
PRELOAD_WORDS = 256  # ...the most common first, at most this many


@dataclass(frozen=True)
class _Phrase:
    rowids: np.ndarray  # FTS rowids matching the phrase, ascending
    scores: np.ndarray  # SQLite's bm25() of each of them for the phrase alone (negative)


class CardPostings:
    """The `cards_fts` postings of one store at one commit generation."""

    def __init__(self, store: Store, generation: Any) -> None:
        self.store, self.generation = store, generation
        self._phrases: OrderedDict[str, _Phrase] = OrderedDict()
        self._lock = threading.Lock()
        self._rows: tuple[dict[str, int], np.ndarray, np.ndarray] | None = None
        self._uses: dict[str, int] = {}

    def ready(self, cursor: Any, phrases: list[str]) -> bool:
        """Count this use of each phrase, read those used `LOAD_AFTER` times; whether every
        phrase of the query now has its postings (then `ranking` answers it)."""
        with self._lock:
            if len(self._uses) > 100 * PHRASES:  # query words are user-chosen: bound them
                self._uses.clear()
            for phrase in phrases:
                self._uses[phrase] = self._uses.get(phrase, 0) + 1
            wanted = [p for p in phrases if p not in self._phrases and self._uses[p] >= LOAD_AFTER]
        for phrase in wanted:
            self._phrase(cursor, phrase)
        with self._lock:
            return all(p in self._phrases for p in phrases)

    def _phrase(self, cursor: Any, phrase: str) -> _Phrase:
        with self._lock:
            found = self._phrases.get(phrase)
            if found is not None:
                self._phrases.move_to_end(phrase)
                return found
        rows = cursor.execute(
            "SELECT rowid, bm25(cards_fts) FROM cards_fts WHERE cards_fts MATCH ?", (phrase,)
        ).fetchall()
        data = np.array(rows, dtype=np.float64).reshape(-1, 2)
        rowids = data[:, 0].astype(np.int64)
        order = np.argsort(rowids, kind="stable")
        found = _Phrase(rowids[order], data[:, 1][order])
        with self._lock:
            self._phrases[phrase] = found
            while len(self._phrases) > PHRASES:
                self._phrases.popitem(last=False)
        return found

    def _row_map(self, cursor: Any, position: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """Every FTS rowid (ascending) and the vector-set row of its card (-1: none)."""
        with self._lock:
            if self._rows is not None and self._rows[0] is position:
                return self._rows[1], self._rows[2]
        pairs = cursor.execute("SELECT rowid, article_id FROM cards_fts ORDER BY rowid").fetchall()
        rowids = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
        rows = np.fromiter(
            (position.get(p[1], -1) for p in pairs), dtype=np.int64, count=len(pairs)
        )
        with self._lock:
            self._rows = (position, rowids, rows)
        return rowids, rows

    def ranking(
        self,
        cursor: Any,
        phrases: list[str],
        every: bool,
        position: dict[str, int],
        mask: np.ndarray,
        depth: int,
    ) -> tuple[list[int], dict[int, float]]:
        """What `ORDER BY bm25(cards_fts)` over `"p1" AND "p2" ...` (every) or `OR` gives,
        as the first `depth` vector-set rows the mask keeps, with BM25 made positive."""
        postings = [self._phrase(cursor, p) for p in phrases]
        if every:
            matched = postings[0].rowids
            for p in postings[1:]:
                matched = np.intersect1d(matched, p.rowids, assume_unique=True)
        else:
            matched = np.unique(np.concatenate([p.rowids for p in postings]))
        total = np.zeros(len(matched), dtype=np.float64)
        for p in postings:  # in the query's order: FTS5 adds the phrases' parts in that order
            at = np.searchsorted(p.rowids, matched)
            hit = at < len(p.rowids)
            hit[hit] = p.rowids[at[hit]] == matched[hit]
            total[hit] += p.scores[at[hit]]
        all_rowids, all_rows = self._row_map(cursor, position)
        rows = all_rows[np.searchsorted(all_rowids, matched)] if len(matched) else matched
        order = np.argsort(total, kind="stable")  # ties: ascending rowid, as FTS5 returns them
        ranking: list[int] = []
        scores: dict[int, float] = {}
        for i in order:
            row = int(rows[i])
            if row < 0 or not mask[row] or row in scores:
                continue
            ranking.append(row)
            scores[row] = -float(total[i])  # SQLite's bm25() is negative: lower is better
            if len(ranking) >= depth:
                break
        return ranking, scores


_stores: OrderedDict[str, CardPostings] = OrderedDict()
_stores_lock = threading.Lock()


def card_postings(store: Store) -> CardPostings | None:
    """The postings of the store as of now; None where commits cannot be seen (not an
    SQLite file): the caller then asks FTS5 directly."""
    generation = commit_generation(store)
    if generation is None:
        return None
    with _stores_lock:
        current = _stores.get(store.url)
        if current is None or current.generation != generation:
            current = CardPostings(store, generation)
            _stores[store.url] = current
            while len(_stores) > 8:
                _stores.popitem(last=False)
        _stores.move_to_end(store.url)
        return current


def preload(store: Store, share: float = PRELOAD_SHARE, limit: int = PRELOAD_WORDS) -> int:
    """Read the postings of the words in at least `share` of the cards (FTS5's vocabulary,
    stop words left out as searches leave them out); how many were read."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    postings = card_postings(store)
    path = store.engine.url.database
    if postings is None or not path:
        return 0
    conn = sqlite3.connect(path, timeout=30)  # its own: the vocabulary table is temporary
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.cards_vocab USING fts5vocab(main, cards_fts, row)")
        cards = conn.execute("SELECT count(*) FROM cards_fts").fetchone()[0]
        rows = conn.execute(
            "SELECT term FROM temp.cards_vocab WHERE doc >= ? ORDER BY doc DESC, term",
            (max(2, int(share * cards)),),
        ).fetchall()
        words = [r[0] for r in rows if r[0] not in ENGLISH_STOP_WORDS][:limit]
        cursor = conn.cursor()
        for word in words:
            postings._phrase(cursor, '"' + word.replace('"', "") + '"')
    finally:
        conn.close()
    return len(words)
