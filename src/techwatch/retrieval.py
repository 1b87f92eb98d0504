"""Hybrid retrieval over cards or card items: FTS5 BM25 and vector cosine, fused by RRF.

Why both: BM25 finds the exact names (a company, "sodium-ion"), vectors find the same
subject in other words; reciprocal rank fusion (Cormack et al., 2009) combines the two
rankings without calibrating their scores: score = sum over rankings of 1 / (k + rank),
with k = 60. Every hit carries its components (ranks, BM25, cosine) so a score is explained.

Filters (period on the article's date, category, type, source, origin issue, item kinds)
apply to both rankings before fusion, so a filter never empties the list by cutting the
top of one ranking. The lexical ranking needs SQLite FTS5; on another database the
vector ranking alone is used.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import or_, select

from techwatch.embed import Embedder
from techwatch.postings import card_postings
from techwatch.store import schema as t
from techwatch.store.store import Store
from techwatch.vectors import ITEM_KINDS, Scope, VectorSet, ensure_vectors

RRF_K = 60
CANDIDATES = 100  # from each ranking, before fusion
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_TERM = re.compile(r"[\w][\w'-]*", re.UNICODE)


@dataclass(frozen=True)
class SearchFilters:
    """What to keep. Dates are YYYY, YYYY-MM or YYYY-MM-DD, inclusive at both ends, on the
    article's date (its newsletter issue's date, else its published date)."""

    since: str | None = None
    until: str | None = None
    category: str | None = None
    type: str | None = None
    source: int | str | None = None  # a source id or its location/title (with its children)
    issue: str | None = None  # the origin issue: its URL or its date
    kinds: tuple[str, ...] | None = None  # items only: signal, concern, behavior, ...

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not _DATE.match(value):
                raise ValueError(f"{name} must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
        if self.kinds:
            unknown = set(self.kinds) - set(ITEM_KINDS)
            if unknown:
                raise ValueError(f"unknown item kinds {sorted(unknown)}; choose from {ITEM_KINDS}")


@dataclass
class Hit:
    """One result with the parts of its score."""

    card_id: str
    score: float  # the fused RRF score
    title: str = ""
    url: str = ""
    date: str = ""
    bm25_rank: int | None = None  # 1-based rank in the lexical ranking, None if absent
    vector_rank: int | None = None  # 1-based rank in the vector ranking, None if absent
    cosine: float | None = None  # cosine of the query and this row (None: no query vector)
    bm25: float | None = None  # BM25 score (higher is better)
    item_id: int | None = None
    item_key: str | None = None
    item_kind: str | None = None
    item_name: str | None = None
    components: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready), for `--json` and the web API."""
        return asdict(self)


def rrf(rankings: list[list[int]], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion: each row scores sum(1 / (k + rank)), rank 1-based per list."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + 1.0 / (k + rank)
    return scores


def search(
    store: Store,
    embedder: Embedder,
    query: str,
    *,
    scope: Scope = "cards",
    filters: SearchFilters | None = None,
    k: int = 20,
    candidates: int = CANDIDATES,
) -> list[Hit]:
    """The k best cards (or items) for a query, best first."""
    if k < 1:
        raise ValueError("k must be at least 1")
    filters = filters or SearchFilters()
    query = query.strip()
    if not query:
        return []
    vset = ensure_vectors(store, embedder, scope, kinds=filters.kinds)
    if not len(vset):
        return []
    mask = filter_mask(store, vset, filters)
    if not mask.any():
        return []
    depth = max(candidates, k)
    sims = _cosines(embedder, vset, query)
    vector_ranking = _vector_ranking(sims, mask, depth) if sims is not None else []
    lexical, bm25 = _lexical_ranking(store, vset, query, mask, depth, enough=k)
    fused = rrf([vector_ranking, lexical])
    order = sorted(
        fused,
        key=lambda row: (-fused[row], -(sims[row] if sims is not None else 0.0), vset.ids[row]),
    )[:k]
    vrank = {row: i for i, row in enumerate(vector_ranking, start=1)}
    lrank = {row: i for i, row in enumerate(lexical, start=1)}
    hits = [
        _hit(vset, row, fused[row], vrank.get(row), lrank.get(row), sims, bm25.get(row))
        for row in order
    ]
    _add_headers(store, hits)
    return hits


def _hit(
    vset: VectorSet,
    row: int,
    score: float,
    vector_rank: int | None,
    bm25_rank: int | None,
    sims: np.ndarray | None,
    bm25: float | None,
) -> Hit:
    hit = Hit(
        card_id=vset.card_ids[row],
        score=score,
        date=str(vset.dates[row]),
        title=vset.names[row] if vset.scope == "cards" else "",
        bm25_rank=bm25_rank,
        vector_rank=vector_rank,
        cosine=float(sims[row]) if sims is not None else None,
        bm25=bm25,
        components={
            "vector": 1.0 / (RRF_K + vector_rank) if vector_rank else 0.0,
            "bm25": 1.0 / (RRF_K + bm25_rank) if bm25_rank else 0.0,
        },
    )
    if vset.scope == "items":
        hit.item_id = vset.item_ids[row]
        hit.item_key = vset.ids[row]
        hit.item_kind = vset.kinds[row]
        hit.item_name = vset.names[row]
    return hit


def _add_headers(store: Store, hits: list[Hit]) -> None:
    """Titles and URLs of the hits' articles, in one query."""
    ids = list({h.card_id for h in hits})
    if not ids:
        return
    # Only the card's title, extracted by the database: parsing each hit's whole card JSON
    # was a tenth of a search's CPU. Card hits carry their title already (the vector set's
    # names): then only the URLs are read (extracting 60 titles was 1-2 ms a search).
    if all(h.title and h.item_id is None for h in hits):
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(t.articles.c.id, t.articles.c.url).where(t.articles.c.id.in_(ids))
            ).all()
        urls = {r[0]: r[1] for r in rows}
        for hit in hits:
            if hit.card_id in urls:
                hit.url = urls[hit.card_id]
        return
    card_title = t.cards.c.card["title"].as_string().label("card_title")
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(t.articles.c.id, t.articles.c.url, t.articles.c.title, card_title)
            .join(t.cards, t.cards.c.article_id == t.articles.c.id)
            .where(t.articles.c.id.in_(ids))
        )
        headers = {r.id: r for r in rows}
    for hit in hits:
        row = headers.get(hit.card_id)
        if row is None:
            continue
        hit.url = row.url
        hit.title = hit.title or row.card_title or row.title or ""
        if hit.item_id is not None:
            hit.title = row.card_title or row.title or ""


