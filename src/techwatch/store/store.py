"""The store: every read and write of techwatch's data goes through here.

Each write is its own short transaction, so a process killed at any moment loses
nothing already committed, and every stage can resume where it stopped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from techwatch.card import ITEM_KINDS, Card
from techwatch.store import schema as t
from techwatch.store.db import StoreError, create_store_engine, mask_secret, mask_url, migrate

# Article statuses. `pending` until fetched; `imported` for cards read from pages.
ARTICLE_STATUSES = (
    "pending",
    "ok",
    "too_short",
    "too_long",
    "not_article",
    "binary",
    "blocked",
    "dead",
    "failed",
    "duplicate",
    "imported",
)
FAILED_STATUSES = ("failed",)
# Around each matched term of a full-text snippet: control characters no text contains, so
# callers split a snippet into plain text and matches without parsing any markup.
HIT_START, HIT_END = "\x02", "\x03"


def now() -> datetime:
    return datetime.now(UTC)


def article_id_for(url: str) -> str:
    """The stable id of an article: md5 of its canonical URL (as the earlier system did)."""
    return hashlib.md5(url.encode("utf-8")).hexdigest()


@dataclass
class NewArticle:
    url: str
    source_id: int | None = None
    origin_kind: str = ""
    origin_url: str = ""
    origin_title: str = ""
    origin_date: str = ""
    link_text: str = ""
    title: str = ""
    author: str = ""
    published: str = ""
    published_from: str = ""


class Store:
    """A techwatch database (SQLite file by default, any SQLAlchemy URL)."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        """Open (and migrate) a store; any failure is a `StoreError` without the password."""
        self.url = url
        self._local = threading.local()  # the open transaction() of each thread, if any
        try:
            self.engine: Engine = create_store_engine(url)
            if create:
                migrate(self.engine)
        except StoreError as exc:
            raise StoreError(mask_secret(str(exc), url)) from None
        except Exception as exc:
            # `from None`: the original message may hold the URL with its password.
            detail = mask_secret(f"{type(exc).__name__}: {exc}", url)
            raise StoreError(f"cannot open the store {mask_url(url)}: {detail}") from None

    def _all(self, query: Any) -> list[dict[str, Any]]:
        """Every row of a query, as dicts."""
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    # -- transactions -------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction for several store calls made on this thread: all or nothing.

        Store methods that take part (the article writes of the fetch stage) run on the
        yielded connection; a nested `transaction()` joins the outer one.
        """
        current = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        with self.engine.begin() as conn:
            self._local.conn = conn
            try:
                yield conn
            finally:
                self._local.conn = None

    @contextlib.contextmanager
    def _begin(self) -> Iterator[Connection]:
        """The open transaction() of this thread, else a short transaction of its own."""
        current = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        with self.engine.begin() as conn:
            yield conn

    @contextlib.contextmanager
    def _connect(self) -> Iterator[Connection]:
        """The open transaction() of this thread (reads see its writes), else a connection."""
        current = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        with self.engine.connect() as conn:
            yield conn

    # -- sources -----------------------------------------------------------------

    def add_source(
        self,
        kind: str,
        location: str,
        *,
        title: str = "",
        parent_id: int | None = None,
        origin_date: str = "",
    ) -> tuple[int, bool]:
        """Register a source; returns (id, created). Adding twice is harmless."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(t.sources.c.id).where(t.sources.c.location == location)
            ).first()
            if row:
                return row.id, False
            try:
                result = conn.execute(
                    insert(t.sources).values(
                        kind=kind,
                        location=location,
                        title=title,
                        parent_id=parent_id,
                        origin_date=origin_date,
                        status="pending",
                        reason="",
                        links_found=0,
                        added_at=now(),
                    )
                )
            except IntegrityError:
                conn.rollback()
                return self.add_source(kind, location, title=title, parent_id=parent_id)
            return result.inserted_primary_key[0], True

    def update_source(self, source_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(t.sources).where(t.sources.c.id == source_id).values(**values))

    def get_source(self, source_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.sources).where(t.sources.c.id == source_id)).first()
        return dict(row._mapping) if row else None

    def list_sources(self, kinds: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        query = select(t.sources).order_by(t.sources.c.id)
        if kinds:
            query = query.where(t.sources.c.kind.in_(kinds))
        return self._all(query)

    # -- articles ----------------------------------------------------------------

    def discover(self, new: NewArticle, *, article_id: str | None = None) -> tuple[str, bool]:
        """Record a discovered canonical URL; returns (article id, created).

        A URL already seen (as any article's URL) maps to that article: one article
        per canonical URL, whatever source found it first. Joins an open `transaction()`.
        """
        with self._begin() as conn:
            row = conn.execute(
                select(t.article_urls.c.article_id).where(t.article_urls.c.url == new.url)
            ).first()
            if row:
                return row.article_id, False
            article_id = article_id or article_id_for(new.url)
            stamp = now()
            values = {k: v for k, v in new.__dict__.items()}
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(t.articles).values(
                            id=article_id,
                            status="pending",
                            reason="",
                            discovered_at=stamp,
                            updated_at=stamp,
                            **values,
                        )
                    )
                    conn.execute(
                        insert(t.article_urls).values(
                            url=new.url, article_id=article_id, first_seen=stamp
                        )
                    )
            except IntegrityError:
                return article_id, False
            return article_id, True

    def known_urls(self, urls: list[str]) -> dict[str, tuple[str, str]]:
        """(article id, origin kind) of each of `urls` already recorded, a few queries in
        all: a feed of 100,000 entries is mostly URLs seen before."""
        found: dict[str, tuple[str, str]] = {}
        with self._connect() as conn:
            for i in range(0, len(urls), 500):
                rows = conn.execute(
                    select(t.article_urls.c.url, t.articles.c.id, t.articles.c.origin_kind)
                    .join(t.articles, t.articles.c.id == t.article_urls.c.article_id)
                    .where(t.article_urls.c.url.in_(urls[i : i + 500]))
                )
                for r in rows:
                    found[r.url] = (r.id, r.origin_kind)
        return found

    def add_url(self, article_id: str, url: str) -> bool:
        """Record another URL seen for an article; False if that URL already belongs to one."""
        with self._begin() as conn:
            exists = conn.execute(
                select(t.article_urls.c.article_id).where(t.article_urls.c.url == url)
            ).first()
            if exists:
                return False
            conn.execute(
                insert(t.article_urls).values(url=url, article_id=article_id, first_seen=now())
            )
            return True

    def move_urls(self, from_id: str, to_id: str) -> None:
        """Give every URL of a duplicate article to the article that is kept."""
        with self._begin() as conn:
            conn.execute(
                update(t.article_urls)
                .where(t.article_urls.c.article_id == from_id)
                .values(article_id=to_id)
            )

    def article_by_url(self, url: str) -> dict[str, Any] | None:
        with self._connect() as conn:
            row = conn.execute(
                select(t.articles)
                .join(t.article_urls, t.article_urls.c.article_id == t.articles.c.id)
                .where(t.article_urls.c.url == url)
            ).first()
        return dict(row._mapping) if row else None

    def urls_of(self, article_id: str) -> list[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.article_urls.c.url)
                .where(t.article_urls.c.article_id == article_id)
                .order_by(t.article_urls.c.first_seen, t.article_urls.c.url)
            )
            return [r.url for r in rows]

    def urls_by_article(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.article_urls.c.article_id, t.article_urls.c.url).order_by(
                    t.article_urls.c.first_seen, t.article_urls.c.url
                )
            )
            for r in rows:
                out.setdefault(r.article_id, []).append(r.url)
        return out

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        with self._connect() as conn:
            row = conn.execute(select(t.articles).where(t.articles.c.id == article_id)).first()
        return dict(row._mapping) if row else None

    def find_article(self, prefix: str) -> dict[str, Any] | None:
        """An article by id, id prefix (at least 6 characters) or URL."""
        found = self.get_article(prefix) or self.article_by_url(prefix)
        if found or len(prefix) < 6 or not re.fullmatch(r"[0-9a-f]+", prefix):
            return found
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.articles).where(t.articles.c.id.like(prefix + "%")).limit(2)
            ).all()
        return dict(rows[0]._mapping) if len(rows) == 1 else None

    def articles_to_fetch(
        self, *, retry_failed: bool = False, limit: int | None = None
    ) -> list[dict[str, Any]]:
        statuses = ["pending"] + (list(FAILED_STATUSES) if retry_failed else [])
        query = (
            select(t.articles)
            .where(t.articles.c.status.in_(statuses))
            .order_by(t.articles.c.discovered_at, t.articles.c.id)
        )
        if limit:
            query = query.limit(limit)
        return self._all(query)

    def articles_to_reextract(self) -> list[dict[str, Any]]:
        """Articles whose response was fetched (and so cached) and then extracted."""
        statuses = ("ok", "too_short", "too_long", "not_article", "binary")
        query = (
            select(t.articles)
            .where(t.articles.c.status.in_(statuses))
            .order_by(t.articles.c.discovered_at, t.articles.c.id)
        )
        return self._all(query)

    def save_article(self, article_id: str, **values: Any) -> None:
        values["updated_at"] = now()
        with self._begin() as conn:
            conn.execute(update(t.articles).where(t.articles.c.id == article_id).values(**values))

    def find_by_hash(self, content_hash: str, exclude: str) -> str | None:
        with self._connect() as conn:
            row = conn.execute(
                select(t.articles.c.id)
                .where(
                    and_(
                        t.articles.c.content_hash == content_hash,
                        t.articles.c.id != exclude,
                        t.articles.c.status != "duplicate",
                    )
                )
                .order_by(t.articles.c.discovered_at)
                .limit(1)
            ).first()
        return row.id if row else None

    def signatures(self) -> Iterator[tuple[str, bytes]]:
        """Near-duplicate signatures of kept articles with text."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.articles.c.id, t.articles.c.signature).where(
                    and_(t.articles.c.signature.is_not(None), t.articles.c.status != "duplicate")
                )
            )
            for r in rows:
                yield r.id, r.signature

    def list_articles(
        self,
        *,
        status: str | None = None,
        limit: int | None = None,
        with_text: bool = True,
    ) -> list[dict[str, Any]]:
        columns = (
            list(t.articles.c)
            if with_text
            else [c for c in t.articles.c if c.name not in ("text", "signature")]
        )
        query = select(*columns).order_by(
            t.articles.c.origin_date.desc(), t.articles.c.published.desc(), t.articles.c.id
        )
        if status:
            query = query.where(t.articles.c.status == status)
        if limit:
            query = query.limit(limit)
        return self._all(query)

    def search_articles(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search over title and text (FTS5 on SQLite, tsvector on PostgreSQL)."""
        if not query.strip():
            return []
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                rows = conn.execute(
                    text(
                        "SELECT a.id, a.url, a.title, a.status, a.origin_date, a.published, "
                        "snippet(articles_fts, 2, char(2), char(3), '…', 12) AS snippet "
                        "FROM articles_fts JOIN articles a ON a.id = articles_fts.article_id "
                        "WHERE articles_fts MATCH :q ORDER BY bm25(articles_fts) LIMIT :n"
                    ),
                    {"q": fts5_query(query), "n": limit},
                )
            elif self.dialect == "postgresql":
                rows = conn.execute(
                    text(
                        "SELECT id, url, title, status, origin_date, published, '' AS snippet "
                        "FROM articles WHERE to_tsvector('simple', coalesce(title,'') || ' ' || "
                        "coalesce(text,'')) @@ plainto_tsquery('simple', :q) LIMIT :n"
                    ),
                    {"q": query, "n": limit},
                )
            else:
                like = f"%{query}%"
                rows = conn.execute(
                    select(
                        t.articles.c.id,
                        t.articles.c.url,
                        t.articles.c.title,
                        t.articles.c.status,
                        t.articles.c.origin_date,
                        t.articles.c.published,
                    )
                    .where(or_(t.articles.c.title.ilike(like), t.articles.c.text.ilike(like)))
                    .limit(limit)
                )
            return [dict(r._mapping) for r in rows]

    def status_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.articles.c.status, func.count()).group_by(t.articles.c.status)
            )
            return {status: count for status, count in rows}

    def source_counts(self) -> list[dict[str, Any]]:
        """Per source: kind, location, and its articles' counts per status."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    t.sources.c.id,
                    t.sources.c.kind,
                    t.sources.c.location,
                    t.sources.c.status,
                    t.sources.c.reason,
                    t.articles.c.status.label("article_status"),
                    func.count(t.articles.c.id).label("n"),
                )
                .select_from(t.sources.outerjoin(t.articles))
                .group_by(t.sources.c.id, t.articles.c.status)
                .order_by(t.sources.c.id)
            )
            out: dict[int, dict[str, Any]] = {}
            for r in rows:
                entry = out.setdefault(
                    r.id,
                    {
                        "id": r.id,
                        "kind": r.kind,
                        "location": r.location,
                        "status": r.status,
                        "reason": r.reason,
                        "counts": {},
                    },
                )
                if r.article_status:
                    entry["counts"][r.article_status] = r.n
            return list(out.values())

    def latest_errors(self, limit: int = 10) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    t.articles.c.id,
                    t.articles.c.url,
                    t.articles.c.status,
                    t.articles.c.reason,
                    t.articles.c.updated_at,
                )
                .where(t.articles.c.status.not_in(("ok", "pending", "imported", "duplicate")))
                .order_by(t.articles.c.updated_at.desc())
                .limit(limit)
            )
            return [dict(r._mapping) for r in rows]

    # -- cards -------------------------------------------------------------------

    def articles_to_analyze(
        self,
        *,
        retry_failed: bool = False,
        limit: int | None = None,
        analyzer: str | None = None,
        model: str | None = None,
    ) -> list[dict[str, Any]]:
        """Articles with text and status ok whose card is missing (or failed, on retry).

        With `analyzer`, also the articles whose card was made by another analyzer; with
        `model` too, those whose card was made by another model or version of it (the
        extractive analyzer's model name carries a hash of its code and word lists).
        """
        card_ok = and_(t.cards.c.status == "ok")
        if analyzer:
            card_ok = and_(card_ok, t.cards.c.analyzer == analyzer)
        if analyzer and model:
            card_ok = and_(card_ok, t.cards.c.model == model)
        done = select(t.cards.c.article_id).where(card_ok)
        if not retry_failed:
            failed = select(t.cards.c.article_id).where(t.cards.c.status == "failed")
            if analyzer:
                failed = failed.where(t.cards.c.analyzer == analyzer)
            done = done.union(failed)
        query = (
            select(t.articles)
            .where(and_(t.articles.c.status == "ok", t.articles.c.id.not_in(done)))
            .order_by(t.articles.c.discovered_at, t.articles.c.id)
        )
        if limit:
            query = query.limit(limit)
        return self._all(query)

    def save_card(
        self,
        article_id: str,
        *,
        status: str,
        reason: str = "",
        card: Card | None = None,
        provenance: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
        keep_existing_ok: bool = True,
    ) -> None:
        """Store a card (or a failed attempt) and its flattened rows, in one transaction.

        A failure never overwrites a good card already stored (`keep_existing_ok`).
        """
        stamp = now()
        prov = dict(provenance or {})
        with self.engine.begin() as conn:
            existing = conn.execute(
                select(t.cards.c.status, t.cards.c.attempts).where(
                    t.cards.c.article_id == article_id
                )
            ).first()
            if existing and existing.status == "ok" and status != "ok" and keep_existing_ok:
                conn.execute(
                    update(t.cards)
                    .where(t.cards.c.article_id == article_id)
                    .values(reason=f"last retry failed: {reason}", updated_at=stamp)
                )
                return
            values = {
                "status": status,
                "reason": reason,
                "card": card.model_dump(mode="json") if card is not None else None,
                "analyzer": prov.get("analyzer", ""),
                "model": prov.get("model", ""),
                "prompt_version": prov.get("prompt_version", ""),
                "prompt_tokens": int(prov.get("prompt_tokens", 0)),
                "completion_tokens": int(prov.get("completion_tokens", 0)),
                "cost_usd": float(prov.get("cost_usd", 0.0)),
                "calls": int(prov.get("calls", 0)),
                "cached": bool(prov.get("cached", False)),
                "ungrounded_dropped": int(prov.get("ungrounded_dropped", 0)),
                "ungrounded_flagged": int(prov.get("ungrounded_flagged", 0)),
                "meta": meta,
                "updated_at": stamp,
            }
            if existing:
                values["attempts"] = existing.attempts + 1
                conn.execute(
                    update(t.cards).where(t.cards.c.article_id == article_id).values(**values)
                )
            else:
                conn.execute(
                    insert(t.cards).values(
                        article_id=article_id, created_at=stamp, attempts=1, **values
                    )
                )
            conn.execute(delete(t.card_items).where(t.card_items.c.article_id == article_id))
            if self.dialect == "sqlite":
                conn.execute(
                    text("DELETE FROM cards_fts WHERE article_id = :id"), {"id": article_id}
                )
            if card is None:
                return
            rows = _card_rows(article_id, card)
            if rows:
                conn.execute(insert(t.card_items), rows)
            if self.dialect == "sqlite":
                conn.execute(
                    text("INSERT INTO cards_fts(article_id, title, body) VALUES (:id, :t, :b)"),
                    {"id": article_id, "t": card.title, "b": _card_body(card)},
                )

    def get_card(self, article_id: str) -> dict[str, Any] | None:
        with self._connect() as conn:
            row = conn.execute(select(t.cards).where(t.cards.c.article_id == article_id)).first()
        return dict(row._mapping) if row else None

    def list_cards(
        self, *, status: str | None = "ok", limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Cards joined with their article's header fields, newest issue first."""
        query = (
            select(
                t.cards,
                t.articles.c.url,
                t.articles.c.title.label("article_title"),
                t.articles.c.origin_url,
                t.articles.c.origin_title,
                t.articles.c.origin_date,
                t.articles.c.published,
            )
            .join(t.articles, t.articles.c.id == t.cards.c.article_id)
            .order_by(t.articles.c.origin_date.desc(), t.articles.c.id)
        )
        if status:
            query = query.where(t.cards.c.status == status)
        if limit:
            query = query.limit(limit)
        return self._all(query)

    def search_cards(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        if not query.strip():
            return []
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                rows = conn.execute(
                    text(
                        "SELECT c.article_id, a.url, cards_fts.title, a.origin_date, "
                        "snippet(cards_fts, 2, char(2), char(3), '…', 12) AS snippet "
                        "FROM cards_fts JOIN cards c ON c.article_id = cards_fts.article_id "
                        "JOIN articles a ON a.id = c.article_id "
                        "WHERE cards_fts MATCH :q ORDER BY bm25(cards_fts) LIMIT :n"
                    ),
                    {"q": fts5_query(query), "n": limit},
                )
            else:
                like = f"%{query}%"
                rows = conn.execute(
                    select(
                        t.card_items.c.article_id,
                        t.articles.c.url,
                        t.articles.c.title,
                        t.articles.c.origin_date,
                    )
                    .distinct()
                    .join(t.articles, t.articles.c.id == t.card_items.c.article_id)
                    .where(
                        or_(
                            t.card_items.c.name.ilike(like),
                            t.card_items.c.description.ilike(like),
                        )
                    )
                    .limit(limit)
                )
            return [dict(r._mapping) for r in rows]

    def card_status_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.cards.c.status, func.count()).group_by(t.cards.c.status))
            return {status: count for status, count in rows}

    def card_totals(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    func.coalesce(func.sum(t.cards.c.prompt_tokens), 0),
                    func.coalesce(func.sum(t.cards.c.completion_tokens), 0),
                    func.coalesce(func.sum(t.cards.c.cost_usd), 0.0),
                    func.coalesce(func.sum(t.cards.c.calls), 0),
                    func.coalesce(func.sum(t.cards.c.ungrounded_dropped), 0),
                    func.coalesce(func.sum(t.cards.c.ungrounded_flagged), 0),
                )
            ).one()
        keys = ("prompt_tokens", "completion_tokens", "cost_usd", "calls", "dropped", "flagged")
        return dict(zip(keys, row, strict=True))

    # -- runs ----------------------------------------------------------------------

    def start_run(self, stage: str) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(t.runs).values(
                    stage=stage,
                    started_at=now(),
                    status="running",
                    prompt_tokens=0,
                    completion_tokens=0,
                    cost_usd=0.0,
                )
            )
            return result.inserted_primary_key[0]

    def finish_run(
        self, run_id: int, *, status: str, counts: dict[str, Any], **totals: Any
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(t.runs)
                .where(t.runs.c.id == run_id)
                .values(finished_at=now(), status=status, counts=counts, **totals)
            )

    def last_runs(self, limit: int | None = 5, stage: str | None = None) -> list[dict[str, Any]]:
        """Recorded runs, newest first."""
        query = select(t.runs).order_by(t.runs.c.id.desc())
        if stage:
            query = query.where(t.runs.c.stage == stage)
        if limit is not None:
            query = query.limit(limit)
        return self._all(query)

    def interrupt_running_runs(self) -> int:
        """Mark runs still `running` as `interrupted`; call only while holding the run lock
        (then no live process owns them: they were left by a process that was killed)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(t.runs)
                .where(t.runs.c.status == "running")
                .values(status="interrupted", finished_at=now())
            )
            return result.rowcount or 0


class DbCache:
    """The ResultCache of analyzers, kept in the store (survives reruns)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, key: str) -> dict[str, Any] | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(t.result_cache.c.value).where(t.result_cache.c.key == key)
            ).first()
        if row is None:
            return None
        value = row.value
        return json.loads(value) if isinstance(value, str) else value

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(delete(t.result_cache).where(t.result_cache.c.key == key))
            conn.execute(insert(t.result_cache).values(key=key, value=value, created_at=now()))


