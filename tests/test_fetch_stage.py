"""The fetch stage: extraction in killable workers, one transaction per article, progress.

Real parts only: pages served by a loopback HTTP server, a real SQLite workspace, real
worker processes running trafilatura.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from hostile_server import HostileServer, attribute_bomb, delayed, page
from procs import CRASH_MARKER, children, extract_or_crash
from techwatch.demo.articles import ARTICLES
from techwatch.fetch.extract import extract
from techwatch.stages.fetch import FetchStage
from techwatch.store import schema as t
from techwatch.store.store import NewArticle
from techwatch.workspace import Workspace

LOOPBACK = {
    "fetch": {
        "allowed_networks": ["127.0.0.0/8"],
        "per_host_delay": 0.0,
        "timeout": 5.0,
        "retries": 0,
        "respect_robots": False,
    }
}


def article_html(i: int, extra: str = "") -> str:
    item = ARTICLES[i % len(ARTICLES)]
    paragraphs = "".join(f"<p>{p}</p>" for p in item.paragraphs)
    return (
        f"<html lang='en'><head><title>{item.title} ({i})</title></head><body><article>"
        f"<h1>{item.title} ({i})</h1><p>Copy number {i}.</p>{paragraphs}</article>"
        f"{extra}</body></html>"
    )


def open_ws(tmp_path: Path, **extract: Any) -> Workspace:
    overrides = {**LOOPBACK, "extract": extract} if extract else LOOPBACK
    return Workspace.init(tmp_path / "ws", overrides=overrides)


def discover(ws: Workspace, urls: list[str]) -> list[str]:
    return [ws.store.discover(NewArticle(url=u))[0] for u in urls]


def run_stage(stage: FetchStage, **options: Any) -> Any:
    return asyncio.run(stage.run(discover=False, **options))


# -- a page that keeps lxml busy -----------------------------------------------------------


def test_a_page_that_hangs_the_parser_fails_alone_after_the_time_limit(tmp_path: Path) -> None:
    """A tag with 150,000 attributes keeps lxml busy for long (quadratic); the limit is 3 s."""
    routes = {f"/a/{i}": page(article_html(i)) for i in range(4)}
    routes["/bomb"] = page(attribute_bomb(150_000))
    ws = open_ws(tmp_path, timeout=3.0)
    try:
        with HostileServer(routes) as server:
            ids = discover(ws, [server.url("/bomb")] + [server.url(f"/a/{i}") for i in range(4)])
            report = run_stage(FetchStage(ws.context()))
        bomb = ws.store.get_article(ids[0])
        assert bomb["status"] == "failed"
        assert bomb["reason"] == "extraction timed out after 3 s"
        assert dict(report.counts) == {"ok": 4, "failed": 1}
    finally:
        ws.close()


# -- a crash in a C library ----------------------------------------------------------------


def test_a_crashing_worker_costs_one_article_and_is_replaced(tmp_path: Path) -> None:
    pages = {f"/a/{i}": page(article_html(i)) for i in range(10)}
    pages["/crash"] = page(article_html(99, CRASH_MARKER.decode()))
    ws = open_ws(tmp_path, workers=2)
    try:
        with HostileServer(pages) as server:
            urls = [server.url(f"/a/{i}") for i in range(5)] + [server.url("/crash")]
            urls += [server.url(f"/a/{i}") for i in range(5, 10)]
            ids = discover(ws, urls)
            stage = FetchStage(ws.context())
            stage.extract_fn = extract_or_crash
            report = run_stage(stage)
            crashed = ws.store.get_article(ids[5])
            assert crashed["status"] == "failed"
            assert crashed["reason"] == "extraction worker crashed (signal 11)"
            assert dict(report.counts) == {"ok": 10, "failed": 1}
            # The pool lives on (the dead worker was replaced): the next run extracts.
            server.routes["/later"] = page(article_html(20))
            discover(ws, [server.url("/later")])
            assert dict(run_stage(FetchStage(ws.context())).counts) == {"ok": 1}
    finally:
        ws.close()


def test_a_worker_killed_from_outside_costs_only_its_article(tmp_path: Path) -> None:
    """SIGKILL of the worker busy on a slow page (as the OOM killer would)."""
    routes = {f"/a/{i}": page(article_html(i)) for i in range(6)}
    routes["/slow"] = page(attribute_bomb(150_000))
    ws = open_ws(tmp_path, workers=2, timeout=120.0)
    try:
        with HostileServer(routes) as server:
            ids = discover(ws, [server.url("/slow")] + [server.url(f"/a/{i}") for i in range(6)])
            stage = FetchStage(ws.context())
            killed: list[int] = []

            async def run_and_kill() -> Any:
                before = {pid: _cpu_seconds(pid) for pid in children(os.getpid())}
                task = asyncio.create_task(stage.run(discover=False))
                busy = None
                while busy is None and not task.done():
                    await asyncio.sleep(0.2)
                    busy = _busy_since(before)
                if busy is not None:
                    os.kill(busy, 9)
                    killed.append(busy)
                return await task

            report = asyncio.run(run_and_kill())
        assert killed, "no busy worker found"
        slow = ws.store.get_article(ids[0])
        assert slow["status"] == "failed"
        assert slow["reason"] == "extraction worker crashed (signal 9)"
        assert dict(report.counts) == {"ok": 6, "failed": 1}
    finally:
        ws.close()


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _busy_since(before: dict[int, float]) -> int | None:
    """The child that used over 1.5 s of CPU since `before` (parsing the slow page)."""
    for pid in children(os.getpid()):
        if _cpu_seconds(pid) - before.get(pid, 0.0) > 1.5:
            return pid
    return None


# -- many pages at once, under load --------------------------------------------------------


def test_many_pages_extract_concurrently_under_load_as_they_would_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real pages, eight downloads in flight, two workers, and busy threads in this
    process: every page is extracted exactly as a lone extract() call extracts it, and
    never in this process (trafilatura's shared lxml parser crashes under threads)."""
    import techwatch.fetch.extract_task as task
    import techwatch.stages.fetch as stage_module

    in_this_process: list[str] = []

    def spy(*args: Any, **kw: Any) -> Any:
        in_this_process.append(threading.current_thread().name)
        return extract(*args, **kw)

    for module in (task, stage_module):  # wherever the stage may call extract() from
        monkeypatch.setattr(module, "extract", spy, raising=False)
    count = len(ARTICLES)  # distinct articles (copies would be near-duplicates)
    bodies = {f"/a/{i}": article_html(i).encode() for i in range(count)}
    ws = open_ws(tmp_path, workers=2)
    stop = threading.Event()

    def burn() -> None:  # load: threads that want the CPU and the GIL
        while not stop.is_set():
            sum(i * i for i in range(10_000))

    burners = [threading.Thread(target=burn, daemon=True) for _ in range(2)]
    try:
        with HostileServer({p: page(b) for p, b in bodies.items()}) as server:
            ids = discover(ws, [server.url(p) for p in bodies])
            for thread in burners:
                thread.start()
            counts: Counter[str] = Counter()
            for _ in range(0, count, 8):  # small batches too (they once ran in threads)
                counts.update(run_stage(FetchStage(ws.context()), limit=8).counts)
        assert counts["failed"] == 0 and sum(counts.values()) == count
        assert in_this_process == []
        for article_id, (path, body) in zip(ids, bodies.items(), strict=True):
            row = ws.store.get_article(article_id)
            alone = extract(
                body,
                url=row["url"],
                content_type="text/html",
                charset="utf-8",
                min_chars=ws.settings.extract.min_chars,
                max_chars=ws.settings.extract.max_chars,
            )
            assert row["status"] == alone.status and row["text"] == alone.text, path
            assert row["content_hash"] == (alone.content_hash or None), path
    finally:
        stop.set()
        ws.close()


