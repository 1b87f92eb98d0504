"""The Python API of techwatch: everything the CLI (and the web app, and notebooks) can do.

A workspace is a folder with `techwatch.toml`, the SQLite store (unless `db` points
elsewhere), the raw-response cache, the log file and the published pages.

Results are typed (`techwatch.api_types`, `techwatch.card.Card`), never raw rows. Stages
have async variants (`afetch`, `aadd`, `aanalyze`, ...) for callers inside an event loop;
the sync ones work there too (they run their loop in a worker thread, blocking the caller).
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from pydantic import ValidationError

from techwatch.api_types import (
    Article,
    ArticleProblem,
    ArticleSummary,
    CardTotals,
    PipelineReport,
    RunReport,
    SearchHit,
    Source,
    StatusReport,
    StoredCard,
)
from techwatch.card import Card
from techwatch.config import CONFIG_FILE, Settings, default_config_text, load_settings
from techwatch.export import export_articles, export_cards
from techwatch.fetch.client import Fetcher, FetchResult
from techwatch.lock import RunLock, WorkspaceBusy
from techwatch.progress import NoProgress, Progress, StageReport
from techwatch.publish.card_page import render_card_page
from techwatch.sources.detect import KINDS, detect_kind
from techwatch.sources.files import is_local, local_path
from techwatch.stages.analyze import run_analyze
from techwatch.stages.context import StageContext
from techwatch.stages.discover import DiscoverReport, discover_source
from techwatch.stages.fetch import FetchStage, fetch_settings
from techwatch.stages.importer import import_pages
from techwatch.stages.pages import PagesReport, write_pages
from techwatch.store.db import StoreError, sqlite_url
from techwatch.store.store import HIT_END, HIT_START, Store

if TYPE_CHECKING:  # the web extra is optional: imported only when a web method runs
    from datetime import date

    from techwatch.embed import Embedder
    from techwatch.retrieval import Hit
    from techwatch.trends.analysis import Trend, TrendReport
    from techwatch.trends.curation import Curated
    from techwatch.trends.model import UpdateReport as TrendUpdate
    from techwatch.trends.review import Review
    from techwatch.trends.topic import TopicPage
    from techwatch.vectors import EmbedReport
    from techwatch.web.auth import Users
    from techwatch.web.curation import Curation
    from techwatch.web.site import SiteReport

__all__ = ["Workspace", "WorkspaceBusy", "WorkspaceError"]

DB_FILE = "techwatch.sqlite"
T = TypeVar("T")


class WorkspaceError(Exception):
    """A problem with the workspace itself (missing, unreadable): a systemic failure."""


class Workspace:
    """One tech watch: its settings, its store, its stages and its queries."""

    def __init__(self, root: Path, settings: Settings, store: Store) -> None:
        self.root = root
        self.settings = settings
        self.store = store
        self.log = _workspace_logger(root / settings.log_file)
        self.articles = Articles(self)
        self.cards = Cards(self)
        self.sources = Sources(self)
        self._lock = RunLock(root)

    # -- opening -----------------------------------------------------------------

    @classmethod
    def init(
        cls, root: Path | str, *, db: str | None = None, overrides: dict[str, Any] | None = None
    ) -> Workspace:
        """Create (or reuse) a workspace folder, its settings file and its store."""
        root = Path(root).expanduser().resolve()
        root.mkdir(parents=True, exist_ok=True)
        config = root / CONFIG_FILE
        if not config.exists():
            config.write_text(default_config_text(), encoding="utf-8")
        return cls.open(root, db=db, overrides=overrides)

    @classmethod
    def open(
        cls,
        root: Path | str,
        *,
        db: str | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> Workspace:
        """Open an existing workspace (settings: defaults < toml < environment < overrides)."""
        root = Path(root).expanduser().resolve()
        if not (root / CONFIG_FILE).is_file():
            raise WorkspaceError(
                f"{root} is not a techwatch workspace (no {CONFIG_FILE}): run `techwatch init`"
            )
        merged = dict(overrides or {})
        if db:
            merged["db"] = db
        try:
            settings = load_settings(root, merged)
        except (ValidationError, ValueError) as exc:
            raise WorkspaceError(f"invalid settings: {exc}") from exc
        url = settings.db or sqlite_url(root / DB_FILE)
        try:
            store = Store(url)
        except StoreError as exc:
            raise WorkspaceError(str(exc)) from None
        return cls(root, settings, store)

    def close(self) -> None:
        """Close the store and this workspace's log file (other Workspace objects keep theirs)."""
        self._lock.release()
        self.store.close()
        _close_logger(self.log)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def context(self, progress: Progress | None = None) -> StageContext:
        return StageContext(
            store=self.store,
            settings=self.settings,
            root=self.root,
            log=self.log,
            progress=progress or NoProgress(),
        )

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the workspace's run lock (re-entrant within one call chain).

        Raises `WorkspaceBusy` when another process (or Workspace object) holds it. On
        taking it, runs left `running` by a killed process are marked `interrupted`.
        """
        held = _HELD.get()
        if id(self) in held:
            yield
            return
        self._lock.acquire()
        token = _HELD.set(held | {id(self)})
        try:
            stale = self.store.interrupt_running_runs()
            if stale:
                self.log.warning("%d run(s) left running by a killed process: interrupted", stale)
            yield
        finally:
            _HELD.reset(token)
            self._lock.release()

    # -- sources -----------------------------------------------------------------

    def add(
        self,
        location: str,
        *,
        kind: str | None = None,
        title: str = "",
        discover: bool = True,
    ) -> DiscoverReport:
        """Register a source and read it now (links become pending articles)."""
        return _run_sync(self.aadd(location, kind=kind, title=title, discover=discover))

    async def aadd(
        self,
        location: str,
        *,
        kind: str | None = None,
        title: str = "",
        discover: bool = True,
    ) -> DiscoverReport:
        """`add`, for callers inside an event loop."""
        location = _normalise_location(location)
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown source kind {kind!r}; choose one of {', '.join(KINDS)}")
        async with Fetcher(fetch_settings(self.settings.fetch)) as fetcher:
            first = None
            if kind is None:
                kind, first = await _detect(fetcher, location)
            source_id, _ = self.store.add_source(kind, location, title=title)
            source = self.store.get_source(source_id)
            assert source is not None
            if not discover:
                return DiscoverReport(source_id=source_id, kind=kind, status="pending")
            # Discovery reads the response detection already fetched: one download, not two.
            reader = _Primed(fetcher, location, first) if first is not None else fetcher
            return await discover_source(self.context(), reader, source)  # type: ignore[arg-type]

    # -- stages ------------------------------------------------------------------

    def fetch(
        self,
        *,
        retry_failed: bool = False,
        limit: int | None = None,
        discover: bool = True,
        reextract: bool = False,
        progress: Progress | None = None,
    ) -> StageReport:
        """Refresh sources, then fetch, extract and dedup pending articles.

        `reextract` extracts again, from the raw cache only, every article already fetched.
        `limit=0` fetches nothing (None: no limit).
        """
        return _run_sync(
            self.afetch(
                retry_failed=retry_failed,
                limit=limit,
                discover=discover,
                reextract=reextract,
                progress=progress,
            )
        )

    async def afetch(
        self,
        *,
        retry_failed: bool = False,
        limit: int | None = None,
        discover: bool = True,
        reextract: bool = False,
        progress: Progress | None = None,
    ) -> StageReport:
        """`fetch`, for callers inside an event loop."""
        _check_limit(limit)
        with self.locked():
            run_id = self.store.start_run("fetch")
            stage = FetchStage(self.context(progress))
            if limit == 0:
                self.store.finish_run(run_id, status="ok", counts={})
                return StageReport(stage="fetch")
            try:
                report = await stage.run(
                    retry_failed=retry_failed, limit=limit, discover=discover, reextract=reextract
                )
            except BaseException:
                self.store.finish_run(run_id, status="failed", counts=dict(stage.report.counts))
                raise
            self.store.finish_run(run_id, status="ok", counts=dict(report.counts))
            return report

    def analyze(
        self,
        *,
        backend: str | None = None,
        retry_failed: bool = False,
        limit: int | None = None,
        replace: bool = False,
        progress: Progress | None = None,
    ) -> StageReport:
        """Make a card for every fetched article that has none (idempotent).

        `limit=0` analyses nothing (None: no limit).
        """
        _check_limit(limit)
        with self.locked():
            run_id = self.store.start_run("analyze")
            counting = _CountingProgress(progress or NoProgress())
            if limit == 0:
                self.store.finish_run(run_id, status="ok", counts={})
                return StageReport(stage="analyze")
            try:
                report = run_analyze(
                    self.context(counting),
                    backend=backend,
                    retry_failed=retry_failed,
                    limit=limit,
                    replace=replace,
                )
            except BaseException:
                # What was saved before the failure is kept; so are its counts.
                self.store.finish_run(run_id, status="failed", counts=dict(counting.counts))
                raise
            totals = report.totals
            self.store.finish_run(
                run_id,
                status="ok",
                counts=dict(report.counts),
                prompt_tokens=totals.get("prompt_tokens", 0),
                completion_tokens=totals.get("completion_tokens", 0),
                cost_usd=totals.get("cost_usd", 0.0),
            )
            return report

    async def aanalyze(
        self,
        *,
        backend: str | None = None,
        retry_failed: bool = False,
        limit: int | None = None,
        replace: bool = False,
        progress: Progress | None = None,
    ) -> StageReport:
        """`analyze`, for callers inside an event loop (runs in a worker thread)."""
        return await _in_thread(
            lambda: self.analyze(
                backend=backend,
                retry_failed=retry_failed,
                limit=limit,
                replace=replace,
                progress=progress,
            )
        )

    def pages(self, out: Path | str | None = None, progress: Progress | None = None) -> PagesReport:
        """Write one page per card and the index (only what changed)."""
        with self.locked():
            return write_pages(self.context(progress), Path(out) if out else None)

    async def apages(
        self, out: Path | str | None = None, progress: Progress | None = None
    ) -> PagesReport:
        return await _in_thread(lambda: self.pages(out, progress))

    def import_pages(self, folder: Path | str, progress: Progress | None = None) -> StageReport:
        """Read pages in the reference format (older variants too) into cards; idempotent."""
        folder = Path(folder).expanduser()
        if not folder.is_dir():
            raise ValueError(f"no such folder: {folder}")
        with self.locked():
            return import_pages(self.context(progress), folder)

    async def aimport_pages(
        self, folder: Path | str, progress: Progress | None = None
    ) -> StageReport:
        return await _in_thread(lambda: self.import_pages(folder, progress))

    def run(
        self,
        *,
        progress: Progress | None = None,
        send: str | None = None,
        to: list[str] | None = None,
    ) -> PipelineReport:
        """Every stage in order, as cron would run it: fetch, analyze, embed, trends, pages,
        then a send: `send` (draft or review) to `to`, else the `[send]` settings."""
        plan = self._send_plan(send, to)  # a bad target fails before any stage runs
        with self.locked():
            fetched = self.fetch(progress=progress)
            analyzed = self.analyze(progress=progress)
            embedded = self._embed_in_run(progress)
            trends = self._trends_in_run()  # trends: after embedding, before pages
            written = self.pages(progress=progress)
            sent, send_error = self._send_in_run(plan)
        return PipelineReport(
            fetch=fetched,
            analyze=analyzed,
            pages=written,
            embed=embedded,
            trends=trends,
            sent=sent,
            send_error=send_error,
        )

    async def arun(
        self,
        *,
        progress: Progress | None = None,
        send: str | None = None,
        to: list[str] | None = None,
    ) -> PipelineReport:
        """`run`, for callers inside an event loop."""
        plan = self._send_plan(send, to)
        with self.locked():
            fetched = await self.afetch(progress=progress)
            analyzed = await self.aanalyze(progress=progress)
            embedded = await _in_thread(lambda: self._embed_in_run(progress))
            trends = await _in_thread(self._trends_in_run)
            written = await self.apages(progress=progress)
            sent, send_error = await _in_thread(lambda: self._send_in_run(plan))
        return PipelineReport(
            fetch=fetched,
            analyze=analyzed,
            pages=written,
            embed=embedded,
            trends=trends,
            sent=sent,
            send_error=send_error,
        )

    # -- exports and pages ---------------------------------------------------------

    def export_articles(self, fmt: str, out: TextIO | Path | str) -> int:
        """Every article as jsonl or csv, to an open file or a path (replaced only once the
        export succeeded); returns how many were written."""
        return export_articles(self.store, fmt, out)

    def export_cards(self, fmt: str, out: TextIO | Path | str) -> int:
        """Every ok card as jsonl, csv or md; returns how many were written."""
        return export_cards(self.store, fmt, out)

    def page(self, ref: str) -> str | None:
        """The markdown page of one card (id, id prefix or URL); None if it has no ok card."""
        row = self.cards._row(ref)
        if row is None or row["status"] != "ok" or not row.get("card"):
            return None
        return render_card_page(row)

    # -- queries -----------------------------------------------------------------

    def status(self) -> StatusReport:
        """Counts per status and per source, cards, the latest problems and runs."""
        store = self.store
        return StatusReport(
            articles=store.status_counts(),
            sources=self.sources.list(),
            errors=[ArticleProblem(**e) for e in store.latest_errors()],
            cards=store.card_status_counts(),
            card_totals=CardTotals(**store.card_totals()),
            runs=self.runs(limit=5),
        )

    def runs(self, limit: int | None = 20, stage: str | None = None) -> list[RunReport]:
        """Recorded stage runs, newest first."""
        return [RunReport.from_row(r) for r in self.store.last_runs(limit=limit, stage=stage)]

    # -- web ---------------------------------------------------------------------

    def site(self, out: Path | str | None = None, progress: Progress | None = None) -> SiteReport:
        """Build the static HTML site (default folder: `web.site_out`); only changes written."""
        from techwatch.web.site import build_site

        return build_site(self, out, progress)

    def web_users(self) -> Users:
        """Users, login sessions and API tokens of the web app."""
        from techwatch.web.auth import Users

        return Users(self.store)

    def curation(self) -> Curation:
        """Ratings, signal verdicts, trend names and the watchlist kept from the web app."""
        from techwatch.web.curation import Curation

        return Curation(self.store)

    # -- retrieval ---------------------------------------------------------------

    def embedder(self) -> Embedder:
        """The embedder of the `[embed]` settings, loaded once per Workspace."""
        from techwatch.embed import get_embedder

        if getattr(self, "_embedder", None) is None:
            self._embedder = get_embedder(self.settings, self.root)
        return self._embedder

    def embed(self, *, refit: bool = False, progress: Progress | None = None) -> EmbedReport:
        """Give every card and item a vector for the current model (only the missing ones).

        `refit` fits the TF-IDF model again now (it also refits by itself as the corpus grows).
        """
        from techwatch.vectors import embed_corpus

        with self.locked():
            run_id = self.store.start_run("embed")
            try:
                report = embed_corpus(self.store, self.embedder(), refit=refit, progress=progress)
            except BaseException:
                self.store.finish_run(run_id, status="failed", counts={})
                raise
            self.store.finish_run(
                run_id,
                status="ok",
                counts={"cards": report.embedded_cards, "items": report.embedded_items},
            )
            return report

    async def aembed(self, **options: Any) -> EmbedReport:
        """`embed`, for callers inside an event loop."""
        return await _in_thread(lambda: self.embed(**options))

    def search(
        self,
        query: str,
        *,
        scope: str = "cards",
        k: int = 20,
        since: str | None = None,
        until: str | None = None,
        category: str | None = None,
        type: str | None = None,
        source: int | str | None = None,
        issue: str | None = None,
        kinds: tuple[str, ...] | None = None,
    ) -> list[Hit]:
        """Hybrid search (BM25 and vectors, fused by RRF) over cards or card items."""
        from techwatch.retrieval import SearchFilters, search

        filters = SearchFilters(
            since=since,
            until=until,
            category=category,
            type=type,
            source=source,
            issue=issue,
            kinds=kinds,
        )
        return search(self.store, self.embedder(), query, scope=scope, filters=filters, k=k)

    async def asearch(self, query: str, **options: Any) -> list[Hit]:
        """`search`, for callers inside an event loop."""
        return await _in_thread(lambda: self.search(query, **options))

    def related(self, ref: str, *, k: int = 5, **filters: Any) -> list[Hit]:
        """Cards closest in meaning to one card (id, id prefix or URL), never itself."""
        from techwatch.retrieval import SearchFilters, related

        article = self.store.find_article(ref)
        if article is None:
            raise ValueError(f"no article {ref!r}")
        return related(
            self.store, self.embedder(), article["id"], k=k, filters=SearchFilters(**filters)
        )

    def _embed_in_run(self, progress: Progress | None) -> EmbedReport | None:
        """The embed step of `run`: a failure (an endpoint down) is logged, pages still follow."""
        from techwatch.embed import EmbedderError

        try:
            return self.embed(progress=progress)
        except EmbedderError as exc:
            self.log.error("embed failed: %s", exc)
            return None

    # -- trends ---------------------------------------------------------------------
    # Logic in techwatch.trends (numbers) and techwatch.publish (pages); thin calls here.

    def _trends_in_run(self) -> list[TrendUpdate] | None:
        """The trends step of `run`, after embedding: a failure is logged, pages still follow."""
        from techwatch.embed import EmbedderError

        try:
            return self.update_trends()
        except (EmbedderError, ValueError) as exc:
            self.log.error("trends failed: %s", exc)
            return None

    def update_trends(
        self, *, kinds: tuple[str, ...] | None = None, full: bool = False
    ) -> list[TrendUpdate]:
        """Cluster new items into trends (incremental; `full` reclusters, keeping ids)."""
        from techwatch.trends.service import update_trends

        with self.locked():
            return update_trends(
                self.store,
                self.settings,
                self.root,
                kinds=kinds,
                full=full,
                embedder=self.embedder(),
            )

    def trend_report(
        self,
        kind: str = "signals",
        *,
        period: str | None = None,
        as_of: date | None = None,
        update: bool = True,
    ) -> TrendReport:
        """Every trend of a kind (or keyword) scored by period; `as_of` replays that date."""
        from techwatch.trends.analysis import KINDS
        from techwatch.trends.service import trend_report

        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
        if update and kind != "keywords":
            self.update_trends(kinds=(kind,))
        return trend_report(
            self.store, self.settings, kind, period, as_of, curation=self._curated()
        )

    def _curated(self) -> Curated:
        """The curation kept in the store, as the rankings and reviews weigh it."""
        from techwatch.trends.curation import load_curated

        return load_curated(self.store)

    def trends(
        self, kind: str = "signals", *, period: str | None = None, as_of: date | None = None
    ) -> list[Trend]:
        """The trends of a kind, most articles first, with their states and scores."""
        return self.trend_report(kind, period=period, as_of=as_of).trends

    def topic(self, query: str, *, k: int = 12) -> TopicPage:
        """What the corpus says on a query: digest, signals, items, cards, all cited."""
        from techwatch.trends.topic import build_topic

        return build_topic(self.store, self.embedder(), query, k=k, settings=self.settings)

    def review(self, period: str = "month", date: date | None = None) -> Review:
        """New, rising, fading and strongest trends of the period holding `date`."""
        from techwatch.trends.review import build_review
        from techwatch.trends.service import emergence_params

        self.update_trends(kinds=("signals",))
        return build_review(
            self.store,
            period,
            date,
            params=emergence_params(self.settings),
            curation=self._curated(),
        )

    # -- outputs ---------------------------------------------------------------------
    # Logic in techwatch.ask, techwatch.outputs, techwatch.deliver; thin calls here.

    def ask(
        self,
        question: str,
        *,
        since: str | None = None,
        until: str | None = None,
        category: str | None = None,
        source: int | str | None = None,
        backend: str | None = None,
        on_token: Any = None,
    ) -> Any:
        """An answer from the corpus only, each claim citing its cards (`techwatch.ask.Answer`)."""
        from techwatch.ask import ask
        from techwatch.retrieval import SearchFilters

        filters = SearchFilters(since=since, until=until, category=category, source=source)
        return ask(
            self.store,
            self.embedder(),
            self.settings,
            question,
            filters=filters,
            backend=backend,
            on_token=on_token,
        )

    def deck(
        self,
        *,
        card: str | None = None,
        topic: str | None = None,
        trend: str | None = None,
        review: str | None = None,
        kind: str = "signals",
        date: date | None = None,
        paper: str = "a4",
        out: Path | str | None = None,
        limit: int = 36,
    ) -> Any:
        """Card images, a grid and a printable PDF for one card, topic, trend or review."""
        from techwatch.outputs import decks

        chosen = [x for x in (card, topic, trend, review) if x]
        if len(chosen) != 1:
            raise ValueError("a deck needs exactly one of card, topic, trend or review")
        if card:
            entries, name = decks.items_for_card(self.store, card), f"card-{card[:10]}"
        elif topic:
            entries = decks.items_for_topic(self.store, self.embedder(), topic, limit)
            name = "topic-" + decks.slug(topic)
        elif trend:
            found = [t for t in self.trends(kind) if t.id == trend or t.id.startswith(trend)]
            if len(found) != 1:
                raise LookupError(f"no single {kind} trend has the id {trend!r}")
            entries = decks.items_for_trend(self.store, found[0], limit)
            name = f"trend-{found[0].id}"
        else:
            rev = self.review(review or "month", date)
            entries = decks.items_for_review(self.store, rev, self.trends("signals"), limit)
            name = f"review-{rev.key}"
        folder = Path(out) if out else self.root / "decks" / name
        return decks.build_deck(entries, folder, name=name, paper=paper)

    def card_grid(
        self, card_ids: list[str], path: Path | str, *, kind: str = "signals", limit: int = 12
    ) -> Path | None:
        """A grid PNG of the deck cards of these cards' items (topic and trend pages);
        None when they have no such items (nothing is written then)."""
        from techwatch.outputs import decks

        entries = decks.items_for_cards(self.store, card_ids, (kind,), limit)
        return decks.write_grid(entries, Path(path), limit=limit)

    def story(
        self,
        issue_date: str,
        *,
        regenerate: bool = False,
        backend: str | None = None,
        on_token: Any = None,
    ) -> Any:
        """The stored story of an issue, or a new one from the LLM (`outputs.stories.Story`)."""
        from techwatch.outputs.stories import story_for_issue

        return story_for_issue(
            self.store,
            self.settings,
            issue_date,
            regenerate=regenerate,
            backend=backend,
            on_token=on_token,
        )

    def draft(
        self, *, issue: str | None = None, period: str | None = None, date: date | None = None
    ) -> Any:
        """A newsletter draft of one issue, or of the week/month holding `date`."""
        from techwatch.outputs.drafts import draft_for_issue, draft_for_period

        pages = self.root / self.settings.pages.out
        if issue:
            return draft_for_issue(self.store, issue, pages)
        return draft_for_period(self.store, period or "week", date, pages)

    def send(
        self,
        what: str,
        to: list[str],
        *,
        issue: str | None = None,
        period: str | None = None,
        date: date | None = None,
        webhook_format: str | None = None,
        force: bool = False,
    ) -> list[Any]:
        """Deliver a draft or a review to `mail:`/`webhook:` targets, once per content+target."""
        from techwatch.deliver import deliver, parse_target
        from techwatch.outputs.messages import draft_message, review_message

        fmt = webhook_format or self.settings.send.webhook_format
        targets = [parse_target(spec, fmt) for spec in to]  # all checked before any is sent
        if not targets:
            raise ValueError("no recipient: give --to mail:ADDRESS or --to webhook:URL")
        if what == "draft":
            message = draft_message(self.store, self.draft(issue=issue, period=period, date=date))
        elif what == "review":
            from techwatch.publish.review import render_review

            rev = self.review(period or "week", date)
            message = review_message(f"Review {rev.key}", render_review(rev))
        else:
            raise ValueError(f"unknown thing to send {what!r}: draft or review")
        return deliver(self.store, self.settings, message, targets, force=force)

    def _send_plan(self, what: str | None, to: list[str] | None) -> tuple[str, list[str]] | None:
        """What `run` ends by sending, and to whom (`None`: no send).

        Asked for (`run --send`): checked before any stage runs, so a malformed recipient
        costs nothing. From the `[send]` settings: a bad one is logged at the send step.
        """
        from techwatch.deliver import DeliveryError, parse_target

        if what is None:
            if to:
                raise ValueError("--to needs --send draft|review")
            configured = list(self.settings.send.to)
            return (self.settings.send.what, configured) if configured else None
        if what not in ("draft", "review"):
            raise ValueError(f"unknown thing to send {what!r}: draft or review")
        to = list(to or self.settings.send.to)
        if not to:
            raise ValueError("--send needs a recipient: --to mail:ADDRESS or --to webhook:URL")
        try:
            for spec in to:
                parse_target(spec, self.settings.send.webhook_format)
        except DeliveryError as exc:
            raise ValueError(str(exc)) from exc
        return what, to

    def _send_in_run(self, plan: tuple[str, list[str]] | None) -> tuple[list[Any], str]:
        """The send step of `run` (cron): failures are logged and reported, never raised."""
        if plan is None:
            return [], ""
        what, to = plan
        try:
            results = self.send(what, to)
        except Exception as exc:  # nothing to send this week is not a failed run
            self.log.error("send skipped: %s", exc)
            return [], str(exc)
        for result in results:
            log = self.log.error if result.status == "failed" else self.log.info
            log("send %s to %s: %s %s", what, result.target, result.status, result.error)
        return results, ""


class Articles:
    """`ws.articles`: list, search and get articles."""

    def __init__(self, ws: Workspace) -> None:
        self._store = ws.store

    def list(self, *, status: str | None = None, limit: int | None = None) -> list[ArticleSummary]:
        """Articles, newest issue first (without their text)."""
        _check_limit(limit)
        if limit == 0:
            return []
        rows = self._store.list_articles(status=status, limit=limit, with_text=False)
        return [ArticleSummary.from_row(r) for r in rows]

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over titles and texts, best match first."""
        _check_limit(limit)
        if limit == 0:
            return []
        return [_hit(r, r["id"]) for r in self._store.search_articles(query, limit)]

    def get(self, ref: str) -> Article | None:
        """One article by id, id prefix (6+ characters) or URL, with its text and URLs."""
        row = self._store.find_article(ref)
        if row is None:
            return None
        return Article.from_row(row, self._store.urls_of(row["id"]))