# -- the two rankings ---------------------------------------------------------------------


def _cosines(embedder: Embedder, vset: VectorSet, query: str) -> np.ndarray | None:
    """Cosine of the query with every row; None when the query has no vector (no known term)."""
    vector = np.asarray(embedder.embed([query]), dtype=np.float32)[0]
    if not np.any(vector):
        return None
    return vset.matrix @ vector


def _vector_ranking(sims: np.ndarray, mask: np.ndarray, depth: int) -> list[int]:
    """The `depth` best rows by cosine among those kept; a cosine of 0 or less (nothing in
    common) is no candidate, so a query about nothing in the corpus can find nothing."""
    allowed = np.flatnonzero(mask & (sims > 0.0))
    if len(allowed) > depth:
        part = np.argpartition(-sims[allowed], depth - 1)[:depth]
        top = allowed[part]
    else:
        top = allowed
    return [int(i) for i in top[np.argsort(-sims[top], kind="stable")]]


def lexical_query(query: str, operator: str = "OR") -> str:
    """An FTS5 query of the query's words (stop words dropped), each quoted, joined by
    `operator` (OR, or AND for "every word")."""
    return f" {operator} ".join(lexical_phrases(query))


def lexical_phrases(query: str) -> list[str]:
    """The quoted FTS5 phrases of `lexical_query`, in its order."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    terms = [w.lower() for w in _TERM.findall(query)]
    kept = [w for w in dict.fromkeys(terms) if w not in ENGLISH_STOP_WORDS] or terms
    return ['"' + w.replace('"', "") + '"' for w in kept]


def _lexical_ranking(
    store: Store, vset: VectorSet, query: str, mask: np.ndarray, depth: int, enough: int
) -> tuple[list[int], dict[int, float]]:
    """Rows ranked by BM25 among those the mask keeps, with their BM25 scores.

    Rows with every word of the query first: when at least `enough` of them pass the
    filters, they are the lexical ranking (precise, and cheap: few rows match every word);
    otherwise rows with any of the words (the vector ranking covers the rest of the recall).
    """
    if store.dialect != "sqlite":
        return [], {}
    every, anyof = lexical_query(query, "AND"), lexical_query(query, "OR")
    if not anyof:
        return [], {}
    postings = card_postings(store) if vset.scope == "cards" else None
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        phrases = lexical_phrases(query)
        if postings is not None and postings.ready(cursor, phrases):
            # The same ranking as below, from the phrases' postings kept in memory.
            position = vset.index()
            ranking, scores = postings.ranking(cursor, phrases, True, position, mask, depth)
            if len(ranking) < enough and len(phrases) > 1:
                ranking, scores = postings.ranking(cursor, phrases, False, position, mask, depth)
            return ranking, scores
        ranking, scores = _bm25(cursor, vset, every, mask, depth)
        if len(ranking) < enough and anyof != every:
            ranking, scores = _bm25(cursor, vset, anyof, mask, depth)
    finally:
        raw.close()
    return ranking, scores


def _bm25(
    cursor: Any, vset: VectorSet, fts: str, mask: np.ndarray, depth: int
) -> tuple[list[int], dict[int, float]]:
    """One FTS5 query: the `depth` best rows the mask keeps.

    SQLite keeps a top-N (LIMIT) sized by the filters' selectivity; if the filters drop too
    many of those, a second pass reads every match once. Items are joined to `card_items`
    to keep only the set's kinds inside SQLite (keywords and themes share the table).
    """
    if vset.scope == "cards":
        position = vset.index()
        sql = "SELECT article_id, bm25(cards_fts) FROM cards_fts WHERE cards_fts MATCH ?"
        params: tuple[Any, ...] = (fts,)
    else:
        position = vset.item_index()
        kinds = sorted(set(vset.kinds))
        sql = (
            "SELECT f.rowid, bm25(card_items_fts) FROM card_items_fts f "
            "JOIN card_items ci ON ci.id = f.rowid "
            f"WHERE card_items_fts MATCH ? AND ci.kind IN ({', '.join('?' * len(kinds))})"
        )
        params = (fts, *kinds)
    kept = int(mask.sum())
    limit = depth if kept == len(mask) else int(depth * 3 * len(mask) / max(kept, 1))
    matches = cursor.execute(sql + " ORDER BY 2 LIMIT ?", (*params, limit)).fetchall()
    ranking, scores = _keep(matches, position, mask, depth)
    if len(ranking) < depth and len(matches) == limit:
        everything = cursor.execute(sql, params).fetchall()
        everything.sort(key=lambda m: m[1])
        ranking, scores = _keep(everything, position, mask, depth)
    return ranking, scores


def _keep(
    matches: list[tuple[Any, float]], position: dict[Any, int], mask: np.ndarray, depth: int
) -> tuple[list[int], dict[int, float]]:
    """The first `depth` matches the mask keeps, as rows, with BM25 made positive."""
    ranking: list[int] = []
    scores: dict[int, float] = {}
    for key, score in matches:
        row = position.get(key)
        if row is None or not mask[row] or row in scores:
            continue
        ranking.append(row)
        scores[row] = -float(score)  # SQLite's bm25() is negative: lower is better
        if len(ranking) >= depth:
            break
    return ranking, scores


# -- filters ------------------------------------------------------------------------------


def filter_mask(store: Store, vset: VectorSet, filters: SearchFilters) -> np.ndarray:
    """Which rows of the set the filters keep."""
    mask = np.ones(len(vset), dtype=bool)
    if filters.since or filters.until:
        dated = vset.dates != ""
        mask &= dated
        if filters.since:
            mask &= vset.dates >= filters.since
        if filters.until:
            mask &= vset.dates <= _end_of(filters.until)
    if filters.category:
        mask &= vset.categories == filters.category.lower()
    if filters.type:
        mask &= vset.types == filters.type.lower()
    if filters.source is not None:
        mask &= np.isin(vset.source_ids, sorted(source_ids(store, filters.source)))
    if filters.issue:
        mask &= (vset.issues == filters.issue) | (vset.issue_dates == filters.issue)
    return mask


def _end_of(period: str) -> str:
    """The last day a period prefix covers, as a string that compares right."""
    return {4: period + "-12-31", 7: period + "-31"}.get(len(period), period)


def source_ids(store: Store, source: int | str) -> set[int]:
    """A source (by id, location or title) and every source found through it."""
    with store.engine.connect() as conn:
        if isinstance(source, int) or (isinstance(source, str) and source.isdigit()):
            roots = {int(source)}
        else:
            rows = conn.execute(
                select(t.sources.c.id).where(
                    or_(t.sources.c.location == source, t.sources.c.title == source)
                )
            )
            roots = {r.id for r in rows}
        if not roots:
            raise ValueError(f"no source {source!r} (give its id, location or title)")
        found = set(roots)
        frontier = set(roots)
        while frontier:
            rows = conn.execute(
                select(t.sources.c.id).where(t.sources.c.parent_id.in_(sorted(frontier)))
            )
            frontier = {r.id for r in rows} - found
            found |= frontier
    return found


def related(
    store: Store,
    embedder: Embedder,
    card_id: str,
    *,
    k: int = 5,
    filters: SearchFilters | None = None,
) -> list[Hit]:
    """The cards closest in meaning to one card, never the card itself (score = cosine)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    vset = ensure_vectors(store, embedder, "cards")
    row = vset.index().get(card_id)
    if row is None:
        raise ValueError(f"no ok card {card_id!r}")
    mask = filter_mask(store, vset, filters or SearchFilters())
    mask[row] = False
    if not mask.any() or not np.any(vset.matrix[row]):
        return []
    sims = vset.matrix @ vset.matrix[row]
    ranking = _vector_ranking(sims, mask, k)
    hits = [
        _hit(vset, r, float(sims[r]), rank, None, sims, None)
        for rank, r in enumerate(ranking, start=1)
    ]
    _add_headers(store, hits)
    return hits
