"""Vectors of cards and card items, computed once per text and model, kept in the store.

A vector is keyed by (model id, sha256 of the embedded text): a card saved again with the
same text keeps its vector, a new embedder (or a refitted TF-IDF model) has a new model id
and re-embeds, and two models never mix. `ensure_vectors` embeds only what is missing and
returns a `VectorSet`: the rows of one scope with their ids, kinds, cards, filter fields
and the matrix. The set is cached per process and reused while the cards are unchanged,
so a query does not reread the store.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from techwatch.embed import CorpusFitted, Embedder, EmbedderError
from techwatch.progress import Progress
from techwatch.store import schema as t
from techwatch.store.store import Store, now

Scope = Literal["cards", "items"]
SCOPES: tuple[str, ...] = ("cards", "items")
# The card_items kinds that are items (keywords and themes are rows there too, not items).
ITEM_KINDS: tuple[str, ...] = ("signal", "concern", "behavior", "technology", "issue")
TEXT_VERSION = "1"  # part of every text hash: changing how texts are built re-embeds
BATCH = 256
_CHUNK = 500  # hashes per IN (...) query


@dataclass
class VectorSet:
    """The embedded rows of one scope, aligned: row i of `matrix` is `ids[i]`.

    Cards: `ids` are card (article) ids and `kinds` are "card". Items: `ids` are stable
    keys `<card id>:<kind>:<position>` and `item_ids` the card_items row ids (renumbered
    when a card is saved again). The filter fields (`dates`, `categories`, `types`,
    `source_ids`, `issues`) come from the card and its article.
    """

    scope: str
    model_id: str
    ids: list[str]
    kinds: list[str]
    card_ids: list[str]
    names: list[str]
    text_hashes: list[str]
    matrix: np.ndarray
    item_ids: list[int] = field(default_factory=list)
    dates: np.ndarray = field(default_factory=lambda: np.array([], dtype="U10"))
    categories: np.ndarray = field(default_factory=lambda: np.array([], dtype=str))  # lowercase
    types: np.ndarray = field(default_factory=lambda: np.array([], dtype=str))  # lowercase
    source_ids: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    issues: np.ndarray = field(default_factory=lambda: np.array([], dtype=str))
    issue_dates: np.ndarray = field(default_factory=lambda: np.array([], dtype=str))
    embedded: int = 0  # vectors computed by the call that made this set
    refitted: bool = False  # the corpus-fitted model was (re)fitted by that call
    _index: dict[str, int] | None = field(default=None, repr=False, compare=False)
    _item_index: dict[int, int] | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.ids)

    def index(self) -> dict[str, int]:
        """Row of each id (built once per set)."""
        if self._index is None:
            self._index = {key: i for i, key in enumerate(self.ids)}
        return self._index

    def item_index(self) -> dict[int, int]:
        """Row of each card_items id (items only; built once per set)."""
        if self._item_index is None:
            self._item_index = {item_id: i for i, item_id in enumerate(self.item_ids)}
        return self._item_index


@dataclass
class _Row:
    key: str
    kind: str
    card_id: str
    name: str
    text: str
    item_id: int = 0


def text_hash(text: str) -> str:
    return hashlib.sha256(f"{TEXT_VERSION}\n{text}".encode()).hexdigest()


def card_text(card: dict[str, Any], article_title: str = "") -> str:
    """What a card is about: title, summary, keywords and themes."""
    parts = [
        card.get("title") or article_title,
        card.get("summary") or "",
        "; ".join(card.get("keywords") or []),
        "; ".join(card.get("themes") or []),
    ]
    return "\n".join(p for p in parts if p).strip()


def item_text(name: str, description: str = "", change: str = "") -> str:
    """An item: its name, what it is, and for a signal what changes."""
    text = name.strip()
    if description.strip():
        text += f": {description.strip()}"
    if change.strip():
        text += f" ({change.strip()})"
    return text


# -- loading what to embed ----------------------------------------------------------------


_CARD_FIELDS = ("title", "summary", "keywords", "themes", "category", "type")
_LISTS = ("keywords", "themes")


def _card_meta(store: Store) -> list[dict[str, Any]]:
    """Each ok card's text fields and its article's filter fields.

    On SQLite, json_extract reads only the fields needed (a card's JSON is mostly items):
    on 100,000 cards that is several times faster than decoding every card in Python.
    """
    if store.dialect == "sqlite":
        return _card_meta_sqlite(store)
    query = (
        select(
            t.cards.c.article_id,
            t.cards.c.card,
            t.articles.c.title,
            t.articles.c.origin_date,
            t.articles.c.published,
            t.articles.c.source_id,
            t.articles.c.origin_url,
        )
        .join(t.articles, t.articles.c.id == t.cards.c.article_id)
        .where(t.cards.c.status == "ok")
        .order_by(t.cards.c.article_id)
    )
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def _card_meta_sqlite(store: Store) -> list[dict[str, Any]]:
    import json

    fields = ", ".join(f"json_extract(c.card, '$.{f}')" for f in _CARD_FIELDS)
    sql = (
        f"SELECT c.article_id, {fields}, a.title, a.origin_date, a.published, a.source_id, "
        "a.origin_url FROM cards c JOIN articles a ON a.id = c.article_id "
        "WHERE c.status = 'ok' ORDER BY c.article_id"
    )
    raw = store.engine.raw_connection()
    try:
        rows = raw.cursor().execute(sql).fetchall()
    finally:
        raw.close()
    n = len(_CARD_FIELDS)
    out = []
    for row in rows:
        card = dict(zip(_CARD_FIELDS, row[1 : n + 1], strict=True))
        for name in _LISTS:  # json_extract gives arrays as JSON text
            card[name] = json.loads(card[name]) if card[name] else []
        title, origin_date, published, source_id, origin_url = row[n + 1 :]
        out.append(
            {
                "article_id": row[0],
                "card": card,
                "title": title or "",
                "origin_date": origin_date or "",
                "published": published or "",
                "source_id": source_id,
                "origin_url": origin_url or "",
            }
        )
    return out


def _item_rows(store: Store, kinds: Sequence[str]) -> list[dict[str, Any]]:
    query = (
        select(
            t.card_items.c.id,
            t.card_items.c.article_id,
            t.card_items.c.kind,
            t.card_items.c.position,
            t.card_items.c.name,
            t.card_items.c.description,
            t.card_items.c.change,
        )
        .join(t.cards, t.cards.c.article_id == t.card_items.c.article_id)
        .where(t.cards.c.status == "ok", t.card_items.c.kind.in_(list(kinds)))
        .order_by(t.card_items.c.article_id, t.card_items.c.kind, t.card_items.c.position)
    )
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def _card(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        import json

        return json.loads(value)
    return {}


def _rows(
    store: Store,
    scope: str,
    kinds: Sequence[str],
    metas: list[dict[str, Any]] | None = None,
    *,
    with_meta: bool = True,
) -> tuple[list[_Row], dict[str, dict[str, Any]]]:
    """The rows of a scope with their texts, and (unless not needed) each card's fields."""
    if metas is None and (scope == "cards" or with_meta):
        metas = _card_meta(store)
    by_card = {m["article_id"]: m for m in metas or []}
    if scope == "cards":
        assert metas is not None
        rows = [
            _Row(
                key=m["article_id"],
                kind="card",
                card_id=m["article_id"],
                name=_card(m["card"]).get("title") or m["title"] or "",
                text=card_text(_card(m["card"]), m["title"] or ""),
            )
            for m in metas
        ]
    else:
        rows = [
            _Row(
                key=f"{r['article_id']}:{r['kind']}:{r['position']}",
                kind=r["kind"],
                card_id=r["article_id"],
                name=r["name"],
                text=item_text(r["name"], r["description"] or "", r["change"] or ""),
                item_id=int(r["id"]),
            )
            for r in _item_rows(store, kinds)
        ]
    return [r for r in rows if r.text], by_card


def corpus_texts(store: Store) -> list[str]:
    """Every card and item text: what a corpus-fitted embedder learns from."""
    rows, _ = _rows(store, "cards", ITEM_KINDS)
    items, _ = _rows(store, "items", ITEM_KINDS, with_meta=False)
    return [r.text for r in rows] + [r.text for r in items]


def card_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(t.cards).where(t.cards.c.status == "ok")
            ).scalar_one()
        )


