"""`techwatch fetch` killed with SIGKILL mid-run, then run again: nothing lost, nothing twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hostile_server import HostileServer, RequestHandler
from procs import alive, children
from techwatch.workspace import Workspace

N_ARTICLES = 40


def slow_article(i: int):
    paragraphs = "".join(
        f"<p>Story {i}, paragraph {p}: sodium-ion cells for grid storage keep getting cheaper, "
        f"and utility number {p} now tenders for them alongside lithium iron phosphate.</p>"
        for p in range(14)
    )
    body = f"<html><body><article><h1>Story {i}</h1>{paragraphs}</article></body></html>"

    def handler(h: RequestHandler) -> None:
        time.sleep(0.15)  # slow enough for the kill to land mid-run
        h.respond(200, body.encode(), None, "text/html; charset=utf-8")

    return handler


def test_sigkill_mid_fetch_then_rerun_loses_nothing(tmp_path):
    routes = {f"/story/{i}": slow_article(i) for i in range(N_ARTICLES)}
    with HostileServer(routes) as server:
        root = tmp_path / "ws"
        ws = Workspace.init(root)
        (root / "techwatch.toml").write_text(
            "[fetch]\nallow_private = true\nper_host_delay = 0.0\nconcurrency = 2\n"
            "per_host_concurrency = 2\n",
            encoding="utf-8",
        )
        links = tmp_path / "links.txt"
        links.write_text("\n".join(server.url(p) for p in routes) + "\n", encoding="utf-8")
        ws.close()
        ws = Workspace.open(root)
        assert ws.add(str(links)).new == N_ARTICLES
        ws.close()

        cmd = [sys.executable, "-m", "techwatch", "-w", str(root), "fetch", "--quiet"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        db = root / "techwatch.sqlite"
        deadline = time.monotonic() + 60
        done = 0
        while time.monotonic() < deadline and proc.poll() is None:
            done = _count(db, "status = 'ok'")
            if done >= 5:
                break
            time.sleep(0.05)
        if proc.poll() is not None:
            pytest.fail(f"fetch ended before it could be killed: {proc.stderr.read().decode()}")
        workers = children(proc.pid)
        assert workers  # the extraction workers (and the resource tracker) are running
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        # Extraction workers die with their parent: no orphan keeps running.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in workers):
            time.sleep(0.1)
        assert not [pid for pid in workers if alive(pid)]
        assert 5 <= _count(db, "status = 'ok'") < N_ARTICLES  # it really stopped mid-run

        rerun = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr.decode()

    ws = Workspace.open(root)
    try:
        counts = ws.store.status_counts()
        assert counts == {"ok": N_ARTICLES}
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(DISTINCT url) FROM articles").fetchone()[0] == 40
            assert conn.execute("SELECT count(*) FROM article_urls").fetchone()[0] == 40
            fts = conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
        assert fts == N_ARTICLES
        assert len(ws.store.search_articles("sodium")) == min(20, N_ARTICLES)
    finally:
        ws.close()


def _count(db: Path, where: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute(f"SELECT count(*) FROM articles WHERE {where}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
