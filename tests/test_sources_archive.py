"""Newsletter archives (HTML pages and Substack's JSON API) to issue pages."""

from __future__ import annotations

import json

import pytest

from techwatch.sources.archive import (
    parse_archive,
    parse_substack_archive_api,
    substack_archive_api,
)

ARCHIVE = """<html><head><title>Archive - Field Notes</title></head><body>
<nav><a href="/">Home</a> <a href="/about">About</a> <a href="/subscribe">Subscribe</a>
<a href="/archive">Archive</a></nav>
<ul>
<li><a href="/p/issue-3">Issue 3</a> <a href="/p/issue-3/comments">12 comments</a></li>
<li><a href="https://notes.example.com/p/issue-2?utm_source=archive">Issue 2</a></li>
<li><a href="https://www.notes.example.com/2023/06/24/issue-1/">Issue 1</a></li>
<li><a href="/posts/special-edition">Special</a> <a href="/p/issue-3#top">again</a></li>
<li><a href="/issues/20230501">May</a></li>
</ul>
<a href="/tag/ai">AI</a> <a href="/archive?page=2">Older</a> <a href="/page/2">Page 2</a>
<a href="https://elsewhere.example/p/not-ours">Other newsletter</a>
</body></html>"""


def test_parse_archive_next_pages() -> None:
    discovery = parse_archive(ARCHIVE, "https://notes.example.com/archive")
    assert discovery.next_pages == [
        "https://notes.example.com/p/issue-3",
        "https://notes.example.com/p/issue-2",
        "https://www.notes.example.com/2023/06/24/issue-1/",
        "https://notes.example.com/posts/special-edition",
        "https://notes.example.com/issues/20230501",
    ]
    assert discovery.links == []
    assert discovery.origin.kind == "archive"
    assert discovery.origin.title == "Archive - Field Notes"
    reasons = dict(discovery.skipped)
    assert reasons["https://notes.example.com/archive"] == "archive page itself"
    assert reasons["https://notes.example.com/archive?page=2"] == "pagination"
    assert reasons["https://notes.example.com/page/2"] == "pagination"
    assert reasons["https://notes.example.com/tag/ai"] == "not an issue (navigation)"
    assert reasons["https://notes.example.com/about"] == "not an issue (navigation)"
    assert reasons["https://notes.example.com/p/issue-3/comments"] == "not an issue (navigation)"
    assert reasons["https://elsewhere.example/p/not-ours"] == "other site"


def test_parse_archive_empty() -> None:
    assert parse_archive(b"", "https://x.example/archive").next_pages == []


@pytest.mark.parametrize(
    ("url", "api"),
    [
        (
            "https://kghosh.substack.com/archive",
            "https://kghosh.substack.com/api/v1/archive?sort=new&offset=0&limit=50",
        ),
        (
            "https://newsletter.example.com/archive/?sort=top",
            "https://newsletter.example.com/api/v1/archive?sort=new&offset=0&limit=50",
        ),
        (
            "https://kghosh.substack.com/",
            "https://kghosh.substack.com/api/v1/archive?sort=new&offset=0&limit=50",
        ),
        ("https://kghosh.substack.com/p/20230701", None),
        ("https://example.com/blog", None),
        ("ftp://example.com/archive", None),
    ],
)
def test_substack_archive_api(url: str, api: str | None) -> None:
    assert substack_archive_api(url) == api


def _posts(start: int, count: int) -> bytes:
    return json.dumps(
        [
            {
                "canonical_url": f"https://kghosh.substack.com/p/post-{i}",
                "post_date": f"2023-07-{1 + i % 28:02d}T08:00:00.000Z",
                "title": f"Post {i}",
            }
            for i in range(start, start + count)
        ]
    ).encode()


def test_parse_substack_archive_api_pages() -> None:
    api = "https://kghosh.substack.com/api/v1/archive?sort=new&offset=0&limit=50"
    issues, next_api = parse_substack_archive_api(_posts(0, 50), api)
    assert len(issues) == 50 and issues[0] == "https://kghosh.substack.com/p/post-0"
    assert next_api == "https://kghosh.substack.com/api/v1/archive?sort=new&offset=50&limit=50"
    issues, next_api = parse_substack_archive_api(_posts(50, 7), next_api)
    assert issues[-1] == "https://kghosh.substack.com/p/post-56"
    assert next_api is None


def test_parse_substack_archive_api_ignores_bad_items() -> None:
    content = json.dumps(
        [
            {"canonical_url": "javascript:x"},
            "junk",
            {"post_date": "2023"},
            {"canonical_url": "https://a.substack.com/p/ok"},
        ]
    ).encode()
    issues, next_api = parse_substack_archive_api(
        content, "https://a.substack.com/api/v1/archive?offset=0&limit=50"
    )
    assert (issues, next_api) == (["https://a.substack.com/p/ok"], None)
    with pytest.raises(ValueError):
        parse_substack_archive_api(b'{"error": "nope"}', "https://a.substack.com/api/v1/archive")
    with pytest.raises(ValueError):
        parse_substack_archive_api(b"<html>", "https://a.substack.com/api/v1/archive")