# -- fitting, storing, reading --------------------------------------------------------------


def prepare_embedder(store: Store, embedder: Embedder, *, refit: bool = False) -> bool:
    """Fit a corpus-fitted embedder when it asks for it (or `refit`); drop the old vectors.

    Returns whether the model changed. Other embedders need nothing.
    """
    if not isinstance(embedder, CorpusFitted):
        return False
    size = card_count(store)
    if not (embedder.needs_fit(size) or (refit and size > 0)):
        return False
    old = embedder.model_id
    embedder.fit(corpus_texts(store), corpus_size=size)
    new = embedder.model_id
    if new != old and old.startswith("tfidf-svd-"):
        with store.engine.begin() as conn:
            conn.execute(delete(t.vectors).where(t.vectors.c.model_id == old))
    return new != old


def missing_hashes(store: Store, model_id: str, hashes: Iterable[str]) -> set[str]:
    """Which of these text hashes have no vector under the model (reads no vector bytes)."""
    wanted = list(dict.fromkeys(hashes))
    missing = set(wanted)
    with store.engine.connect() as conn:
        for start in range(0, len(wanted), _CHUNK):
            rows = conn.execute(
                select(t.vectors.c.text_hash).where(
                    t.vectors.c.model_id == model_id,
                    t.vectors.c.text_hash.in_(wanted[start : start + _CHUNK]),
                )
            )
            missing.difference_update(r[0] for r in rows)
    return missing