# -- one transaction per article -----------------------------------------------------------


def test_each_article_outcome_is_one_commit(tmp_path: Path) -> None:
    """A redirect (new URL + article) and a duplicate (moved URLs + article) are several
    writes; each article's are one transaction."""
    same = article_html(3)
    routes = {
        "/plain": page(article_html(1)),
        "/moved": page(b"", 301, {"Location": "/final"}),
        "/final": page(article_html(2)),
        "/first": page(same),
        "/copy": delayed(0.5, page(same)),
    }
    ws = open_ws(tmp_path)
    try:
        with HostileServer(routes) as server:
            discover(ws, [server.url(p) for p in ("/plain", "/moved", "/first", "/copy")])
            commits = Counter()

            @event.listens_for(ws.store.engine, "commit")
            def count(conn: Any) -> None:
                commits[threading.current_thread().name] += 1

            report = run_stage(FetchStage(ws.context()))
        assert dict(report.counts) == {"ok": 3, "duplicate": 1}
        writer = {k: v for k, v in commits.items() if k.startswith("techwatch-writer")}
        assert sum(writer.values()) == 4, commits
        moved = ws.store.article_by_url(server.url("/final"))
        assert moved is not None and moved["status"] == "ok"
    finally:
        ws.close()


def test_an_article_outcome_is_all_or_nothing(tmp_path: Path, monkeypatch) -> None:
    """A failure after the first write of an outcome leaves no part of it behind."""
    routes = {"/moved": page(b"", 301, {"Location": "/final"}), "/final": page(article_html(2))}
    ws = open_ws(tmp_path)
    try:
        with HostileServer(routes) as server:
            (article_id,) = discover(ws, [server.url("/moved")])
            stage = FetchStage(ws.context())

            def broken(*args: Any, **kw: Any) -> None:
                raise RuntimeError("disk full")

            monkeypatch.setattr(ws.store, "save_article", broken)
            with pytest.raises(RuntimeError, match="disk full"):
                run_stage(stage)
            monkeypatch.undo()
        with ws.store.engine.connect() as conn:
            urls = conn.execute(
                select(t.article_urls.c.url).where(t.article_urls.c.article_id == article_id)
            ).all()
        assert [u.url for u in urls] == [server.url("/moved")]  # the redirect's URL rolled back
        assert ws.store.get_article(article_id)["status"] == "pending"
    finally:
        ws.close()


