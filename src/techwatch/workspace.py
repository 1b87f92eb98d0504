"""The Python API of techwatch: what the CLI (and later the web app) call.

A workspace is a folder with `techwatch.toml`, the SQLite store (unless `db` points
elsewhere), the raw-response cache, the log file and the published pages.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from techwatch.config import CONFIG_FILE, Settings, default_config_text, load_settings
from techwatch.export import export_articles, export_cards
from techwatch.fetch.client import Fetcher
from techwatch.progress import NoProgress, Progress, StageReport
from techwatch.sources.detect import KINDS, detect_kind
from techwatch.stages.analyze import run_analyze
from techwatch.stages.context import StageContext
from techwatch.stages.discover import DiscoverReport, discover_source, is_local, local_path
from techwatch.stages.fetch import FetchStage, fetch_settings
from techwatch.stages.importer import import_pages
from techwatch.stages.pages import PagesReport, write_pages
from techwatch.store.db import sqlite_url
from techwatch.store.store import Store

DB_FILE = "techwatch.sqlite"


class WorkspaceError(Exception):
    """A problem with the workspace itself (missing, unreadable): a systemic failure."""


class Workspace:
    """One tech watch: its settings, its store and its stages."""

    def __init__(self, root: Path, settings: Settings, store: Store) -> None:
        self.root = root
        self.settings = settings
        self.store = store
        self.log = _file_logger(root / settings.log_file)

    # -- opening -----------------------------------------------------------------

    @classmethod
    def init(
        cls, root: Path | str, *, db: str | None = None, overrides: dict[str, Any] | None = None
    ) -> Workspace:
        """Create (or reuse) a workspace folder, its settings file and its store."""
        root = Path(root).resolve()
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
        root = Path(root).resolve()
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
            raise WorkspaceError(f"invalid settings in {root / CONFIG_FILE}: {exc}") from exc
        url = settings.db or sqlite_url(root / DB_FILE)
        try:
            store = Store(url)
        except Exception as exc:
            raise WorkspaceError(f"cannot open the store {url!r}: {exc}") from exc
        return cls(root, settings, store)

    def close(self) -> None:
        self.store.close()
        for handler in list(self.log.handlers):
            handler.close()
            self.log.removeHandler(handler)

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
        location = _normalise_location(location)
        return asyncio.run(self._add(location, kind, title, discover))

    async def _add(
        self, location: str, kind: str | None, title: str, discover: bool
    ) -> DiscoverReport:
        async with Fetcher(fetch_settings(self.settings.fetch)) as fetcher:
            if kind is None:
                kind = await _detect(fetcher, location)
            elif kind not in KINDS:
                raise ValueError(f"unknown source kind {kind!r}; choose one of {', '.join(KINDS)}")
            source_id, _ = self.store.add_source(kind, location, title=title)
            source = self.store.get_source(source_id)
            assert source is not None
            if not discover:
                return DiscoverReport(source_id=source_id, kind=kind, status="pending")
            return await discover_source(self.context(), fetcher, source)

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
        """
        run_id = self.store.start_run("fetch")
        stage = FetchStage(self.context(progress))
        try:
            report = asyncio.run(
                stage.run(
                    retry_failed=retry_failed, limit=limit, discover=discover, reextract=reextract
                )
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
        """Make a card for every fetched article that has none (idempotent)."""
        run_id = self.store.start_run("analyze")
        try:
            report = run_analyze(
                self.context(progress),
                backend=backend,
                retry_failed=retry_failed,
                limit=limit,
                replace=replace,
            )
        except BaseException:
            self.store.finish_run(run_id, status="failed", counts={})
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

    def pages(self, out: Path | str | None = None, progress: Progress | None = None) -> PagesReport:
        """Write one page per card and the index (only what changed)."""
        return write_pages(self.context(progress), Path(out) if out else None)

    def import_pages(self, folder: Path | str, progress: Progress | None = None) -> StageReport:
        return import_pages(self.context(progress), Path(folder))

    def run(self, *, progress: Progress | None = None) -> dict[str, Any]:
        """Every stage in order, as cron would run it: fetch, analyze, pages."""
        fetched = self.fetch(progress=progress)
        analyzed = self.analyze(progress=progress)
        written = self.pages(progress=progress)
        return {"fetch": fetched, "analyze": analyzed, "pages": written}

    def export_articles(self, fmt: str, out: TextIO) -> int:
        return export_articles(self.store, fmt, out)

    def export_cards(self, fmt: str, out: TextIO) -> int:
        return export_cards(self.store, fmt, out)

    # -- queries -----------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        return {
            "articles": self.store.status_counts(),
            "sources": self.store.source_counts(),
            "errors": self.store.latest_errors(),
            "cards": self.store.card_status_counts(),
            "card_totals": self.store.card_totals(),
            "runs": self.store.last_runs(),
        }


async def _detect(fetcher: Fetcher, location: str) -> str:
    """Guess a source's kind, from its first bytes when it is a URL."""
    if is_local(location):
        return detect_kind(location)
    result = await fetcher.fetch(location)
    if result.outcome != "ok":
        return detect_kind(location)
    return detect_kind(location, result.content, result.content_type)


def _normalise_location(location: str) -> str:
    """URLs as given; local paths made absolute so a source is the same from any folder."""
    if is_local(location):
        return str(local_path(location).expanduser().resolve())
    return location.strip()


def _file_logger(path: Path) -> logging.Logger:
    """A logger per workspace, writing item-level failures and their reasons to a file."""
    logger = logging.getLogger(f"techwatch.workspace.{path}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not logger.handlers:
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    return logger