def stored_vectors(store: Store, model_id: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
    """The stored vectors of these text hashes under one model (missing ones absent)."""
    wanted = list(dict.fromkeys(hashes))
    found: dict[str, np.ndarray] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            rows = conn.execute(
                select(t.vectors.c.text_hash, t.vectors.c.vector).where(
                    t.vectors.c.model_id == model_id, t.vectors.c.text_hash.in_(chunk)
                )
            )
            for text_hash_, blob in rows:
                found[text_hash_] = np.frombuffer(blob, dtype=np.float32)
    return found


def _insert_ignoring_duplicates(store: Store, rows: list[dict[str, Any]]) -> None:
    """Insert vectors; a row another process stored meanwhile is left as it is."""
    if store.dialect in ("sqlite", "postgresql"):
        module = __import__(f"sqlalchemy.dialects.{store.dialect}", fromlist=["insert"])
        with store.engine.begin() as conn:
            conn.execute(module.insert(t.vectors).on_conflict_do_nothing(), rows)
        return
    for row in rows:
        try:
            with store.engine.begin() as conn:
                conn.execute(insert(t.vectors), [row])
        except IntegrityError:
            pass


def _embed_missing(
    store: Store,
    embedder: Embedder,
    texts: dict[str, str],
    progress: Progress | None,
    label: str = "embed",
) -> dict[str, np.ndarray]:
    """Embed these texts (hash -> text) in batches, each committed on its own."""
    out: dict[str, np.ndarray] = {}
    items = list(texts.items())
    if progress:
        progress.start(label, len(items))
    model_id, dim = embedder.model_id, embedder.dim
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        matrix = np.asarray(embedder.embed([text for _, text in batch]), dtype=np.float32)
        if matrix.shape != (len(batch), dim):
            raise EmbedderError(
                f"{model_id} returned shape {matrix.shape} for {len(batch)} texts of size {dim}"
            )
        stamp = now()
        rows = []
        for (hash_, _), vector in zip(batch, matrix, strict=True):
            out[hash_] = vector
            rows.append(
                {
                    "model_id": model_id,
                    "text_hash": hash_,
                    "dim": dim,
                    "vector": vector.astype(np.float32).tobytes(),
                    "created_at": stamp,
                }
            )
        _insert_ignoring_duplicates(store, rows)
        if progress:
            for _ in batch:
                progress.advance("embedded")
    if progress:
        progress.finish()
    return out


# -- the entry point ----------------------------------------------------------------------------

# key -> (data_version, the set, the commit generation it was last checked at)
_cache: dict[tuple[str, str, str, tuple[str, ...]], tuple[tuple[Any, ...], VectorSet, Any]] = {}
_lock = threading.Lock()
_watchers: OrderedDict[str, tuple[sqlite3.Connection, int, int]] = OrderedDict()
_serials = itertools.count()
WATCHERS = 8


def _commit_generation(store: Store) -> tuple[int, int] | None:
    """SQLite's `PRAGMA data_version`, read on a connection of our own that never writes: it
    changes whenever any other connection, of any process, commits. Microseconds, where the
    aggregate of `data_version` costs 1.4 ms on 10,000 cards, paid by every search under
    `_lock`. None where there is no such counter (not an SQLite file). Call under `_lock`."""
    if store.dialect != "sqlite":
        return None
    path = store.engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    try:
        inode = os.stat(path).st_ino  # a file replaced at the same path is another store
    except OSError:
        return None
    watcher = _watchers.get(path)
    if watcher is None or watcher[1] != inode:
        if watcher is not None:
            watcher[0].close()
        conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
        watcher = (conn, inode, next(_serials))
        _watchers[path] = watcher
        while len(_watchers) > WATCHERS:
            _watchers.popitem(last=False)[1][0].close()
    _watchers.move_to_end(path)
    # A value only compares with the same connection's: the watcher's serial goes with it.
    return (watcher[2], watcher[0].execute("PRAGMA data_version").fetchone()[0])


def commit_generation(store: Store) -> tuple[int, int] | None:
    """A value that changes whenever anything commits to the store (None: no such counter,
    not an SQLite file), for caches of what the store holds (`techwatch.postings`)."""
    with _lock:
        return _commit_generation(store)


def data_version(store: Store) -> tuple[Any, ...]:
    """Changes whenever a card is saved, added or removed (cheap: one aggregate query)."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(func.count(), func.max(t.cards.c.updated_at)).where(t.cards.c.status == "ok")
        ).one()
    return (int(row[0]), str(row[1]))


def ensure_vectors(
    store: Store,
    embedder: Embedder,
    scope: Scope = "cards",
    *,
    kinds: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> VectorSet:
    """Every card (or item) of the store with its vector, embedding only what is missing.

    `kinds` narrows items to some kinds (signal, concern, behavior, technology, issue).
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; choose cards or items")
    item_kinds = tuple(sorted(kinds)) if kinds else ITEM_KINDS
    unknown = set(item_kinds) - set(ITEM_KINDS)
    if unknown:
        raise ValueError(f"unknown item kinds {sorted(unknown)}; choose from {ITEM_KINDS}")
    with _lock:
        key = (store.url, scope, embedder.model_id, item_kinds if scope == "items" else ())
        cached = _cache.get(key)
        # Read before the aggregate: a commit in between makes the next call check again.
        generation = _commit_generation(store)
        if cached and generation is not None and cached[2] == generation:
            return replace(cached[1], embedded=0, refitted=False)  # nothing committed since
        version = data_version(store)
        if cached and cached[0] == version:
            _cache[key] = (version, cached[1], generation)
            return replace(cached[1], embedded=0, refitted=False)
        refitted = prepare_embedder(store, embedder)
        rows, by_card = _rows(store, scope, item_kinds)
        model_id = embedder.model_id
        hashes = [text_hash(r.text) for r in rows]
        have = stored_vectors(store, model_id, hashes)
        missing = {h: r.text for h, r in zip(hashes, rows, strict=True) if h not in have}
        if missing:
            have.update(_embed_missing(store, embedder, missing, progress, f"embed {scope}"))
        vset = _assemble(scope, model_id, embedder.dim, rows, hashes, have, by_card)
        vset.embedded = len(missing)
        vset.refitted = refitted
        key = (store.url, scope, model_id, key[3])
        _cache[key] = (version, vset, generation)
        return vset


def _assemble(
    scope: str,
    model_id: str,
    dim: int,
    rows: list[_Row],
    hashes: list[str],
    vectors: dict[str, np.ndarray],
    by_card: dict[str, dict[str, Any]],
) -> VectorSet:
    matrix = np.zeros((len(rows), dim), dtype=np.float32)
    for i, hash_ in enumerate(hashes):
        matrix[i] = vectors[hash_]
    metas = [by_card[r.card_id] for r in rows]
    cards = [_card(m["card"]) for m in metas]
    return VectorSet(
        scope=scope,
        model_id=model_id,
        ids=[r.key for r in rows],
        kinds=[r.kind for r in rows],
        card_ids=[r.card_id for r in rows],
        names=[r.name for r in rows],
        text_hashes=hashes,
        matrix=matrix,
        item_ids=[r.item_id for r in rows] if scope == "items" else [],
        dates=np.array([m["origin_date"] or m["published"] or "" for m in metas], dtype="U10"),
        categories=np.array([(c.get("category") or "").lower() for c in cards], dtype=str),
        types=np.array([(c.get("type") or "").lower() for c in cards], dtype=str),
        source_ids=np.array(
            [m["source_id"] if m["source_id"] is not None else -1 for m in metas], dtype=np.int64
        ),
        issues=np.array([m["origin_url"] or "" for m in metas], dtype=str),
        issue_dates=np.array([m["origin_date"] or "" for m in metas], dtype=str),
    )


def clear_cache() -> None:
    """Forget the cached vector sets (tests; a process that changed the model file)."""
    with _lock:
        _cache.clear()


@dataclass
class EmbedReport:
    """What the embed stage did."""

    model_id: str
    dim: int
    cards: int
    items: int
    embedded_cards: int
    embedded_items: int
    refitted: bool
    elapsed: float


def sync_vectors(
    store: Store,
    embedder: Embedder,
    scope: Scope,
    kinds: Sequence[str] = ITEM_KINDS,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Embed what is missing for one scope without building its matrix: (rows, embedded)."""
    rows, _ = _rows(store, scope, kinds, with_meta=False)
    texts = {text_hash(r.text): r.text for r in rows}
    missing = missing_hashes(store, embedder.model_id, texts)
    if missing:
        todo = {h: texts[h] for h in texts if h in missing}
        _embed_missing(store, embedder, todo, progress, f"embed {scope}")
    return len(rows), len(missing)


def embed_corpus(
    store: Store,
    embedder: Embedder,
    *,
    refit: bool = False,
    progress: Progress | None = None,
) -> EmbedReport:
    """The embed stage: every card and every item gets its vector (only the missing ones).

    Items go one kind at a time, and no matrix is built, so memory stays bounded by the
    largest kind's texts, not by the corpus's vectors.
    """
    import time

    start = time.perf_counter()
    refitted = prepare_embedder(store, embedder, refit=refit)
    cards, embedded_cards = sync_vectors(store, embedder, "cards", progress=progress)
    items = embedded_items = 0
    for kind in ITEM_KINDS:
        n, embedded = sync_vectors(store, embedder, "items", (kind,), progress)
        items += n
        embedded_items += embedded
    return EmbedReport(
        model_id=embedder.model_id,
        dim=embedder.dim,
        cards=cards,
        items=items,
        embedded_cards=embedded_cards,
        embedded_items=embedded_items,
        refitted=refitted,
        elapsed=time.perf_counter() - start,
    )
