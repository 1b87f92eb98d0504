"""What the site and the app read, in one place: a thin adapter over `Workspace`.

Pages never query the store themselves; they call `WebData`, which turns workspace results
into small view objects. When a Workspace query API grows, only this module changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
import unicodedata
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from techwatch.card import Card
from techwatch.store import schema as t
from techwatch.store.store import fts5_query
from techwatch.web.cache import Generation, GenerationCache

if TYPE_CHECKING:
    from techwatch.workspace import Workspace

RELATED_TERMS = 6  # the rarest shared terms a card page relates by
RELATED_MAX_DF = 500  # a term on more cards than this does not relate cards
MIN_COSINE = 0.2
SEARCH_CACHE = 256  # searches kept, per app
VIEW_CACHE = 12_000  # card views kept between two commits (a few KB each)

__all__ = ["CardView", "Filters", "Issue", "SearchResult", "WebData", "slug"]


def slug(text: str, *, limit: int = 40) -> str:
    """An ASCII file-name-safe slug, with a short hash so different names never collide."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")
    digest = hashlib.md5(text.encode("utf-8")).hexdigest()[:6]
    return f"{base}-{digest}" if base else digest


@dataclass
class CardView:
    """A card with the article fields its pages show."""

    id: str
    card: Card
    url: str = ""
    article_title: str = ""
    origin_date: str = ""
    origin_title: str = ""
    origin_url: str = ""
    published: str = ""
    source_id: int | None = None
    analyzer: str = ""
    updated: str = ""

    @property
    def title(self) -> str:
        return self.card.title or self.article_title or self.url or self.id

    @property
    def date(self) -> str:
        """The day it belongs to: the newsletter issue's date, else the article's."""
        return self.origin_date or self.published or ""

    @property
    def issue_slug(self) -> str:
        return Issue.slug_for(self.origin_date, self.origin_url)


@dataclass
class Issue:
    """A newsletter issue (or any origin page) and the cards that came from it."""

    slug: str
    date: str
    title: str
    url: str
    cards: list[CardView] = field(default_factory=list)
    count: int = 0

    @property
    def size(self) -> int:
        return self.count or len(self.cards)

    @staticmethod
    def slug_for(day: str, url: str) -> str:
        return (day or "undated") + "-" + hashlib.md5((url or "").encode()).hexdigest()[:6]


@dataclass
class Filters:
    """Search filters; empty values mean 'any'."""

    since: str = ""
    until: str = ""
    category: str = ""
    type: str = ""
    source: int | None = None
    trend: str = ""
    state: str = ""

    def active(self) -> bool:
        return any(
            (self.since, self.until, self.category, self.type, self.source, self.trend, self.state)
        )


@dataclass
class SearchResult:
    card: CardView
    snippet: str = ""
    score: float = 0.0


_CARD_COLUMNS = (
    t.cards.c.article_id,
    t.cards.c.card,
    t.cards.c.analyzer,
    t.cards.c.updated_at,
    t.articles.c.url,
    t.articles.c.title.label("article_title"),
    t.articles.c.origin_date,
    t.articles.c.origin_title,
    t.articles.c.origin_url,
    t.articles.c.published,
    t.articles.c.source_id,
)


def _view(row: Any) -> CardView:
    m = row._mapping
    card = m["card"]
    return CardView(
        id=m["article_id"],
        card=Card.model_validate(card if isinstance(card, dict) else {}),
        url=m["url"] or "",
        article_title=m["article_title"] or "",
        origin_date=m["origin_date"] or "",
        origin_title=m["origin_title"] or "",
        origin_url=m["origin_url"] or "",
        published=m["published"] or "",
        source_id=m["source_id"],
        analyzer=m["analyzer"] or "",
        updated=m["updated_at"].isoformat() if m["updated_at"] else "",
    )


