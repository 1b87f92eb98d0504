"""Background jobs of the web app (pipeline runs, streamed answers), kept in the store.

A job works in a thread of the process that started it (the stages are synchronous and
start their own event loops). Its state and its events live in the store (tables of
migration 0007), not in that process's memory: the app may run as several worker
processes, and the request that follows a job's progress (server-sent events) may land on
another one. The working thread hands its events to a writer thread, which commits them in
batches (at most ~5 commits a second, however fast tokens stream), so a job never waits on
the database and never writes inside a transaction of the stage it reports on.

A running job whose process has gone (killed, crashed) is marked failed by the next process
that looks at it, so an exclusive job (a pipeline run) cannot stay "running" for ever.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, literal, select, update
from sqlalchemy.exc import OperationalError

from techwatch.store import schema as t
from techwatch.store.store import Store

__all__ = ["Job", "JobEvents", "JobProgress", "Jobs"]

log = logging.getLogger(__name__)

FLUSH_EVERY = 0.2  # seconds between two commits of a job's events
KEEP_JOBS = 200  # finished jobs kept per kind (with their events)


def _now() -> datetime:
    return datetime.now(UTC)


HOST = socket.gethostname()[:255]


def _alive(pid: int, host: str) -> bool:
    """Whether the process that runs a job may still exist. Only a process of this machine
    can be checked (a store on a database server may be shared by several machines)."""
    if host != HOST or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


@dataclass(frozen=True)
class Job:
    """A job as the store saw it when read; `since` reads its events from the store."""

    id: int
    kind: str
    done: bool
    failed: bool
    jobs: Jobs

    def since(self, n: int) -> list[dict[str, Any]]:
        return self.jobs.events(self.id, n)


class JobEvents:
    """The working side of a job: `emit` queues an event; a writer thread commits them."""

    def __init__(self, store: Store, job_id: int) -> None:
        self.store, self.id = store, job_id
        self._pending: list[dict[str, Any]] = []
        self._n = 0
        self._end: str | None = None
        self._cond = threading.Condition()
        self._writer = threading.Thread(
            target=self._write_loop, name=f"techwatch-job-{job_id}-events", daemon=True
        )
        self._writer.start()

    def emit(self, kind: str, **data: Any) -> None:
        with self._cond:
            self._pending.append({"event": kind, "n": self._n, **data})
            self._n += 1
            self._cond.notify()

    def finish(self, failed: bool) -> None:
        """The last event was emitted: commit what is left with the job's end."""
        with self._cond:
            self._end = "failed" if failed else "done"
            self._cond.notify()

    def wait(self, timeout: float | None = None) -> bool:
        """Until everything is committed (tests, shutdown); True if it was."""
        self._writer.join(timeout)
        return not self._writer.is_alive()

    def _write_loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._pending) or self._end is not None)
                batch, self._pending = self._pending, []
                end = self._end
            self._write(batch, end)
            if end is not None:
                return
            time.sleep(FLUSH_EVERY)  # tokens that arrive meanwhile go in the next commit

    def _write(self, batch: list[dict[str, Any]], end: str | None) -> None:
        rows = [
            {"job_id": self.id, "n": e["n"], "event": json.dumps(e, default=str)} for e in batch
        ]
        for attempt in range(5):
            try:
                with self.store.engine.begin() as conn:
                    if rows:
                        conn.execute(insert(t.web_job_events), rows)
                    if end is not None:
                        conn.execute(
                            update(t.web_jobs)
                            .where(t.web_jobs.c.id == self.id)
                            .values(status=end, finished_at=_now())
                        )
                return
            except OperationalError as exc:  # the database stayed locked past its timeout
                log.warning("job %s: events not saved yet (%s), retrying", self.id, exc)
                time.sleep(1 + attempt)
        log.error("job %s: %d events lost", self.id, len(rows))


class JobProgress:
    """The stages' Progress protocol, turned into job events (a few per second at most)."""

    def __init__(self, job: JobEvents) -> None:
        self.job = job
        self.stage = ""
        self.total = 0
        self.count = 0
        self.last = 0.0

    def start(self, stage: str, total: int) -> None:
        self.stage, self.total, self.count = stage, total, 0
        self.job.emit("stage", stage=stage, total=total)

    def advance(self, status: str, **info: Any) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.last > 0.2 or self.count == self.total:
            self.last = now
            self.job.emit(
                "progress", stage=self.stage, done=self.count, total=self.total, status=status
            )

    def finish(self) -> None:
        self.job.emit("stage_done", stage=self.stage, done=self.count, total=self.total)