# -- progress agrees with the summary ------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, status: str, **info: Any) -> None:
        self.counts[status] += 1

    def revise(self, old: str, new: str) -> None:
        self.counts[old] -= 1
        self.counts[new] += 1

    def finish(self) -> None:
        pass


def test_progress_counts_match_the_summary_after_a_duplicate_swap(tmp_path: Path) -> None:
    """The original arrives after its copy: the copy, counted ok, becomes the duplicate."""
    same = article_html(5)
    routes = {"/original": delayed(0.8, page(same)), "/copy": page(same)}
    ws = open_ws(tmp_path)
    try:
        with HostileServer(routes) as server:
            original, copy = discover(ws, [server.url("/original"), server.url("/copy")])
            recorder = Recorder()
            report = run_stage(FetchStage(ws.context(recorder)))
        assert ws.store.get_article(copy)["status"] == "duplicate"
        assert ws.store.get_article(original)["status"] == "ok"
        assert dict(report.counts) == {"ok": 1, "duplicate": 1}
        assert +recorder.counts == report.counts
    finally:
        ws.close()


# -- the raw cache is read off the event loop ----------------------------------------------


def test_raw_cache_reads_do_not_block_the_event_loop(tmp_path: Path, monkeypatch) -> None:
    routes = {"/a": page(article_html(1))}
    ws = open_ws(tmp_path)
    try:
        with HostileServer(routes) as server:
            discover(ws, [server.url("/a")])
            stage = FetchStage(ws.context())
            threads: list[str] = []
            real_get = stage.cache.get

            def get(url: str) -> Any:
                threads.append(threading.current_thread().name)
                return real_get(url)

            monkeypatch.setattr(stage.cache, "get", get)
            loop_thread = threading.current_thread().name
            run_stage(stage)
        assert threads and loop_thread not in threads
    finally:
        ws.close()
