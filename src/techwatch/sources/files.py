"""Local files: paths and file:// URLs, the safe reader, and a folder's article files.

File names are bytes on Linux and need not be UTF-8: a name with invalid bytes is kept
(surrogate-escaped in a `Path`, percent-encoded in its file:// URL) and shown with
replacement characters. Only regular files are read: a FIFO would block the reader
forever and /dev/zero would fill memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

from techwatch.sources.urls import find_date_slug

ARTICLE_SUFFIXES: frozenset[str] = frozenset({".html", ".htm", ".md", ".markdown", ".txt", ".pdf"})


class NotRegularFile(ValueError):
    """A FIFO, device, socket or folder where a file was expected."""


class FileTooLarge(ValueError):
    """A file bigger than the size cap."""


def is_local(location: str) -> bool:
    """Whether a source location is a local path or file:// URL (not http(s))."""
    return not location.startswith(("http://", "https://"))


def local_path(location: str) -> Path:
    """The path of a local location; a file:// URL's percent-encoded bytes are kept as
    they are on disk (undecodable ones surrogate-escaped, like `os.fsdecode`)."""
    if location.startswith("file:"):
        return Path(os.fsdecode(unquote_to_bytes(urlsplit(location).path)))
    return Path(location)


def display_name(name: str | os.PathLike[str]) -> str:
    """A path or name safe to store and print: undecodable bytes become U+FFFD."""
    raw = os.fsencode(name)
    return raw.decode("utf-8", errors="replace")


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_local(path: Path | str, max_bytes: int) -> bytes:
    """Read a regular file of at most `max_bytes`; raise NotRegularFile or FileTooLarge.

    Opened non-blocking (opening a FIFO with no writer would wait forever), then checked
    with fstat on the opened descriptor, so a swap between check and read cannot fool it.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"{display_name(path)} is {_kind(info.st_mode)}, not a file")
        if info.st_size > max_bytes:
            raise FileTooLarge(f"file exceeds the {max_bytes} byte cap")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            data = fh.read(max_bytes + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > max_bytes:  # grew after the check
        raise FileTooLarge(f"file exceeds the {max_bytes} byte cap")
    return data


def file_date(path: Path | str) -> str:
    """The date written in a file's name ("2023-07-01-issue.md", "20230701.html"), or ""."""
    return find_date_slug(Path(path).name)


def scan_folder(path: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The article files under `path`, recursively and sorted, and (path, reason) for
    what was left out. Hidden files and folders are skipped silently; symlinks are not
    followed out of the folder, and symlinked folders are not entered. Only regular files
    are kept (not FIFOs or devices); names that are not UTF-8 are kept as they are."""
    root = Path(path)
    if not root.is_dir():
        raise NotADirectoryError(str(root))
    real_root = root.resolve()
    found: list[Path] = []
    skipped: list[tuple[str, str]] = []

    def on_error(error: OSError) -> None:
        skipped.append((display_name(error.filename or ""), f"unreadable: {error.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=False):
        here = Path(dirpath)
        keep = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            if (here / name).is_symlink():
                skipped.append((display_name(here / name), "symlinked folder not followed"))
                continue
            keep.append(name)
        dirnames[:] = keep
        for name in filenames:
            if name.startswith("."):
                continue
            file = here / name
            if file.is_symlink():
                try:
                    target = file.resolve(strict=True)
                except (OSError, RuntimeError):
                    skipped.append((display_name(file), "broken symlink"))
                    continue
                if not target.is_relative_to(real_root):
                    skipped.append((display_name(file), "symlink out of the folder"))
                    continue
                if not target.is_file():
                    skipped.append((display_name(file), "not a regular file"))
                    continue
            elif not file.is_file():
                skipped.append((display_name(file), "not a regular file"))
                continue
            suffix = file.suffix.lower()
            if suffix in ARTICLE_SUFFIXES:
                found.append(file)
            else:
                skipped.append(
                    (display_name(file), f"unsupported file type: {suffix or 'no suffix'}")
                )
    found.sort()
    skipped.sort()
    return found, skipped