class Cards:
    """`ws.cards`: list, search and get cards (each holds a `Card`)."""

    def __init__(self, ws: Workspace) -> None:
        self._store = ws.store

    def list(self, *, status: str | None = "ok", limit: int | None = None) -> list[StoredCard]:
        """Stored cards with their article's header, newest issue first."""
        _check_limit(limit)
        if limit == 0:
            return []
        return [StoredCard.from_row(r) for r in self._store.list_cards(status=status, limit=limit)]

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over cards (summary, keywords, items)."""
        _check_limit(limit)
        if limit == 0:
            return []
        return [_hit(r, r["article_id"]) for r in self._store.search_cards(query, limit)]

    def get(self, ref: str) -> StoredCard | None:
        """The stored card of an article (id, id prefix or URL), ok or failed."""
        row = self._row(ref)
        return StoredCard.from_row(row) if row else None

    def card(self, ref: str) -> Card | None:
        """Just the `Card` of an article, when its analysis succeeded."""
        stored = self.get(ref)
        return stored.card if stored and stored.status == "ok" else None

    def _row(self, ref: str) -> dict[str, Any] | None:
        article = self._store.find_article(ref)
        card = self._store.get_card(article["id"]) if article else None
        if article is None or card is None:
            return None
        return {
            **card,
            "url": article["url"],
            "article_title": article["title"],
            **{k: article[k] for k in ("origin_url", "origin_title", "origin_date", "published")},
        }


class Sources:
    """`ws.sources`: the sources added (and found through them), with article counts."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    def list(self) -> list[Source]:
        counts = {s["id"]: s["counts"] for s in self._ws.store.source_counts()}
        return [Source.from_row(r, counts.get(r["id"])) for r in self._ws.store.list_sources()]

    def get(self, source_id: int) -> Source | None:
        row = self._ws.store.get_source(source_id)
        if row is None:
            return None
        counts = {s["id"]: s["counts"] for s in self._ws.store.source_counts()}
        return Source.from_row(row, counts.get(source_id))

    def add(self, location: str, **options: Any) -> DiscoverReport:
        """Same as `Workspace.add`."""
        return self._ws.add(location, **options)


