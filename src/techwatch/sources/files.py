"""A local folder to the article files in it (HTML, markdown, text, PDF)."""

from __future__ import annotations

import os
from pathlib import Path

from techwatch.sources.urls import find_date_slug

ARTICLE_SUFFIXES: frozenset[str] = frozenset({".html", ".htm", ".md", ".markdown", ".txt", ".pdf"})


def file_date(path: Path | str) -> str:
    """The date written in a file's name ("2023-07-01-issue.md", "20230701.html"), or ""."""
    return find_date_slug(Path(path).name)


def scan_folder(path: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The article files under `path`, recursively and sorted, and (path, reason) for
    what was left out. Hidden files and folders are skipped silently; symlinks are not
    followed out of the folder, and symlinked folders are not entered."""
    root = Path(path)
    if not root.is_dir():
        raise NotADirectoryError(str(root))
    real_root = root.resolve()
    found: list[Path] = []
    skipped: list[tuple[str, str]] = []

    def on_error(error: OSError) -> None:
        skipped.append((str(error.filename), f"unreadable: {error.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=False):
        here = Path(dirpath)
        keep = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            if (here / name).is_symlink():
                skipped.append((str(here / name), "symlinked folder not followed"))
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
                    skipped.append((str(file), "broken symlink"))
                    continue
                if not target.is_relative_to(real_root):
                    skipped.append((str(file), "symlink out of the folder"))
                    continue
                if not target.is_file():
                    skipped.append((str(file), "not a regular file"))
                    continue
            elif not file.is_file():
                skipped.append((str(file), "not a regular file"))
                continue
            suffix = file.suffix.lower()
            if suffix in ARTICLE_SUFFIXES:
                found.append(file)
            else:
                skipped.append((str(file), f"unsupported file type: {suffix or 'no suffix'}"))
    found.sort()
    skipped.sort()
    return found, skipped
