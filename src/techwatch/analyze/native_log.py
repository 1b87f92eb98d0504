"""Route what a C library writes to stderr (llama.cpp's log) into a Python logger.

llama.cpp logs from C straight to file descriptor 2, around 100 lines per model load,
which no Python logging setting can silence. `native_stderr_to(log)` points fd 2 at a
temporary file while the block runs (a model load), then restores it and replays the
captured llama.cpp lines into `log` (the workspace log, techwatch.log; the terminal shows
them only with `-v`). Nothing is lost: other writes of that window (a progress bar, a
Python warning) go back to the real stderr.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator

_LOCK = threading.Lock()  # fd 2 is process-wide: one redirect at a time
# llama.cpp log lines: "0.01.894.482 I srv  load_model: ..." (time, level letter, text),
# or the bare "llama_model_loader: ..." / "print_info: ..." style of its libraries.
_NATIVE_LINE = re.compile(r"^(?:\d+\.\d+\.\d+\.\d+ [A-Z] |[a-z_]+: |\.+$)")


def _level(line: str, default: int) -> int:
    """ERROR for llama.cpp error lines ("0.01.894.482 E srv ..."), else `default`."""
    parts = line.split(maxsplit=2)
    return logging.ERROR if len(parts) >= 2 and parts[1] == "E" else default


@contextlib.contextmanager
def native_stderr_to(
    log: logging.Logger | None, prefix: str = "llama.cpp: ", level: int = logging.INFO
) -> Iterator[None]:
    """While the block runs, fd 2 goes to a temporary file; its lines then go to `log`.

    Error lines ("E") are logged as errors, the rest at `level`. With `log` None the
    block runs unchanged.
    """
    if log is None:
        yield
        return
    with _LOCK, tempfile.TemporaryFile() as tmp:
        for stream in (sys.stderr, sys.__stderr__):
            with contextlib.suppress(Exception):
                stream.flush()  # type: ignore[union-attr]
        saved = os.dup(2)
        try:
            os.dup2(tmp.fileno(), 2)
            yield
        finally:
            with contextlib.suppress(Exception):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            other: list[str] = []
            for line in tmp.read().decode("utf-8", "replace").splitlines(keepends=True):
                if _NATIVE_LINE.match(line):
                    log.log(_level(line, level), "%s%s", prefix, line.rstrip())
                elif line.strip():
                    other.append(line)
            if other:
                with contextlib.suppress(Exception):
                    sys.stderr.write("".join(other))
                    sys.stderr.flush()
