"""Process checks for tests that kill things (Linux /proc)."""

from __future__ import annotations

from pathlib import Path


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def children(pid: int) -> list[int]:
    """Child process ids of `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


CRASH_MARKER = b"<!-- techwatch-test: crash this worker -->"


def extract_or_crash(content: bytes, *args: object) -> object:
    """The fetch stage's worker function, except that a page carrying CRASH_MARKER kills
    its worker with SIGSEGV, as a crash in a C library (lxml) would."""
    import os
    import signal

    from techwatch.fetch.extract_task import extract_and_sign

    if CRASH_MARKER in content:
        os.kill(os.getpid(), signal.SIGSEGV)
    return extract_and_sign(content, *args)  # type: ignore[arg-type]
