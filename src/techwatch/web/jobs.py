"""Pipeline runs started from the web app, with their progress as a list of events.

A run works in its own thread (the stages are synchronous and start their own event
loops); the app streams its events to the browser as server-sent events.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Job", "Jobs", "JobProgress"]


@dataclass
class Job:
    id: int
    events: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False
    failed: bool = False
    started: float = field(default_factory=time.time)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def emit(self, kind: str, **data: Any) -> None:
        with self.lock:
            self.events.append({"event": kind, "n": len(self.events), **data})

    def since(self, n: int) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.events[n:])


class JobProgress:
    """The stages' Progress protocol, turned into job events (a few per second at most)."""

    def __init__(self, job: Job) -> None:
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
    """Background jobs; `exclusive`: at most one at a time (pipeline runs)."""

    def __init__(self, exclusive: bool = True) -> None:
        self.exclusive = exclusive
        self._ids = itertools.count(1)
        self._jobs: dict[int, Job] = {}
        self._lock = threading.Lock()

    def get(self, job_id: int) -> Job | None:
        return self._jobs.get(job_id)

    def running(self) -> Job | None:
        return next((j for j in self._jobs.values() if not j.done), None)

    def start(self, work: Callable[[JobProgress], dict[str, Any]]) -> tuple[Job, bool]:
        """Start `work` in a thread; (job, False) if a run is already going."""
        with self._lock:
            current = self.running() if self.exclusive else None
            if current:
                return current, False
            if len(self._jobs) > 200:  # forget old finished jobs
                for old in [k for k, j in self._jobs.items() if j.done][:100]:
                    del self._jobs[old]
            job = Job(next(self._ids))
            self._jobs[job.id] = job

        def target() -> None:
            try:
                summary = work(JobProgress(job))
                job.emit("done", summary=summary)
            except Exception as exc:  # shown to the user; the run is recorded as failed
                job.failed = True
                job.emit("failed", reason=f"{type(exc).__name__}: {exc}")
            finally:
                job.done = True

        threading.Thread(target=target, name=f"techwatch-run-{job.id}", daemon=True).start()
        return job, True
