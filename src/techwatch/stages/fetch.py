"""The fetch stage: refresh sources, then fetch, extract and dedup every pending article."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

from techwatch.config import FetchConfig
from techwatch.dedup import NearDuplicateIndex
from techwatch.fetch.cache import RawCache
from techwatch.fetch.client import Fetcher, FetchResult, FetchSettings
from techwatch.fetch.extract import Extracted
from techwatch.fetch.extract_task import extract_and_sign
from techwatch.progress import StageReport
from techwatch.sources.files import FileTooLarge, NotRegularFile, local_path, read_local
from techwatch.sources.urls import canonicalize, url_date
from techwatch.stages.context import StageContext
from techwatch.stages.discover import discover_source
from techwatch.store.store import now
from techwatch.workers import TaskTimedOut, WorkerCrashed, WorkerPool, default_workers, shared_pool

# Sources re-read on every run (they grow: new entries, issues, lines, files); the others,
# newsletter issues and single files or URLs, are read once (until they fail).
REFRESHED_KINDS = ("feed", "archive", "opml", "urllist", "folder")
TEXT_STATUSES = ("ok", "too_short", "too_long")


def fetch_settings(cfg: FetchConfig) -> FetchSettings:
    """The client's knobs from the `[fetch]` settings (one mapping: FetchSettings.from_config)."""
    return FetchSettings.from_config(cfg)


@dataclass
class _Outcome:
    row: dict[str, Any]
    result: FetchResult | None
    extracted: Extracted | None
    signature: bytes | None
    status: str
    reason: str


async def refresh_sources(
    ctx: StageContext, fetcher: Fetcher, *, retry_failed: bool
) -> StageReport:
    """Re-read feeds and archives; read sources never read (or failed, on retry)."""
    report = StageReport(stage="discover")
    done: set[int] = set()  # sources read in this run, directly or through a parent
    for source in ctx.store.list_sources():
        if source["parent_id"] is not None and source["kind"] == "newsletter":
            continue  # an archive's issues are read through their archive
        if source["id"] in done:
            continue  # a feed of an OPML file, read with it
        due = (
            source["kind"] in REFRESHED_KINDS
            or source["status"] == "pending"
            or (retry_failed and source["status"] not in ("ok",))
        )
        if not due:
            continue
        result = await discover_source(ctx, fetcher, source, done=done)
        report.counts[result.status] += 1
        report.totals["new_articles"] = report.totals.get("new_articles", 0) + result.new
    return report


