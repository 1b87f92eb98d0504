"""The run lock of a workspace: one fetch/analyze/pages/run at a time, across processes.

An exclusive `flock` on `.techwatch.lock` in the workspace folder. The kernel releases it
when the holder dies (even by SIGKILL), so a crash never leaves a stale lock; the file holds
the holder's pid only to name it in the message of whoever is refused.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = ".techwatch.lock"


class WorkspaceBusy(RuntimeError):
    """Another process (or another Workspace object) is running a stage on this workspace."""


class RunLock:
    """An exclusive, non-blocking lock on a workspace folder."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"pid {holder}" if holder else "another process"
            raise WorkspaceBusy(
                f"another techwatch run ({who}) is working on this workspace "
                f"({self.path.parent}); try again when it has finished"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        data = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(data) if data.isdigit() else None
    except OSError:
        return None