class TermIndex:
    """Which cards name each keyword and theme: related cards without a query."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.postings: dict[str, list[str]] = defaultdict(list)
        self.terms: dict[str, list[str]] = defaultdict(list)
        for article_id, name in rows:
            self.postings[name].append(article_id)
            self.terms[article_id].append(name)

    @classmethod
    def read(cls, store: Any) -> TermIndex:
        items = t.card_items
        query = select(items.c.article_id, items.c.name).where(
            items.c.kind.in_(("keyword", "theme"))
        )
        with store.engine.connect() as conn:
            return cls([(r[0], r[1]) for r in conn.execute(query)])

    def related(self, card_id: str, limit: int) -> list[str]:
        """The same answer as the SQL of `WebData._related_sql`, from memory."""
        mine = set(self.terms.get(card_id, ()))
        df = sorted((len(self.postings[n]), n) for n in mine)
        rare = [n for c, n in df if 1 < c <= RELATED_MAX_DF][:RELATED_TERMS]
        shared: Counter[str] = Counter(a for n in rare for a in self.postings[n] if a != card_id)
        return [a for a, _ in sorted(shared.items(), key=lambda x: (-x[1], x[0]))[:limit]]


class WebData:
    """Read access for pages: cards, issues, sources, indexes, search, related cards."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.store = ws.store
        self._warm = threading.Event()
        self._warm_lock = threading.Lock()
        self._cache: OrderedDict[tuple[Any, ...], list[SearchResult]] = OrderedDict()
        self._cache_lock = threading.Lock()
        # Until the next commit: card views by id, and what card pages read (related cards).
        self.generation = Generation(self.store)
        self.views = GenerationCache(self.generation, VIEW_CACHE)
        self.reads = GenerationCache(self.generation, VIEW_CACHE)
        self._index = GenerationCache(self.generation, 1)
        self._index_building = threading.Lock()

    def warm_up(self) -> None:
        """Load what the first card page and the first search need ahead of time: the
        term index (without it a card page's related cards cost SQL, ~8 ms instead of
        microseconds), then the embedder and the vectors, then the postings of the most
        common words (`techwatch.postings.preload`)."""
        with contextlib.suppress(Exception):  # the SQL fallback answers related cards then
            self.build_term_index()
        try:
            self._search("warm up", Filters(), 1, None)
        except Exception:  # a broken embedder shows on the first real search instead
            self._warm.set()

    def _base(self) -> Any:
        return (
            select(*_CARD_COLUMNS)
            .join(t.articles, t.articles.c.id == t.cards.c.article_id)
            .where(t.cards.c.status == "ok")
        )

    def _by_ids(self, ids: list[str]) -> Any:
        """Ok cards by id, looked up by their keys: `status || ''` keeps SQLite from
        scanning the status index instead (12 ms rather than 0.5 ms for 50 of 10,000)."""
        return (
            select(*_CARD_COLUMNS)
            .join(t.articles, t.articles.c.id == t.cards.c.article_id)
            .where(t.cards.c.article_id.in_(ids))
            .where(t.cards.c.status.concat("") == "ok")
        )

    def _run(self, query: Any) -> list[CardView]:
        with self.store.engine.connect() as conn:
            return [_view(r) for r in conn.execute(query)]

    # -- cards -------------------------------------------------------------------

    def cards(self, *, limit: int | None = None, offset: int = 0) -> list[CardView]:
        """Cards, newest issue first."""
        query = self._base().order_by(
            t.articles.c.origin_date.desc(), t.articles.c.published.desc(), t.articles.c.id
        )
        if limit:
            query = query.limit(limit).offset(offset)
        return self._run(query)

    def count_cards(self) -> int:
        with self.store.engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(t.cards).where(t.cards.c.status == "ok")
            ).scalar_one()

    def card(self, card_id: str) -> CardView | None:
        found = self.cards_by_ids([card_id])
        return found[0] if found else None

    def cards_by_ids(self, ids: list[str]) -> list[CardView]:
        """Cards in the order of `ids` (unknown ids skipped); views read since the last
        commit come from memory (parsing a card's JSON is most of the cost)."""
        if not ids:
            return []
        gen, cached = self.views.get_many(list(ids))
        missing = [i for i in dict.fromkeys(ids) if i not in cached]
        if missing:
            read = {c.id: c for c in self._run(self._by_ids(missing))}
            self.views.put_many(gen, read)  # type: ignore[arg-type]
            cached.update(read)
        return [cached[i] for i in ids if i in cached]

    def article_text(self, card_id: str) -> str:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(t.articles.c.text).where(t.articles.c.id == card_id)).first()
        return (row.text or "") if row else ""

    def related(self, card_id: str, limit: int = 6) -> list[CardView]:
        """Cards sharing the most keywords and themes with this one (never itself).

        The rarest terms count first and very common ones are left out, so a card page
        stays fast however large the corpus (a theme on every other card relates little).
        """
        ids = self.reads.get(("related", card_id, limit), lambda: self._related(card_id, limit))
        return [c for c in self.cards_by_ids(ids) if c.id != card_id]

    def _related(self, card_id: str, limit: int) -> list[str]:
        index = self._term_index()
        if index is not None:
            return index.related(card_id, limit)
        return self._related_sql(card_id, limit)

    def _term_index(self) -> TermIndex | None:
        """The keyword and theme postings of the store now, or None while they are being
        read (in the background: a page never waits for it, SQL answers meanwhile)."""
        gen, found = self._index.get_many(["terms"])
        if "terms" in found:
            return found["terms"]
        if self.generation.exact and self._index_building.acquire(blocking=False):

            def build() -> None:
                try:
                    self._index.put_many(gen, {"terms": TermIndex.read(self.store)})
                finally:
                    self._index_building.release()

            threading.Thread(target=build, name="techwatch-term-index", daemon=True).start()
        return None

    def build_term_index(self) -> None:
        """Read the term index now (unless it is current), waiting for a build under way."""
        with self._index_building:
            gen, found = self._index.get_many(["terms"])
            if "terms" not in found and self.generation.exact:
                self._index.put_many(gen, {"terms": TermIndex.read(self.store)})

    def _related_sql(self, card_id: str, limit: int) -> list[str]:
        items = t.card_items
        kinds = items.c.kind.in_(("keyword", "theme"))
        with self.store.engine.connect() as conn:
            mine = [
                r.name
                for r in conn.execute(
                    select(items.c.name).where(and_(items.c.article_id == card_id, kinds))
                )
            ]
            if not mine:
                return []
            df = conn.execute(
                select(items.c.name, func.count())
                .where(and_(kinds, items.c.name.in_(mine)))
                .group_by(items.c.name)
            ).all()
            rare = [n for n, c in sorted(df, key=lambda r: (r[1], r[0])) if 1 < c <= RELATED_MAX_DF]
            if not rare:
                return []
            query = (
                select(items.c.article_id, func.count().label("n"))
                .where(
                    and_(
                        kinds, items.c.name.in_(rare[:RELATED_TERMS]), items.c.article_id != card_id
                    )
                )
                .group_by(items.c.article_id)
                .order_by(func.count().desc(), items.c.article_id)
                .limit(limit)
            )
            return [r.article_id for r in conn.execute(query)]

    def cards_with_item(self, kind: str, name: str) -> list[CardView]:
        """Cards naming a keyword or theme (kind is 'keyword' or 'theme')."""
        ids = select(t.card_items.c.article_id).where(
            and_(t.card_items.c.kind == kind, t.card_items.c.name == name)
        )
        query = (
            self._base()
            .where(t.cards.c.article_id.in_(ids))
            .order_by(t.articles.c.origin_date.desc(), t.articles.c.id)
        )
        return self._run(query)

    def cards_of_source(self, source_id: int, limit: int = 200) -> list[CardView]:
        query = (
            self._base()
            .where(t.articles.c.source_id == source_id)
            .order_by(t.articles.c.origin_date.desc(), t.articles.c.id)
            .limit(limit)
        )
        return self._run(query)

    # -- indexes -----------------------------------------------------------------

    def item_counts(self, kind: str) -> list[tuple[str, int]]:
        """Every keyword (or theme) with its number of cards, most used first."""
        items = t.card_items
        query = (
            select(items.c.name, func.count(func.distinct(items.c.article_id)).label("n"))
            .join(t.cards, t.cards.c.article_id == items.c.article_id)
            .where(and_(items.c.kind == kind, t.cards.c.status == "ok"))
            .group_by(items.c.name)
            .order_by(func.count(func.distinct(items.c.article_id)).desc(), items.c.name)
        )
        with self.store.engine.connect() as conn:
            return [(r.name, r.n) for r in conn.execute(query)]

    def issues(self, cards: list[CardView] | None = None) -> list[Issue]:
        """Cards grouped by the issue they came from, newest first."""
        groups: dict[str, Issue] = {}
        for card in cards if cards is not None else self.cards():
            if not (card.origin_url or card.origin_date):
                continue
            key = card.issue_slug
            issue = groups.get(key)
            if issue is None:
                title = card.origin_title or (
                    f"Issue of {card.origin_date}" if card.origin_date else card.origin_url
                )
                issue = groups[key] = Issue(key, card.origin_date, title, card.origin_url)
            issue.cards.append(card)
        return sorted(groups.values(), key=lambda i: (i.date, i.slug), reverse=True)

    def issue_list(self) -> list[Issue]:
        """Issues with their card counts (no cards loaded), newest first: for the live app."""
        a = t.articles
        query = (
            select(a.c.origin_date, a.c.origin_url, func.max(a.c.origin_title), func.count())
            .join(t.cards, t.cards.c.article_id == a.c.id)
            .where(t.cards.c.status == "ok")
            .where((a.c.origin_url != "") | (a.c.origin_date != ""))
            .group_by(a.c.origin_date, a.c.origin_url)
        )
        out = []
        with self.store.engine.connect() as conn:
            for day, url, title, n in conn.execute(query):
                issue = Issue(Issue.slug_for(day, url), day or "", "", url or "")
                issue.title = title or (f"Issue of {day}" if day else url)
                issue.count = n
                out.append(issue)
        return sorted(out, key=lambda i: (i.date, i.slug), reverse=True)

    def issue(self, key: str) -> Issue | None:
        """One issue and its cards, by slug."""
        found = next((i for i in self.issue_list() if i.slug == key), None)
        if found is None:
            return None
        a = t.articles
        found.cards = self._run(
            self._base()
            .where((a.c.origin_date == found.date) & (a.c.origin_url == found.url))
            .order_by(a.c.published.desc(), a.c.id)
        )
        return found

    # -- sources and health ----------------------------------------------------------

    def sources(self) -> list[dict[str, Any]]:
        """Each source with its articles' counts per status and a health word."""
        return [dict(row) for row in self.reads.get(("sources",), self._sources)]

    def _sources(self) -> list[dict[str, Any]]:
        out = []
        for source in self.ws.sources.list():
            row = source.to_dict()
            row["health"] = _health(row)
            out.append(row)
        return out

    def source(self, source_id: int) -> dict[str, Any] | None:
        found = self.ws.sources.get(source_id)
        if found is None:
            return None
        row = found.to_dict()
        row["health"] = _health(row)
        return row

    def problems(self) -> list[Any]:
        """The latest articles that ended in something other than ok."""
        return list(self.ws.status().errors)

    # -- search ------------------------------------------------------------------

    def corpus_version(self) -> tuple[Any, ...]:
        """Changes whenever a card is added, replaced or curated: the key of cached results."""
        with self.store.engine.connect() as conn:
            cards = conn.execute(
                select(func.count(), func.max(t.cards.c.updated_at)).select_from(t.cards)
            ).one()
            states = conn.execute(
                select(func.count(), func.max(t.signal_states.c.updated_at)).select_from(
                    t.signal_states
                )
            ).one()
        return (*cards, *states)

    def search(
        self,
        query: str,
        filters: Filters | None = None,
        limit: int = 50,
        *,
        trend_cards: set[str] | None = None,
    ) -> list[SearchResult]:
        """Cards for words (hybrid: BM25 and vectors fused, when the workspace has it) and
        filters. `trend_cards` holds the cards of the trend filter (resolved by the caller).

        Results are cached per query and filters until the next commit to the store (a
        repeated query, or an HTMX filter change and back, costs reading the generation)."""
        filters = filters or Filters()
        key = (
            query.strip(),
            tuple(sorted(filters.__dict__.items())),
            limit,
            frozenset(trend_cards) if trend_cards is not None else None,
            self.generation.current() if self.generation.exact else self.corpus_version(),
        )
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return list(self._cache[key])
        results = self._search(query, filters, limit, trend_cards)
        with self._cache_lock:
            self._cache[key] = results
            while len(self._cache) > SEARCH_CACHE:
                self._cache.popitem(last=False)
        return list(results)

    def _search(
        self, query: str, filters: Filters, limit: int, trend_cards: set[str] | None
    ) -> list[SearchResult]:
        query = query.strip()
        if query and callable(getattr(self.ws, "search", None)):
            if not self._warm.is_set():  # the first search loads the embedder: only once
                with self._warm_lock:
                    if not self._warm.is_set():  # not done while this request waited
                        self.ws.search("warm", k=1)
                        if self.generation.exact:  # the costly words, ranked from memory
                            from techwatch.postings import preload

                            with contextlib.suppress(Exception):  # else FTS5 ranks them
                                preload(self.store)
                        self._warm.set()
            hits = self.ws.search(
                query,
                # The post-filters (signal state, trend) need a deeper list to keep `limit`.
                k=limit + 10 if not (filters.state or trend_cards is not None) else 1000,
                since=filters.since or None,
                until=filters.until or None,
                category=filters.category or None,
                type=filters.type or None,
                source=filters.source,
            )
            # Vectors rank every card; keep word matches and close semantic neighbours only.
            scores = {
                h.card_id: h.score
                for h in hits
                if h.bm25_rank is not None or (h.cosine or 0.0) >= MIN_COSINE
            }
            results = [
                SearchResult(c, c.card.summary[:240], scores[c.id])
                for c in self.cards_by_ids(list(scores))
            ]
        elif query:
            results = self._fts(query)
        elif filters.active():
            results = [SearchResult(c) for c in self.cards()]
        else:
            results = []
        states = self._state_cards(filters.state) if filters.state else None
        kept = [
            r
            for r in results
            if _matches(r.card, filters)
            and (states is None or r.card.id in states)
            and (trend_cards is None or r.card.id in trend_cards)
        ]
        return kept[:limit]

    def _fts(self, query: str) -> list[SearchResult]:
        """Full-text search over cards (BM25) when hybrid search is not available."""
        from sqlalchemy import text

        if self.store.dialect != "sqlite":
            rows = self.store.search_cards(query, limit=1000)
            cards = self.cards_by_ids([r["article_id"] for r in rows])
            return [SearchResult(c) for c in cards]
        sql = text(
            "SELECT article_id, snippet(cards_fts, 2, '', '', '…', 14) AS snippet, "
            "bm25(cards_fts) AS score FROM cards_fts WHERE cards_fts MATCH :q "
            "ORDER BY score LIMIT :n"
        )
        with self.store.engine.connect() as conn:
            rows = conn.execute(sql, {"q": fts5_query(query), "n": 1000}).all()
        snippets = {r.article_id: (r.snippet, -float(r.score)) for r in rows}
        cards = self.cards_by_ids([r.article_id for r in rows])
        return [SearchResult(c, *snippets[c.id]) for c in cards]

    def _state_cards(self, state: str) -> set[str]:
        """Cards with at least one signal a person marked `state` (confirmed, dismissed)."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(t.signal_states.c.article_id).where(t.signal_states.c.state == state)
            )
            return {r.article_id for r in rows}

    def categories(self) -> list[str]:
        from techwatch.card import CATEGORIES

        return list(self.ws.settings.analyze.categories or CATEGORIES)

    def types(self) -> list[str]:
        from techwatch.card import TYPES

        return list(self.ws.settings.analyze.types or TYPES)


def _matches(card: CardView, f: Filters) -> bool:
    day = card.date
    if f.since and (not day or day < f.since):
        return False
    if f.until and (not day or day > f.until):
        return False
    if f.category and card.card.category != f.category:
        return False
    if f.type and card.card.type != f.type:
        return False
    return not (f.source is not None and card.source_id != f.source)


def _health(source: dict[str, Any]) -> str:
    """One word for a source: failing, stale, ok or new."""
    counts = source.get("counts") or {}
    bad = sum(v for k, v in counts.items() if k in ("failed", "dead", "blocked"))
    good = sum(v for k, v in counts.items() if k in ("ok", "imported"))
    if source.get("status") in ("failed", "dead", "blocked"):
        return "failing"
    if bad and bad >= good:
        return "failing"
    if not source.get("checked_at"):
        return "new"
    return "ok"


def today() -> str:
    return date.today().isoformat()


def group_by_letter(names: list[tuple[str, int]]) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for name, n in names:
        first = name[:1].upper()
        out[first if first.isalpha() else "#"].append((name, n))
    return dict(sorted(out.items()))
