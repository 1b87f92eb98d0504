"""Reading card items out of the store, with a content-derived key and a date each."""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from techwatch.store import schema as t
from techwatch.store.store import Store
from techwatch.trends.periods import parse_date

# Kinds that cluster into trends; keywords are scored one by one, never clustered.
TREND_KINDS: tuple[str, ...] = ("signals", "technologies", "concerns", "behaviors", "issues")
_SPACES = re.compile(r"\s+")
# card_items names its kinds in the singular ("signal"); older stores used the plural.
ROW_KINDS: dict[str, tuple[str, ...]] = {
    "signals": ("signal", "signals"),
    "technologies": ("technology", "technologies"),
    "concerns": ("concern", "concerns"),
    "behaviors": ("behavior", "behaviors"),
    "issues": ("issue", "issues"),
    "keywords": ("keyword", "keywords"),
}


def normalise_name(name: str) -> str:
    return _SPACES.sub(" ", name).strip().casefold()


def item_key(article_id: str, kind: str, name: str) -> str:
    """Stable across re-analysis and row renumbering: article, kind and normalised name."""
    raw = f"{article_id}\x1f{kind}\x1f{normalise_name(name)}".encode()
    return hashlib.sha1(raw).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class TrendItem:
    key: str
    kind: str
    article_id: str
    name: str
    description: str
    day: date | None  # the card's article date: issue date, else published date

    @property
    def text(self) -> str:
        """What gets embedded: the name, then the description."""
        return f"{self.name}. {self.description}".strip() if self.description else self.name


def card_dates(store: Store) -> dict[str, date | None]:
    """Every ok card's date: the newsletter issue date, else the article's published date."""
    query = (
        select(t.cards.c.article_id, t.articles.c.origin_date, t.articles.c.published)
        .join(t.articles, t.articles.c.id == t.cards.c.article_id)
        .where(t.cards.c.status == "ok")
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return {r.article_id: parse_date(r.origin_date) or parse_date(r.published) for r in rows}


_cache: dict[tuple[str, str], tuple[tuple[object, ...], list[TrendItem]]] = {}
_KEYS: dict[tuple[str, str, str], str] = {}  # item keys already hashed in this process


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects: its full
    passes over a large heap cost more than the work itself (nothing here makes cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def fetch_rows(store: Store, query: Any) -> list[tuple[Any, ...]]:
    """Plain tuples straight from the driver: SQLAlchemy rows cost more than the query
    itself at 100,000 rows. The query's few parameters are constants of this package."""
    sql = str(query.compile(dialect=store.engine.dialect, compile_kwargs={"literal_binds": True}))
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(sql)
        rows = cursor.fetchall()
        cursor.close()
    finally:
        raw.close()
    return [tuple(r) for r in rows]


def load_items(store: Store, kind: str) -> list[TrendItem]:
    """Items of one kind from ok cards, one per (card, normalised name), sorted by key.

    Kept per process while the cards are unchanged (an update then a report read once).
    """
    from techwatch.vectors import data_version

    version = data_version(store)
    cached = _cache.get((store.url, kind))
    if cached and cached[0] == version:
        return list(cached[1])
    items = _read_items(store, kind)
    _cache[(store.url, kind)] = (version, items)
    return list(items)


def _read_items(store: Store, kind: str) -> list[TrendItem]:
    query = (
        select(
            t.card_items.c.article_id,
            t.card_items.c.name,
            t.card_items.c.description,
            t.articles.c.origin_date,
            t.articles.c.published,
        )
        .join(t.cards, t.cards.c.article_id == t.card_items.c.article_id)
        .join(t.articles, t.articles.c.id == t.card_items.c.article_id)
        .where(t.cards.c.status == "ok", t.card_items.c.kind.in_(ROW_KINDS.get(kind, (kind,))))
    )
    items: dict[str, TrendItem] = {}
    with no_gc():
        for article_id, raw_name, description, origin_date, published in fetch_rows(store, query):
            name = (raw_name or "").strip()
            if not name:
                continue
            key = _KEYS.get((article_id, kind, name))
            if key is None:
                if len(_KEYS) > 2_000_000:  # bounded in a long-lived process (web app)
                    _KEYS.clear()
                key = _KEYS[(article_id, kind, name)] = item_key(article_id, kind, name)
            if key in items:
                continue
            day = parse_date(origin_date) or parse_date(published)
            items[key] = TrendItem(key, kind, article_id, name, description or "", day)
    return [items[k] for k in sorted(items)]