class FetchStage:
    """Fetch + extract + dedup, with bounded concurrency and one transaction per article.

    Extraction runs in worker processes only (see `techwatch.workers`), each page under a
    time limit: a page that hangs or crashes its worker fails alone.
    """

    def __init__(self, ctx: StageContext) -> None:
        self.ctx = ctx
        self.cfg = ctx.settings.fetch
        self.extract_cfg = ctx.settings.extract
        self.cache = RawCache(ctx.raw_cache_dir)
        self.index = NearDuplicateIndex()
        self.report = StageReport(stage="fetch")
        self.saved: set[str] = set()
        self.writer: ThreadPoolExecutor | None = None
        self.extractors: WorkerPool | None = None
        # What a worker runs per page; a module-level function (workers import it by name).
        self.extract_fn: Callable[..., tuple[Extracted, bytes | None]] = extract_and_sign
        self.reextract = False

    async def run(
        self,
        *,
        retry_failed: bool = False,
        limit: int | None = None,
        discover: bool = True,
        reextract: bool = False,
    ) -> StageReport:
        """With `reextract`, extract again from the raw cache what was fetched (new
        settings or a new extractor), without any request; other options are ignored."""
        started = time.perf_counter()
        self.reextract = reextract
        self.extractors = self.extractors or extraction_pool(self.extract_cfg.workers)
        async with Fetcher(fetch_settings(self.cfg)) as fetcher:
            if discover and not reextract:
                found = await refresh_sources(self.ctx, fetcher, retry_failed=retry_failed)
                self.report.totals["sources_read"] = found.processed
                self.report.totals["new_articles"] = found.totals.get("new_articles", 0)
            for article_id, sig in self.ctx.store.signatures():
                self.index.add(article_id, sig)
            if reextract:
                rows = self.ctx.store.articles_to_reextract()
            else:
                rows = self.ctx.store.articles_to_fetch(retry_failed=retry_failed, limit=limit)
            self.ctx.progress.start("fetch", len(rows))
            await self._run_all(fetcher, rows)
        self.ctx.progress.finish()
        self.report.elapsed = time.perf_counter() - started
        return self.report

    async def _run_all(self, fetcher: Fetcher, rows: list[dict[str, Any]]) -> None:
        """Network on the event loop, extraction in worker processes, writes in one thread.

        The worker processes are the process-wide pool, kept between runs.

        One writer thread keeps the loop free while SQLite commits, and makes each
        article's dedup check and write atomic with respect to the others.
        """
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for row in rows:
            queue.put_nowait(row)
        loop = asyncio.get_running_loop()

        async def worker() -> None:
            while True:
                try:
                    row = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                outcome = await self._process(fetcher, row)
                if outcome.status == "skipped":
                    self.report.counts["not cached"] += 1
                    self.ctx.progress.advance("not cached")
                    continue
                started = time.perf_counter()
                await loop.run_in_executor(self.writer, self._save, outcome)
                self._timed("seconds_save", started)

        workers = max(1, min(self.cfg.concurrency, len(rows)))
        with ThreadPoolExecutor(1, thread_name_prefix="techwatch-writer") as self.writer:
            await asyncio.gather(*(worker() for _ in range(workers)))

    def _timed(self, key: str, started: float) -> None:
        """Add the seconds since `started` to a per-step total (where the time goes)."""
        totals = self.report.totals
        totals[key] = totals.get(key, 0.0) + time.perf_counter() - started

    async def _process(self, fetcher: Fetcher, row: dict[str, Any]) -> _Outcome:
        url = row["url"]
        try:
            started = time.perf_counter()
            result = await self._fetch(fetcher, url)
            self._timed("seconds_fetch", started)
            if result.outcome != "ok":
                return _Outcome(row, result, None, None, result.outcome, result.reason)
            started = time.perf_counter()
            if self.extractors is None:
                self.extractors = extraction_pool(self.extract_cfg.workers)
            try:
                extracted, sig = await self.extractors.run(
                    self.extract_fn,
                    result.content or b"",
                    result.final_url or url,
                    result.content_type,
                    result.charset,
                    self.extract_cfg.min_chars,
                    self.extract_cfg.max_chars,
                    timeout=self.extract_cfg.timeout,
                )
            finally:
                self._timed("seconds_extract", started)
            return _Outcome(row, result, extracted, sig, extracted.status, extracted.reason)
        except (TaskTimedOut, WorkerCrashed) as exc:
            # The worker was killed (time limit) or died (a crash in a C library, memory):
            # this page fails, a new worker takes the next one.
            return _Outcome(row, result, None, None, "failed", f"extraction {exc}")
        except Exception as exc:  # one bad article never stops the run
            return _Outcome(row, None, None, None, "failed", f"{type(exc).__name__}: {exc}")

    async def _fetch(self, fetcher: Fetcher, url: str) -> FetchResult:
        if url.startswith("file://"):
            path = local_path(url)
            try:
                content = await asyncio.to_thread(read_local, path, self.cfg.max_bytes)
            except FileNotFoundError:
                return FetchResult(url=url, final_url=url, outcome="dead", reason="file not found")
            except FileTooLarge as exc:
                return FetchResult(url=url, final_url=url, outcome="too_long", reason=str(exc))
            except NotRegularFile as exc:
                return FetchResult(url=url, final_url=url, outcome="failed", reason=str(exc))
            return FetchResult(
                url=url, final_url=url, status_code=None, content=content, outcome="ok"
            )
        cached = await asyncio.to_thread(self.cache.get, url)  # disk reads off the loop
        if cached is not None:
            return cached
        if self.reextract:  # re-extraction never refetches
            return FetchResult(url=url, final_url=url, outcome="skipped", reason="not cached")
        result = await fetcher.fetch(url)
        if result.outcome == "ok":
            await asyncio.to_thread(self.cache.put, result)
        return result

    def _save(self, outcome: _Outcome) -> None:
        """Write one article's outcome in one transaction (runs in the writer thread).

        What lives in memory (the near-duplicate index, counts, progress) changes only
        once that transaction committed.
        """
        after: list[Callable[[], None]] = []
        with self.ctx.store.transaction():
            values = self._write(outcome, after)
        for step in after:
            step()
        row = outcome.row
        self.saved.add(row["id"])
        if values["status"] not in ("ok", "duplicate"):
            self.ctx.log.warning(
                "article %s %s %s: %s", row["id"], row["url"], values["status"], values["reason"]
            )
        self.report.counts[values["status"]] += 1
        self.ctx.progress.advance(values["status"], url=row["url"])

    def _write(self, outcome: _Outcome, after: list[Callable[[], None]]) -> dict[str, Any]:
        """The store writes of one outcome; returns the article's new values."""
        store, row = self.ctx.store, outcome.row
        article_id = row["id"]
        values: dict[str, Any] = {
            "status": outcome.status,
            "reason": outcome.reason,
            "attempts": row["attempts"] + 1,
            "fetched_at": now(),
        }
        result, extracted = outcome.result, outcome.extracted
        if result is not None:
            values.update(
                http_status=result.status_code,
                content_type=result.content_type or "",
                final_url=result.final_url or "",
                elapsed=result.elapsed or 0.0,
            )
            final = canonicalize(result.final_url) if result.final_url else row["url"]
            if final != row["url"] and final.startswith("http"):
                owner = store.article_by_url(final)
                if owner and owner["id"] != article_id:
                    values.update(status="duplicate", reason=f"redirects to {owner['id']}")
                    values["duplicate_of"] = owner["id"]
                    store.move_urls(article_id, owner["id"])
                    extracted = None
                else:
                    store.add_url(article_id, final)
                    values["url"] = final
        if extracted is not None:
            values.update(_extracted_values(extracted, row))
            if extracted.status in TEXT_STATUSES and extracted.text:
                self._dedup({**row, **values}, extracted, outcome.signature, values, after)
        store.save_article(article_id, **values)
        return values

    def _is_original(self, row: dict[str, Any], twin_id: str) -> bool:
        """Whether `row` predates the stored `twin_id`, which has no card yet."""
        twin = self.ctx.store.get_article(twin_id)
        if twin is None or twin["status"] != "ok" or self.ctx.store.get_card(twin_id):
            return False

        def age(r: dict[str, Any]) -> tuple[str, str]:
            return (r.get("published") or "9999", str(r["discovered_at"]))

        return age(row) < age(twin)

    def _dedup(
        self,
        row: dict[str, Any],
        extracted: Extracted,
        sig: bytes | None,
        values: dict[str, Any],
        after: list[Callable[[], None]],
    ) -> None:
        store = self.ctx.store
        article_id = row["id"]
        twin = store.find_by_hash(extracted.content_hash, exclude=article_id)
        reason = f"same content as {twin}" if twin else ""
        if not twin and sig is not None:
            threshold = self.extract_cfg.near_duplicate_threshold
            matches = [m for m in self.index.query(sig, threshold=threshold) if m[0] != article_id]
            if matches:
                twin, similarity = max(matches, key=lambda m: m[1])
                reason = f"near-duplicate ({similarity:.2f}) of {twin}"
        if twin and self._is_original(row, twin):
            # This one came first (published or discovered earlier): it is kept, and the
            # copy stored a moment ago becomes the duplicate, so the outcome does not
            # depend on which response arrived first.
            store.save_article(
                twin,
                status="duplicate",
                reason=reason.replace(twin, article_id),
                duplicate_of=article_id,
                signature=None,
            )
            store.move_urls(twin, article_id)
            after.append(partial(self.index.remove, twin))
            if twin in self.saved:  # counted as ok earlier in this run
                after.append(partial(self._recount, "ok", "duplicate"))
            twin = None
        if twin:
            values.update(status="duplicate", reason=reason, duplicate_of=twin)
            store.move_urls(article_id, twin)
            return
        if sig is not None:
            values["signature"] = sig
            after.append(partial(self.index.add, article_id, sig))

    def _recount(self, old: str, new: str) -> None:
        """An article counted as `old` earlier in this run is now `new`: summary and bar."""
        self.report.counts[old] -= 1
        self.report.counts[new] += 1
        revise = getattr(self.ctx.progress, "revise", None)  # listeners written before it
        if revise is not None:
            revise(old, new)


def extraction_pool(workers: int = 0) -> WorkerPool:
    """The shared worker pool for extraction, started now (it warms up during discovery)."""
    return shared_pool(
        default_workers(workers), preload=("techwatch.fetch.extract_task", "trafilatura")
    )


def _extracted_values(extracted: Extracted, row: dict[str, Any]) -> dict[str, Any]:
    published, published_from = extracted.published or "", extracted.published_from or ""
    if not published and row.get("published"):
        published, published_from = row["published"], row.get("published_from") or "feed"
    if not published:
        slug = url_date(row["url"])
        if slug:
            published, published_from = slug, "url"
    return {
        "title": extracted.title or row.get("title") or row.get("link_text") or "",
        "author": extracted.author or row.get("author") or "",
        "published": published,
        "published_from": published_from,
        "language": extracted.language or "",
        "text": extracted.text or "",
        "text_chars": len(extracted.text or ""),
        "content_hash": extracted.content_hash or None,
        "kind": extracted.kind or "",
        "encoding": extracted.encoding or "",
    }
