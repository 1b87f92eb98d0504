"""Telling the kind of a source from its location, content type and first bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from techwatch.sources.detect import detect_kind

RSS = b'<?xml version="1.0"?>\n<!-- c --><rss version="2.0"><channel></channel></rss>'
ATOM = b'\xef\xbb\xbf<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>'
OPML = b'<?xml version="1.0"?><opml version="2.0"><body/></opml>'
ISSUE = b"<html><body><article><a href='https://a.example/x'>x</a></article></body></html>"
ARCHIVE = (
    "<html><body>"
    + "".join(f"<a href='/p/issue-{i}'>Issue {i}</a>" for i in range(8))
    + "<a href='https://elsewhere.example/'>x</a></body></html>"
).encode()


def test_local_kinds(tmp_path: Path) -> None:
    files = {
        "list.txt": b"https://a.example/1\nhttps://b.example/2\n# c\n",
        "prose.txt": b"An article in plain text.\nIt has sentences.\n",
        "issue.md": b"# Issue\n[x](https://a.example/)",
        "issue.html": ISSUE,
        "paper.pdf": b"%PDF-1.7",
        "subs.opml": OPML,
        "subs.xml": OPML,
        "feed.xml": RSS,
        "atom.bin": ATOM,
        "page": ISSUE,
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    got = {name: detect_kind(str(tmp_path / name)) for name in files}
    assert got == {
        "list.txt": "urllist",
        "prose.txt": "file",
        "issue.md": "newsletter",
        "issue.html": "newsletter",
        "paper.pdf": "file",
        "subs.opml": "opml",
        "subs.xml": "opml",
        "feed.xml": "feed",
        "atom.bin": "feed",
        "page": "newsletter",
    }
    assert detect_kind(str(tmp_path)) == "folder"
    assert detect_kind((tmp_path / "issue.md").as_uri()) == "newsletter"


@pytest.mark.parametrize(
    ("location", "content", "content_type", "kind"),
    [
        ("https://x.substack.com/archive", None, None, "archive"),
        ("https://x.substack.com/archive/", ISSUE, "text/html", "archive"),
        ("https://blog.example/feed", None, None, "feed"),
        ("https://blog.example/index.xml", RSS, "text/xml", "feed"),
        ("https://blog.example/x", b"", "application/atom+xml; charset=utf-8", "feed"),
        ("https://blog.example/subs", OPML, "application/xml", "opml"),
        ("https://blog.example/paper", b"%PDF-1.4", "application/octet-stream", "file"),
        ("https://blog.example/p/20230701", ISSUE, "text/html", "newsletter"),
        ("https://blog.example/", ARCHIVE, "text/html", "archive"),
        (
            "https://blog.example/list",
            b"https://a.example/\nhttps://b.example/\n",
            "text/plain",
            "urllist",
        ),
        ("https://blog.example/p/x", None, None, "newsletter"),
    ],
)
def test_remote_kinds(
    location: str, content: bytes | None, content_type: str | None, kind: str
) -> None:
    assert detect_kind(location, content, content_type) == kind


def test_unknown_location() -> None:
    with pytest.raises(ValueError):
        detect_kind("/no/such/thing")
    with pytest.raises(ValueError):
        detect_kind("gopher://x.example/")