# -- helpers ----------------------------------------------------------------------

_HELD: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "techwatch_held_locks", default=frozenset()
)


def _run_sync(coro: Awaitable[T]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop
    (a notebook, a web handler): then in a worker thread with its own loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)  # type: ignore[arg-type]
    context = contextvars.copy_context()
    with ThreadPoolExecutor(1, thread_name_prefix="techwatch-sync") as pool:
        return pool.submit(context.run, asyncio.run, coro).result()


async def _in_thread(call: Callable[[], T]) -> T:
    """Run blocking work off the event loop, keeping the caller's context (its locks)."""
    return await asyncio.to_thread(call)


class _CountingProgress:
    """Forwards progress and keeps the counts, so a failed run still records what it did."""

    def __init__(self, inner: Progress) -> None:
        self.inner = inner
        self.counts: dict[str, int] = {}

    def start(self, stage: str, total: int) -> None:
        self.inner.start(stage, total)

    def advance(self, status: str, **info: Any) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1
        self.inner.advance(status, **info)

    def revise(self, old: str, new: str) -> None:
        self.counts[old] = self.counts.get(old, 0) - 1
        self.counts[new] = self.counts.get(new, 0) + 1
        revise = getattr(self.inner, "revise", None)  # listeners written before it
        if revise is not None:
            revise(old, new)

    def finish(self) -> None:
        self.inner.finish()


