"""Local folders to article files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from techwatch.sources.files import file_date, scan_folder


def test_scan_folder(tmp_path: Path) -> None:
    root = tmp_path / "watch"
    (root / "2023" / "july").mkdir(parents=True)
    (root / ".git").mkdir()
    for name in (
        "b.md",
        "a.HTML",
        "2023/july/20230701-issue.htm",
        "2023/notes.txt",
        "2023/paper.pdf",
        "2023/july/readme.markdown",
        "image.png",
        "noext",
        ".hidden.md",
        ".git/config.md",
    ):
        (root / name).write_text("x")
    outside = tmp_path / "outside.md"
    outside.write_text("secret")
    os.symlink(outside, root / "escape.md")
    os.symlink(root / "b.md", root / "inside-link.md")
    os.symlink(tmp_path, root / "loop")

    files, skipped = scan_folder(root)
    assert [p.relative_to(root).as_posix() for p in files] == [
        "2023/july/20230701-issue.htm",
        "2023/july/readme.markdown",
        "2023/notes.txt",
        "2023/paper.pdf",
        "a.HTML",
        "b.md",
        "inside-link.md",
    ]
    reasons = {Path(p).name: reason for p, reason in skipped}
    assert reasons == {
        "escape.md": "symlink out of the folder",
        "image.png": "unsupported file type: .png",
        "loop": "symlinked folder not followed",
        "noext": "unsupported file type: no suffix",
    }


def test_scan_folder_needs_a_folder(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        scan_folder(tmp_path / "missing")


def test_file_date() -> None:
    assert file_date(Path("/x/2023-07-01-issue.md")) == "2023-07-01"
    assert file_date("20250518d.html") == "2025-05-18"
    assert file_date(Path("/2023-07-01/notes.md")) == ""
