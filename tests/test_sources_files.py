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


# -- file names that are not UTF-8 -----------------------------------------------------------

ARTICLE = "# Heat networks\n\n" + "District heating networks now buy heat from data centres. " * 60


def test_a_file_name_with_invalid_utf8_is_kept_and_read(tmp_path: Path) -> None:
    """A Latin-1 name (b"caf\\xe9.md") once failed the whole folder on every fetch."""
    from techwatch.sources.urls import file_url
    from techwatch.workspace import Workspace

    folder = tmp_path / "notes"
    folder.mkdir()
    raw_name = os.fsencode(folder) + b"/caf\xe9.md"
    with open(raw_name, "wb") as fh:  # a real file with that byte in its name
        fh.write(ARTICLE.encode())
    (folder / "plain.md").write_text(ARTICLE.replace("Heat", "Cold"), encoding="utf-8")
    odd = Path(os.fsdecode(raw_name))

    ws = Workspace.init(tmp_path / "ws")
    try:
        added = ws.add(str(folder))
        assert added.status == "ok" and added.new == 2, added.reason
        report = ws.fetch()
        assert report.counts["ok"] == 2
        by_url = {row["url"]: row for row in ws.store.list_articles()}
        row = by_url[file_url(odd.resolve())]
        assert row["status"] == "ok" and row["link_text"] == "caf\ufffd.md"
    finally:
        ws.close()
    from techwatch.sources.files import local_path

    assert local_path(file_url(odd)) == odd  # the URL round-trips to the same bytes
    assert "caf%E9.md" in file_url(odd)


# -- FIFOs, devices, size caps -------------------------------------------------------------


def test_read_local_reads_only_regular_files(tmp_path: Path) -> None:
    from techwatch.sources.files import FileTooLarge, NotRegularFile, read_local

    regular = tmp_path / "a.md"
    regular.write_bytes(b"x" * 10)
    assert read_local(regular, 10) == b"x" * 10
    with pytest.raises(FileTooLarge):
        read_local(regular, 9)
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile, match="FIFO"):
        read_local(fifo, 1000)  # returns at once: opened non-blocking, then refused
    with pytest.raises(NotRegularFile, match="character device"):
        read_local("/dev/zero", 1000)
    with pytest.raises(NotRegularFile, match="folder"):
        read_local(tmp_path, 1000)


@pytest.mark.timeout(60)
def test_a_file_that_became_a_fifo_fails_alone_instead_of_hanging(tmp_path: Path) -> None:
    from techwatch.workspace import Workspace

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "one.md").write_text(ARTICLE, encoding="utf-8")
    (folder / "two.md").write_text(ARTICLE.replace("Heat", "Cold"), encoding="utf-8")
    ws = Workspace.init(tmp_path / "ws")
    try:
        ws.add(str(folder), discover=True)
        (folder / "two.md").unlink()
        os.mkfifo(folder / "two.md")  # swapped for a FIFO between discovery and fetch
        zero = tmp_path / "zero.md"
        zero.symlink_to("/dev/zero")
        ws.add(str(zero), kind="file")
        report = ws.fetch(discover=False)
        rows = {Path(r["url"]).name: r for r in ws.store.list_articles()}
        assert rows["one.md"]["status"] == "ok"
        assert rows["two.md"]["status"] == "failed" and "FIFO" in rows["two.md"]["reason"]
        assert report.counts["failed"] == 2
    finally:
        ws.close()


@pytest.mark.timeout(60)
def test_import_pages_skips_fifos_and_devices(tmp_path: Path) -> None:
    from techwatch.workspace import Workspace

    pages = tmp_path / "pages"
    pages.mkdir()
    os.mkfifo(pages / "pipe.md")
    (pages / "zero.md").symlink_to("/dev/zero")
    ws = Workspace.init(tmp_path / "ws")
    try:
        report = ws.import_pages(pages)
        assert report.counts["failed"] == 2
        assert any("FIFO" in error for error in report.errors)
        assert any("character device" in error for error in report.errors)
    finally:
        ws.close()
