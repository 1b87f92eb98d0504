"""Bad input through the whole pipeline: every URL ends with one status and a reason.

A real HTTP server on 127.0.0.1 plays the hostile web; a real SQLite workspace records.
"""

from __future__ import annotations

import gzip

import pytest

from hostile_server import (
    HostileServer,
    big,
    compression_bomb,
    page,
    redirect,
    sequence,
    stall,
    status,
)
from techwatch.workspace import Workspace

PROSE = (
    "Grid operators in region {i} are rethinking how they buy flexibility from households. "
    "Heat pumps and home batteries there answer price signals within {i} seconds, "
    "and aggregators bid that flexibility into markets that used to belong to gas plants. "
)
BODY = "".join(PROSE.format(i=i) for i in range(14))


def article(title: str, body: str = BODY) -> str:
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title>"
        f"<meta property='og:title' content='{title}'></head><body>"
        "<nav><a href='/'>Home</a> <a href='/about'>About</a></nav>"
        f"<article><h1>{title}</h1><p>By Ada Writer</p>"
        + "".join(f"<p>{body[i : i + 300]}</p>" for i in range(0, len(body), 300))
        + "</article><footer>© Example</footer></body></html>"
    )


def routes() -> dict:
    cp1252 = article(
        "Café society",
        "".join(f"Le café numéro {i} est déjà très populaire à Paris. " for i in range(60)),
    )
    return {
        "/robots.txt": page("User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/good": page(article("A good article")),
        "/malformed": page(
            "<html><body><article><h1>Broken <b>markup<p>"
            + "<p>".join(PROSE.format(i=i) for i in range(14))
            + "<div><span></article></td></tr>"
        ),
        "/empty": page(""),
        "/big": big(50 * 1024 * 1024),
        "/bomb": compression_bomb(100 * 1024 * 1024),
        "/lying-charset": page(cp1252.encode("cp1252"), content_type="text/html; charset=utf-8"),
        "/loop-a": redirect("/loop-b"),
        "/loop-b": redirect("/loop-a"),
        "/stall": stall(5.0),
        "/busy": sequence(status(429, {"Retry-After": "1"}), page(article("Worth the wait"))),
        "/private/page": page(article("Robots say no")),
        "/missing": status(404),
        "/gone": status(410),
        "/forbidden": status(403),
        "/broken-unavailable": status(503),
        "/image.html": page(
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 4000, content_type="text/html; charset=utf-8"
        ),
        "/index": page(
            "<html><body><h1>All posts</h1><ul>"
            + "".join(f"<li><a href='/post/{i}'>Post number {i}</a></li>" for i in range(80))
            + "</ul></body></html>"
        ),
        "/short": page(article("Short", "Just a few words here. " * 5)),
        "/gzipped": page(
            gzip.compress(article("Compressed article").encode()),
            headers={"Content-Encoding": "gzip"},
        ),
        "/broken-feed.xml": page(
            "<?xml version='1.0'?><rss><channel><title>x</title><item><title>unclosed",
            content_type="application/rss+xml",
        ),
    }


EXPECTED = {
    "/good": "ok",
    "/malformed": "ok",
    "/empty": "too_short",
    "/big": "too_long",
    "/bomb": "too_long",
    "/lying-charset": "ok",
    "/loop-a": "failed",
    "/stall": "failed",
    "/busy": "ok",
    "/private/page": "blocked",
    "/missing": "dead",
    "/gone": "dead",
    "/forbidden": "blocked",
    "/broken-unavailable": "failed",
    "/image.html": "binary",
    "/index": "not_article",
    "/short": "too_short",
    "/gzipped": "ok",
}


@pytest.fixture
def hostile():
    with HostileServer(routes()) as server:
        yield server


@pytest.fixture
def fault_ws(tmp_path):
    overrides = {
        "fetch": {
            "allow_private": True,
            "per_host_delay": 0.0,
            "timeout": 1.0,
            "retries": 1,
            "backoff": 0.01,
            "max_retry_after": 2.0,
            "max_bytes": 2 * 1024 * 1024,
        }
    }
    ws = Workspace.init(tmp_path / "ws", overrides=overrides)
    yield ws
    ws.close()


def test_every_bad_input_ends_with_a_status_and_a_reason(hostile, fault_ws, tmp_path):
    ws = fault_ws
    url_list = tmp_path / "links.txt"
    lines = ["# my reading list", "", "not a url at all", "ftp://example.org/file"]
    lines += [hostile.url(path) for path in EXPECTED]
    url_list.write_text("\n".join(lines) + "\n", encoding="utf-8")

    added = ws.add(str(url_list))
    assert added.kind == "urllist"
    assert added.new == len(EXPECTED)
    assert len(added.skipped) == 2  # junk lines reported, not fatal

    feed = ws.add(hostile.url("/broken-feed.xml"), kind="feed")
    assert feed.status == "failed" and feed.reason

    report = ws.fetch()
    assert report.processed == len(EXPECTED)

    for path, expected in EXPECTED.items():
        row = ws.store.article_by_url(hostile.url(path))
        assert row is not None, path
        assert row["status"] == expected, (path, row["status"], row["reason"])
        if expected != "ok":
            assert row["reason"], path

    # The counts add up: every discovered URL has exactly one status.
    counts = ws.store.status_counts()
    assert sum(counts.values()) == len(EXPECTED)
    assert counts.get("pending", 0) == 0

    # Non-UTF-8 bytes under a lying declaration decode correctly.
    cafe = ws.store.article_by_url(hostile.url("/lying-charset"))
    assert "café numéro 0 est déjà" in cafe["text"]

    # Retry-After was honoured: the 429 was retried and the second answer kept.
    assert ws.store.article_by_url(hostile.url("/busy"))["attempts"] == 1

    # Item-level failures are in the workspace log with their reasons.
    log = (ws.root / "techwatch.log").read_text(encoding="utf-8")
    assert "/missing" in log and "dead" in log
    assert "broken-feed.xml" in log

    # Rerunning does nothing more; --retry-failed retries only the failures.
    assert ws.fetch().processed == 0
    retried = ws.fetch(retry_failed=True)
    assert retried.processed == sum(1 for s in EXPECTED.values() if s == "failed")


def test_private_addresses_are_refused_unless_allowed(hostile, tmp_path):
    links = tmp_path / "links.txt"
    links.write_text(hostile.url("/good") + "\n", encoding="utf-8")
    ws = Workspace.init(tmp_path / "strict", overrides={"fetch": {"allow_private": False}})
    try:
        ws.add(str(links))
        ws.fetch()
        row = ws.store.article_by_url(hostile.url("/good"))
        assert row["status"] == "blocked"
        assert "127.0.0.1" in row["reason"]
        assert not any(hit.path == "/good" for hit in hostile.hits)  # never connected
    finally:
        ws.close()
    allowed = Workspace.open(tmp_path / "strict", overrides={"fetch": {"allow_private": True}})
    try:
        allowed.fetch(retry_failed=True)
        assert allowed.store.article_by_url(hostile.url("/good"))["status"] == "blocked"
    finally:
        allowed.close()