def fts5_query(query: str) -> str:
    """Turn free text into a safe FTS5 query: every word quoted, AND-ed; a trailing * kept."""
    words = re.findall(r"[\w'-]+\*?", query, flags=re.UNICODE)
    parts = []
    for word in words:
        star = word.endswith("*")
        word = word.rstrip("*").replace('"', "")
        if word:
            parts.append(f'"{word}"' + ("*" if star else ""))
    return " ".join(parts) or '""'


ITEM_ROW_KIND = {
    "signals": "signal",
    "concerns": "concern",
    "behaviors": "behavior",
    "technologies": "technology",
    "issues": "issue",
}


def _card_rows(article_id: str, card: Card) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for kind, values in (("keyword", card.keywords), ("theme", card.themes)):
        for position, name in enumerate(values):
            rows.append(_row(article_id, kind, position, name=name))
    for kind in ITEM_KINDS:
        for position, item in enumerate(getattr(card, kind)):
            rows.append(
                _row(
                    article_id,
                    ITEM_ROW_KIND[kind],
                    position,
                    name=item.name,
                    description=item.description,
                    relevancy=item.relevancy,
                    evidence=item.evidence,
                    grounded=item.grounded,
                    change=getattr(item, "change", ""),
                    ten_year=getattr(item, "ten_year", ""),
                    driving_force=getattr(item, "driving_force", ""),
                )
            )
    return rows


def _row(article_id: str, kind: str, position: int, **values: Any) -> dict[str, Any]:
    base = {
        "article_id": article_id,
        "kind": kind,
        "position": position,
        "name": "",
        "description": "",
        "relevancy": None,
        "evidence": "",
        "grounded": None,
        "change": "",
        "ten_year": "",
        "driving_force": "",
    }
    base.update(values)
    return base


def _card_body(card: Card) -> str:
    parts = [card.summary, " ".join(card.keywords), " ".join(card.themes)]
    for items in card.items().values():
        for item in items:
            parts.append(f"{item.name} {item.description}")
            for extra in ("change", "ten_year", "driving_force"):
                parts.append(getattr(item, extra, ""))
    return "\n".join(p for p in parts if p)
