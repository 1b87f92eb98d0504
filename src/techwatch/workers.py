"""Worker processes for CPU-bound steps (extraction, the extractive analyzer).

trafilatura and YAKE hold the GIL, so on a few cores processes beat threads for large
batches. Workers are spawned (forking a process that runs threads is unsafe), and each
one exits when its parent dies: a parent killed with SIGKILL leaves no orphans behind.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

# Below this many items, starting processes costs more than it saves.
MIN_BATCH_FOR_PROCESSES = 16


def _exit_with_parent(parent_pid: int) -> None:
    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="techwatch-parent-watch", daemon=True).start()


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