def _check_limit(limit: int | None) -> None:
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}")


def _hit(row: dict[str, Any], item_id: str) -> SearchHit:
    snippet, matches = split_snippet(row.get("snippet") or "")
    return SearchHit(
        id=item_id,
        url=row.get("url") or "",
        title=row.get("title") or "",
        status=row.get("status") or "",
        origin_date=row.get("origin_date") or "",
        snippet=snippet,
        matches=matches,
    )


def split_snippet(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """A store snippet (matches between HIT_START and HIT_END) as plain text and offsets."""
    out: list[str] = []
    matches: list[tuple[int, int]] = []
    length, start = 0, None
    for part in _split_markers(marked):
        if part == HIT_START:
            start = length
        elif part == HIT_END:
            if start is not None and length > start:
                matches.append((start, length))
            start = None
        else:
            out.append(part)
            length += len(part)
    return "".join(out), matches


def _split_markers(text: str) -> Iterator[str]:
    buf = []
    for ch in text:
        if ch in (HIT_START, HIT_END):
            if buf:
                yield "".join(buf)
                buf = []
            yield ch
        else:
            buf.append(ch)
    if buf:
        yield "".join(buf)


async def _detect(fetcher: Fetcher, location: str) -> tuple[str, FetchResult | None]:
    """Guess a source's kind, from its first bytes when it is a URL; with the response read
    (when it is a usable one), so discovery need not download it again."""
    if is_local(location):
        return detect_kind(location), None
    result = await fetcher.fetch(location)
    if result.outcome != "ok":
        return detect_kind(location), None
    return detect_kind(location, result.content, result.content_type), result


class _Primed:
    """A fetcher that answers its first request for `url` with a response already read."""

    def __init__(self, fetcher: Fetcher, url: str, result: FetchResult) -> None:
        self._fetcher, self._url, self._result = fetcher, url, result

    async def fetch(self, url: str, **options: Any) -> FetchResult:
        if url == self._url and self._result is not None:
            result, self._result = self._result, None
            return result
        return await self._fetcher.fetch(url, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fetcher, name)


def _normalise_location(location: str) -> str:
    """URLs as given; local paths made absolute so a source is the same from any folder.

    An empty location or a local path that does not exist is an error, not a source.
    """
    location = location.strip()
    if not location:
        raise ValueError("empty source location: give a URL, a file or a folder")
    if is_local(location):
        path = local_path(location).expanduser()
        if not path.exists():
            hint = "" if "://" in location else " (a URL starts with http:// or https://)"
            raise ValueError(f"no such file or folder: {path}{hint}")
        return str(path.resolve())
    return location


_LOGGER_IDS = itertools.count(1)


def _workspace_logger(path: Path) -> logging.Logger:
    """A logger of its own per Workspace object, writing item-level failures to the log file.

    Keyed by a counter, not by the path: two Workspace objects on one folder each have their
    own handler, so closing one never silences the other.
    """
    logger = logging.getLogger(f"techwatch.workspace.{next(_LOGGER_IDS)}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    return logger


def _close_logger(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)
    logging.Logger.manager.loggerDict.pop(logger.name, None)
