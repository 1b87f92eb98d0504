"""Regression tests for defects of the workspace and store found by the hostile review."""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC

import pytest
from typer.testing import CliRunner

from procs import alive
from techwatch import Workspace, WorkspaceError
from techwatch.cli import app
from techwatch.stages.pages import PagesReport, _write_if_changed
from techwatch.store.store import NewArticle

runner = CliRunner()


def tw(ws, *args):
    return runner.invoke(app, ["-w", str(ws), *args])


def write_docs(folder, n=2):
    folder.mkdir(parents=True, exist_ok=True)
    topics = ["heat pumps", "sodium batteries", "tidal turbines", "green hydrogen"]
    verbs = ["cut bills", "store power", "feed grids", "fuel ships"]
    for i in range(n):
        topic, verb = topics[i % 4], verbs[i % 4]
        body = " ".join(
            f"Report {i}: {topic} in district {j * (i + 3)} {verb} as {topic} makers scale up."
            for j in range(40)
        )
        (folder / f"d{i}.md").write_text(
            f"# {topic.title()} report {i}\n\n{body}\n", encoding="utf-8"
        )
    return folder


# -- pages: unique temporary files --------------------------------------------------


def test_concurrent_page_writers_never_share_a_temporary_file(tmp_path):
    """Before: every writer used `<id>.md.tmp`; one's replace() took the other's file away
    (FileNotFoundError)."""
    target = tmp_path / "abc.md"
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(200):
                _write_if_changed(target, f"writer {k} round {i}\n", PagesReport(out=tmp_path))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert target.read_text().startswith("writer ")
    assert [p.name for p in tmp_path.iterdir()] == ["abc.md"]  # no temporary file left


# -- the run lock ----------------------------------------------------------------------

HOLDER = """
import sys, time
from techwatch import Workspace
ws = Workspace.open(sys.argv[1])
with ws.locked():
    ws.store.start_run("fetch")  # a run this process never finishes
    open(sys.argv[2], "w").close()
    time.sleep(120)
"""


