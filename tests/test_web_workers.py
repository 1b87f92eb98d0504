"""The live app as several processes: logins, the login throttle and background jobs (a
pipeline run and its server-sent progress) are shared through the store, so a request may
land on any worker process. Real `techwatch serve` processes on loopback, a real store."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from techwatch.store.store import Store
from techwatch.web.jobs import Jobs
from techwatch.web.throttle import LoginThrottle

PASSWORD = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(root: Path, *extra: str):
    """`techwatch serve` on a free loopback port; yields (base URL, process, output): the
    output list gets what it printed once it has stopped."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "techwatch", "-w", str(root), "serve", "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    output: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(base + "/login", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.3)
        yield base, proc, output
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            output.extend(proc.communicate(timeout=30))
        except subprocess.TimeoutExpired:
            proc.kill()
            output.extend(proc.communicate())


def login(client: httpx.Client, password: str = PASSWORD) -> httpx.Response:
    client.get("/login")
    return client.post(
        "/login",
        data={"name": "alice", "password": password, "csrf": client.cookies.get("tw_csrf")},
    )


def follow_events(base: str, path: str, token: str) -> str:
    """The whole server-sent event stream of a job (it ends when the job ends)."""
    with httpx.stream(
        "GET", base + path, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        return "".join(r.iter_text())


@pytest.fixture
def served_ws(workspace):
    workspace.web_users().set_password("alice", PASSWORD)
    token = workspace.web_users().new_token("alice", "test")
    return workspace, token


def test_two_app_processes_share_sessions_throttle_and_runs(served_ws):
    ws, token = served_ws
    with serving(ws.root) as (a, *_), serving(ws.root) as (b, *_):
        # A session opened on one process is valid on the other.
        with httpx.Client(base_url=a) as on_a:
            assert login(on_a).status_code == 303
            session = on_a.cookies.get("tw_session")
        with httpx.Client(base_url=b, cookies={"tw_session": session}) as on_b:
            assert on_b.get("/", follow_redirects=False).status_code == 200

        # Failed logins count on both: 3 here and 2 there block the name everywhere.
        with httpx.Client(base_url=a) as on_a, httpx.Client(base_url=b) as on_b:
            for client in (on_a, on_a, on_a, on_b, on_b):
                assert login(client, "wrong password").status_code == 401
            r = login(on_a)
            assert r.status_code == 429 and "Too many failed attempts" in r.text
            assert "tw_session" not in on_a.cookies

        # A run started on one process streams its progress from the other.
        auth = {"Authorization": f"Bearer {token}"}
        started = httpx.post(a + "/api/runs", headers=auth, timeout=30).json()
        assert started["started"] is True
        stream = follow_events(b, f"/runs/{started['id']}/events", token)
        assert "event: stage" in stream and "event: done" in stream
        assert re.search(r'"summary": \{"fetch"', stream)
        run = httpx.get(b + f"/api/runs/{started['id']}", headers=auth).json()
        assert run["done"] and not run["failed"]
        assert [e["n"] for e in run["events"]] == list(range(len(run["events"])))
        # Run ids are the store's: the next run, started on the other process, is a new one.
        again = httpx.post(b + "/api/runs", headers=auth, timeout=30).json()
        assert again["started"] and again["id"] > started["id"]
        assert "event: done" in follow_events(a, f"/runs/{again['id']}/events", token)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    if not path.exists():
        pytest.skip("no /proc children list on this system")
    return [int(p) for p in path.read_text().split()]


def test_serve_with_two_workers(served_ws):
    ws, token = served_ws
    with serving(ws.root, "--workers", "2") as (base, proc, output):
        workers = [
            c
            for c in _children(proc.pid)
            if "multiprocessing" in Path(f"/proc/{c}/cmdline").read_text()
            and "resource_tracker" not in Path(f"/proc/{c}/cmdline").read_text()
        ]
        assert len(workers) == 2
        with httpx.Client(base_url=base) as client:
            assert login(client).status_code == 303
            session = client.cookies.get("tw_session")
        # Fresh connections land on either worker: each one knows the session.
        for _ in range(8):
            with httpx.Client(base_url=base, cookies={"tw_session": session}) as c:
                assert c.get("/", follow_redirects=False).status_code == 200
        auth = {"Authorization": f"Bearer {token}"}
        started = httpx.post(base + "/api/runs", headers=auth, timeout=30).json()
        assert "event: done" in follow_events(base, f"/runs/{started['id']}/events", token)
    assert f"{base}/ (2 worker processes)" in output[0]


# -- the store-backed parts, each process with its own Store (its own connections) ------


def test_an_exclusive_job_runs_once_across_processes(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    one, two = Jobs(Store(url), "run"), Jobs(Store(url), "run")
    release = threading.Event()

    def work(progress):
        progress.start("fetch", 2)
        release.wait(30)
        progress.advance("ok")
        return {"fetch": {"ok": 1}}

    job, started = one.start(work)
    assert started and not job.done
    same, started_again = two.start(lambda progress: {"never": {}})
    assert not started_again and same.id == job.id
    assert Jobs(Store(url), "ask", exclusive=False).get(job.id) is None  # kinds apart
    release.set()
    deadline = time.monotonic() + 30
    while not two.get(job.id).done:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    events, ended = two.poll(job.id, 0)
    assert ended and [e["event"] for e in events] == ["stage", "progress", "done"]
    assert events[-1]["summary"] == {"fetch": {"ok": 1}}
    nxt, started_next = two.start(lambda progress: {})
    assert started_next and nxt.id != job.id


def test_many_fast_events_arrive_complete_and_in_order(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    asks, other = Jobs(Store(url), "ask", exclusive=False), Jobs(Store(url), "ask")

    def work(progress):
        for i in range(500):
            progress.job.emit("token", text=f"t{i} ")
        return {"found": True}

    job, _ = asks.start(work)
    seen: list[dict] = []
    deadline = time.monotonic() + 30
    while True:
        events, ended = other.poll(job.id, len(seen))
        seen += events
        if ended:
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert [e["n"] for e in seen] == list(range(501))
    assert "".join(e["text"] for e in seen[:-1]) == "".join(f"t{i} " for i in range(500))
    assert seen[-1]["event"] == "done" and not other.get(job.id).failed


def test_a_job_whose_process_died_is_failed(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from techwatch.store import schema as t

    store = Store(url)
    with store.engine.begin() as conn:
        conn.execute(
            insert(t.web_jobs).values(
                id=7, kind="run", status="running", pid=dead.pid, started_at=datetime.now(UTC)
            )
        )
        # The same dead process id on another machine: not checkable here, left running.
        conn.execute(
            insert(t.web_jobs).values(
                id=8,
                kind="ask",
                status="running",
                pid=dead.pid,
                host="elsewhere",
                started_at=datetime.now(UTC),
            )
        )
    from techwatch.web.jobs import HOST

    with store.engine.begin() as conn:
        conn.execute(t.web_jobs.update().where(t.web_jobs.c.id == 7).values(host=HOST))
    assert not Jobs(store, "ask", exclusive=False).get(8).done
    jobs = Jobs(store, "run")
    job = jobs.get(7)
    assert job.done and job.failed
    events, ended = jobs.poll(7, 0)
    assert ended and events[-1]["event"] == "failed" and "stopped" in events[-1]["reason"]
    new, started = jobs.start(lambda progress: {})  # the orphan no longer blocks runs
    assert started and new.id != 7


def test_login_throttle_counts_across_processes_and_forgets_old_failures(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    here, there = LoginThrottle(Store(url), limit=3), LoginThrottle(Store(url), limit=3)
    here.failed("alice")
    there.failed("alice")
    assert not here.blocked("alice") and not there.blocked("alice")
    there.failed("Alice ")  # the same name as typed with a capital and a space
    assert here.blocked("alice") and there.blocked("alice")
    assert not here.blocked("bob")
    from sqlalchemy import select, update

    from techwatch.store import schema as t

    with here.store.engine.begin() as conn:  # the failures are now older than the window
        conn.execute(update(t.web_login_failures).values(at=t.web_login_failures.c.at - 301))
        names = conn.execute(select(t.web_login_failures.c.name_hash)).scalars().all()
    assert "alice" not in " ".join(names)  # only hashes are kept
    assert not here.blocked("alice")
    there.failed("carol")  # a new failure sweeps the old ones away
    with here.store.engine.connect() as conn:
        assert len(conn.execute(select(t.web_login_failures)).all()) == 1


@pytest.fixture
def trend_ws(tmp_path):
    """A workspace with trends computed (as in test_web_trends) and a user."""
    from test_web_trends import make_trend_workspace

    ws = make_trend_workspace(tmp_path / "trends-ws")
    if ws is None:
        pytest.skip("this build has no trends step")
    yield ws
    ws.close()


def test_a_trend_renamed_in_one_process_shows_in_another_at_once(trend_ws):
    """Each app below has its own Workspace (own connections and caches), as two worker
    processes do: the later-steps cache of the second follows the first one's edit."""
    from fastapi.testclient import TestClient

    from techwatch.web.app import create_app
    from techwatch.workspace import Workspace
    from test_web_app import csrf_of
    from test_web_app import login as form_login

    other_ws = Workspace.open(trend_ws.root)
    trend = trend_ws.trend_report("signals", update=False).trends[0]
    try:
        with TestClient(create_app(trend_ws)) as one, TestClient(create_app(other_ws)) as two:
            form_login(one)
            form_login(two)
            assert "Renamed elsewhere" not in two.get(f"/trends/{trend.id}").text  # cached now
            r = one.post(
                f"/trends/{trend.id}/edit",
                data={"label": "Renamed elsewhere", "csrf": csrf_of(one)},
                follow_redirects=False,
            )
            assert r.status_code == 303
            assert "Renamed elsewhere" in two.get(f"/trends/{trend.id}").text
            assert "Renamed elsewhere" in two.get("/trends").text
    finally:
        other_ws.close()
