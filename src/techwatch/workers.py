"""Worker processes for CPU-bound steps (extraction, the extractive analyzer).

Extraction runs only in worker processes, never in threads of the main process:
trafilatura parses with one module-level lxml parser that lxml does not allow threads to
share (double free, segfault), and a page can keep lxml busy for minutes. A `WorkerPool`
(pebble's process pool) gives every task a time limit, kills the worker that overruns
or dies, starts a new one, and turns both into one task's error, never the run's.

Workers are spawned (forking a process that runs threads is unsafe), and each one exits
when its parent dies: a parent killed with SIGKILL leaves no orphans behind.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pebble

# Below this many items, starting processes costs more than it saves (extractive analyzer).
MIN_BATCH_FOR_PROCESSES = 16


def _exit_with_parent(parent_pid: int) -> None:
    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="techwatch-parent-watch", daemon=True).start()


def _start_worker(parent_pid: int, preload: tuple[str, ...]) -> None:
    """In each new worker: exit with the parent, import the heavy modules up front."""
    _exit_with_parent(parent_pid)
    for module in preload:
        importlib.import_module(module)


def _nothing() -> None:
    """A task that only makes the pool start its workers."""


def process_pool(workers: int, batch: int) -> ProcessPoolExecutor | None:
    """A pool of `workers` processes (0: one per CPU), or None when not worth it."""
    count = workers if workers > 0 else (os.cpu_count() or 1)
    if count <= 1 or batch < MIN_BATCH_FOR_PROCESSES:
        return None
    return ProcessPoolExecutor(
        count,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
    )


def default_workers(configured: int = 0) -> int:
    """`configured` processes, or min(2, CPUs) for 0: extraction is one step among several."""
    return configured if configured > 0 else max(1, min(2, os.cpu_count() or 1))


class TaskTimedOut(Exception):
    """A task ran past its time limit; its worker was killed and replaced."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"timed out after {seconds:g} s")
        self.seconds = seconds


class WorkerCrashed(Exception):
    """The worker running a task died (a crash in a C library, memory); a new one starts."""

    def __init__(self, exitcode: int | None) -> None:
        if exitcode is not None and exitcode < 0:
            how = f"signal {-exitcode}"
        else:
            how = f"exit code {exitcode}"
        super().__init__(f"worker crashed ({how})")
        self.exitcode = exitcode


class WorkerPool:
    """A small pool of spawned processes; `await pool.run(fn, *args, timeout=s)`.

    Workers start at once and import `preload` (e.g. trafilatura) while the caller does
    other work (discovery, downloads), not on the first page.
    """

    def __init__(self, size: int, preload: tuple[str, ...] = ()) -> None:
        self.size = max(1, size)
        self.preload = preload
        self._pool = pebble.ProcessPool(
            max_workers=self.size,
            initializer=_start_worker,
            initargs=(os.getpid(), preload),
            context=multiprocessing.get_context("spawn"),
        )
        self._pool.schedule(_nothing)

    async def run(self, fn: Callable[..., Any], *args: Any, timeout: float | None) -> Any:
        """fn(*args) in a worker; raises TaskTimedOut or WorkerCrashed for that task alone."""
        future = self._pool.schedule(fn, args=args, timeout=timeout)
        try:
            return await asyncio.wrap_future(future)
        except TimeoutError as exc:
            raise TaskTimedOut(timeout or 0.0) from exc
        except pebble.ProcessExpired as exc:
            raise WorkerCrashed(exc.exitcode) from exc
        except asyncio.CancelledError:
            future.cancel()  # pebble stops the worker running a cancelled task
            raise

    @property
    def active(self) -> bool:
        return self._pool.active

    def close(self) -> None:
        """Stop the workers now (running tasks are abandoned)."""
        if self._pool.active:
            self._pool.stop()
        self._pool.join(timeout=10)


_shared: WorkerPool | None = None
_shared_lock = threading.Lock()


def shared_pool(size: int, preload: tuple[str, ...] = ()) -> WorkerPool:
    """The process-wide pool of `size` workers, kept between runs (spawning costs seconds).

    A pool of another size or preload, or one that broke, is replaced.
    """
    global _shared
    with _shared_lock:
        if _shared is not None and (
            _shared.size != max(1, size) or _shared.preload != preload or not _shared.active
        ):
            _shared.close()
            _shared = None
        if _shared is None:
            _shared = WorkerPool(size, preload)
        return _shared


@atexit.register
def close_shared_pool() -> None:
    """Stop the shared workers (at exit, or when a caller wants them gone now)."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.close()
            _shared = None