def test_a_second_run_is_refused_and_a_killed_run_is_marked_interrupted(tmp_path):
    ws = tmp_path / "ws"
    Workspace.init(ws).close()
    ready = tmp_path / "ready"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(ws), str(ready)])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert holder.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        for command in (["fetch"], ["analyze"], ["run"], ["pages"]):
            proc = subprocess.run(
                [sys.executable, "-m", "techwatch", "-w", str(ws), *command],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert proc.returncode == 3, (command, proc.stderr)
            assert f"another techwatch run (pid {holder.pid})" in proc.stderr
        with Workspace.open(ws) as opened:
            assert [r.status for r in opened.runs()] == ["running"]
    finally:
        holder.kill()
        holder.wait()
    assert not alive(holder.pid)
    # The kernel dropped the lock with the process: the next run goes ahead and reconciles.
    with Workspace.open(ws) as opened:
        report = opened.fetch()
        assert report.processed == 0
        assert [r.status for r in opened.runs()] == ["ok", "interrupted"]
    listed = tw(ws, "runs")
    assert listed.exit_code == 0 and "interrupted" in listed.output


def test_one_workspace_object_nests_its_own_lock_but_another_is_refused(tmp_path):
    from techwatch import WorkspaceBusy

    with Workspace.init(tmp_path / "ws") as first, Workspace.open(tmp_path / "ws") as second:
        with first.locked():
            first.pages()  # re-entrant for the holder
            with pytest.raises(WorkspaceBusy, match=r"another techwatch run \(pid \d+\)"):
                second.pages()
        second.pages()  # released


# -- analyze: a failed run keeps its counts ----------------------------------------------


class _Boom:
    """A progress listener that fails after `after` items (a systemic failure mid-run)."""

    def __init__(self, after: int) -> None:
        self.after, self.seen = after, 0

    def start(self, stage, total):
        pass

    def advance(self, status, **info):
        self.seen += 1
        if self.seen > self.after:
            raise RuntimeError("listener failed")

    def revise(self, old, new):
        pass

    def finish(self):
        pass


def test_a_failed_analyze_run_records_the_counts_so_far(tmp_path):
    with Workspace.init(tmp_path / "ws") as ws:
        ws.add(str(write_docs(tmp_path / "docs", 3)))
        assert ws.fetch().counts == {"ok": 3}
        with pytest.raises(RuntimeError, match="listener failed"):
            ws.analyze(progress=_Boom(after=1))
        [last] = ws.runs(limit=1)
        assert last.stage == "analyze" and last.status == "failed"
        assert last.counts == {"ok": 2}  # two cards were saved; the failure came after


# -- limits ------------------------------------------------------------------------------


def test_limit_zero_means_zero(tmp_path):
    with Workspace.init(tmp_path / "ws") as ws:
        ws.add(str(write_docs(tmp_path / "docs", 2)))
        assert ws.fetch(limit=0).processed == 0
        assert ws.status().articles == {"pending": 2}
        assert ws.articles.list(limit=0) == [] and len(ws.articles.list()) == 2
        with pytest.raises(ValueError, match="limit"):
            ws.fetch(limit=-1)
    assert tw(tmp_path / "ws", "fetch", "--limit", "-1").exit_code == 2
    result = tw(tmp_path / "ws", "fetch", "--limit", "0")
    assert result.exit_code == 0 and "nothing to do" in result.output


# -- add ----------------------------------------------------------------------------------


def test_add_fails_clearly_for_bad_locations_and_unreadable_sources(tmp_path):
    ws = tmp_path / "ws"
    Workspace.init(ws).close()
    missing = tw(ws, "add", str(tmp_path / "nonexistent" / "path.txt"))
    assert missing.exit_code == 2 and "no such file or folder" in missing.output
    empty = tw(ws, "add", "")
    assert empty.exit_code == 2 and "empty source location" in empty.output
    blank = tw(ws, "add", "   ")
    assert blank.exit_code == 2
    # A private address without --allow-private is blocked: the source is kept, exit 1.
    blocked = tw(ws, "add", "http://10.11.12.13/feed.xml", "--kind", "feed")
    assert blocked.exit_code == 1 and "blocked" in blocked.output
    with Workspace.open(ws) as opened:
        assert [s.location for s in opened.sources.list()] == ["http://10.11.12.13/feed.xml"]
        assert opened.status().articles == {}


# -- store: damaged, newer, time zones ----------------------------------------------------


def test_a_dropped_column_is_a_clear_error(tmp_path):
    Workspace.init(tmp_path / "ws").close()
    with sqlite3.connect(tmp_path / "ws" / "techwatch.sqlite") as db:
        db.execute("ALTER TABLE articles DROP COLUMN language")
    with pytest.raises(WorkspaceError, match=r"damaged.*articles lacks column\(s\) language"):
        Workspace.open(tmp_path / "ws")
    result = tw(tmp_path / "ws", "status")
    assert result.exit_code == 2 and "lacks column(s) language" in result.output


def test_a_store_from_a_newer_techwatch_says_so(tmp_path):
    Workspace.init(tmp_path / "ws").close()
    with sqlite3.connect(tmp_path / "ws" / "techwatch.sqlite") as db:
        db.execute("UPDATE alembic_version SET version_num = '0099_future'")
    with pytest.raises(WorkspaceError, match="newer techwatch.*'0099_future'"):
        Workspace.open(tmp_path / "ws")


def test_datetimes_come_back_timezone_aware_utc(tmp_path):
    with Workspace.init(tmp_path / "ws") as ws:
        article_id, _ = ws.store.discover(NewArticle(url="https://a.example/x"))
        row = ws.store.get_article(article_id)
        assert row["discovered_at"].tzinfo is UTC and row["updated_at"].tzinfo is UTC
        run = ws.store.start_run("fetch")
        ws.store.finish_run(run, status="ok", counts={})
        [stored] = ws.store.last_runs()
        assert stored["started_at"].tzinfo is UTC and stored["finished_at"].tzinfo is UTC
        assert stored["finished_at"] >= stored["started_at"]  # aware values compare


# -- export ---------------------------------------------------------------------------------


def test_csv_export_neutralises_formulas_and_a_bad_format_keeps_the_file(tmp_path):
    ws = tmp_path / "ws"
    with Workspace.init(ws) as opened:
        titles = ['=HYPERLINK("http://evil.example","x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
        for i, title in enumerate(titles):
            aid, _ = opened.store.discover(NewArticle(url=f"https://a.example/{i}", title=title))
        buffer = io.StringIO()
        assert opened.export_articles("csv", buffer) == len(titles)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert sorted(r["title"] for r in rows) == sorted("'" + t for t in titles)
    keep = tmp_path / "keep.csv"
    keep.write_text("precious\n", encoding="utf-8")
    result = tw(ws, "export", "articles", "-o", str(keep), "--format", "xlsx")
    assert result.exit_code == 2 and "unknown format" in result.output
    assert keep.read_text(encoding="utf-8") == "precious\n"
    assert tw(ws, "export", "articles", "-o", str(keep), "--format", "csv").exit_code == 0
    assert len(list(csv.DictReader(keep.open(encoding="utf-8")))) == len(titles)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.csv", "ws"]