class Jobs:
    """The jobs of one kind ("run", "ask") in the store; `exclusive`: one at a time across
    every process of the app (pipeline runs)."""

    def __init__(self, store: Store, kind: str, exclusive: bool = True) -> None:
        self.store, self.kind, self.exclusive = store, kind, exclusive
        self.working: dict[int, JobEvents] = {}  # the jobs this process runs

    def get(self, job_id: int) -> Job | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(t.web_jobs).where(
                    and_(t.web_jobs.c.id == job_id, t.web_jobs.c.kind == self.kind)
                )
            ).first()
        if row is None:
            return None
        if row.status == "running" and not _alive(row.pid, row.host):
            self._fail_orphan(row.id)
            return self.get(job_id)
        return self._job(row.id, row.status)

    def running(self) -> Job | None:
        self.expire_orphans()
        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(t.web_jobs.c.id, t.web_jobs.c.status)
                .where(and_(t.web_jobs.c.kind == self.kind, t.web_jobs.c.status == "running"))
                .order_by(t.web_jobs.c.id)
            ).first()
        return self._job(row.id, row.status) if row else None

    def events(self, job_id: int, n: int = 0) -> list[dict[str, Any]]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(t.web_job_events.c.event)
                .where(and_(t.web_job_events.c.job_id == job_id, t.web_job_events.c.n >= n))
                .order_by(t.web_job_events.c.n)
            ).all()
        return [json.loads(r.event) for r in rows]

    def poll(self, job_id: int, n: int) -> tuple[list[dict[str, Any]], bool]:
        """Events from the n-th, and whether the job has ended. The state is read before
        the events: a job's last events and its end are committed together, so "ended"
        always comes with all of its events."""
        job = self.get(job_id)
        if job is None:
            return [], True
        return self.events(job_id, n), job.done

    def start(self, work: Callable[[JobProgress], dict[str, Any]]) -> tuple[Job, bool]:
        """Start `work` in a thread; (job, False) if an exclusive job is already going."""
        self.expire_orphans()
        self._forget_old()
        job_id = self._insert()
        if job_id is None:
            current = self.running()
            if current is not None:
                return current, False
            job_id = self._insert()  # it ended in between
            if job_id is None:  # pragma: no cover - another process started one again
                current = self.running()
                assert current is not None
                return current, False
        events = JobEvents(self.store, job_id)
        self.working[job_id] = events

        def target() -> None:
            failed = False
            try:
                summary = work(JobProgress(events))
                events.emit("done", summary=summary)
            except Exception as exc:  # shown to the user; the run is recorded as failed
                failed = True
                events.emit("failed", reason=f"{type(exc).__name__}: {exc}")
            finally:
                events.finish(failed)
                events.wait()
                self.working.pop(job_id, None)

        threading.Thread(target=target, name=f"techwatch-{self.kind}-{job_id}", daemon=True).start()
        return self._job(job_id, "running"), True

    def _job(self, job_id: int, status: str) -> Job:
        return Job(job_id, self.kind, status != "running", status == "failed", self)

    def _insert(self) -> int | None:
        """A new running job; None when exclusive and one is running. One statement: the
        check and the insert hold SQLite's write lock together, so two processes cannot
        both start one."""
        values = {
            "kind": literal(self.kind),
            "status": literal("running"),
            "pid": literal(os.getpid()),
            "host": literal(HOST),
            "started_at": literal(_now(), t.web_jobs.c.started_at.type),
        }
        query = select(*[v.label(k) for k, v in values.items()])
        if self.exclusive:
            query = query.where(
                ~exists().where(
                    and_(t.web_jobs.c.kind == self.kind, t.web_jobs.c.status == "running")
                )
            )
        with self.store.engine.begin() as conn:
            result = conn.execute(insert(t.web_jobs).from_select(list(values), query))
            if result.rowcount != 1:
                return None
            return int(conn.execute(select(func.max(t.web_jobs.c.id))).scalar_one())

    def expire_orphans(self) -> int:
        """Fail the running jobs whose process is gone; how many."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(t.web_jobs.c.id, t.web_jobs.c.pid, t.web_jobs.c.host).where(
                    and_(t.web_jobs.c.kind == self.kind, t.web_jobs.c.status == "running")
                )
            ).all()
        return sum(self._fail_orphan(r.id) for r in rows if not _alive(r.pid, r.host))

    def _fail_orphan(self, job_id: int) -> bool:
        with self.store.engine.begin() as conn:
            changed = conn.execute(
                update(t.web_jobs)
                .where(and_(t.web_jobs.c.id == job_id, t.web_jobs.c.status == "running"))
                .values(status="failed", finished_at=_now())
            ).rowcount
            if changed != 1:  # another process did it
                return False
            n = conn.execute(
                select(func.count()).where(t.web_job_events.c.job_id == job_id)
            ).scalar_one()
            reason = "the server process that ran it stopped before it ended"
            event = {"event": "failed", "n": n, "reason": reason}
            conn.execute(
                insert(t.web_job_events).values(job_id=job_id, n=n, event=json.dumps(event))
            )
        return True

    def _forget_old(self) -> None:
        """Keep the last KEEP_JOBS finished jobs of this kind (and their events)."""
        with self.store.engine.connect() as conn:
            ids = [
                r.id
                for r in conn.execute(
                    select(t.web_jobs.c.id)
                    .where(and_(t.web_jobs.c.kind == self.kind, t.web_jobs.c.status != "running"))
                    .order_by(t.web_jobs.c.id.desc())
                    .offset(KEEP_JOBS)
                )
            ]
        if ids:
            with self.store.engine.begin() as conn:
                conn.execute(delete(t.web_job_events).where(t.web_job_events.c.job_id.in_(ids)))
                conn.execute(delete(t.web_jobs).where(t.web_jobs.c.id.in_(ids)))
