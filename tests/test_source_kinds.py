"""Every source kind through the real pipeline: files, folders, local issues, OPML, feeds.

Request counts are asserted per URL on the real loopback server: a source read twice in
one run, or an article fetched twice, is a bug even when the outcome looks right.
"""

from __future__ import annotations

from collections import Counter

from hostile_server import HostileServer, conditional, page
from techwatch.demo.articles import ARTICLES
from techwatch.demo.corpus import pdf_bytes, png_bytes
from techwatch.sources.urls import file_url


def article_html(i: int) -> str:
    item = ARTICLES[i]
    paragraphs = "".join(f"<p>{p}</p>" for p in item.text.split("\n\n") if p.strip())
    return (
        f"<html lang='en'><head><title>{item.title}</title></head>"
        f"<body><article><h1>{item.title}</h1>{paragraphs}</article></body></html>"
    )


def rss(base: str, items: range) -> str:
    entries = "".join(
        f"<item><title>{ARTICLES[i].title}</title><link>{base}/a/{i}</link>"
        f"<pubDate>Tue, 0{1 + i % 9} Sep 2026 08:00:00 GMT</pubDate></item>"
        for i in items
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Feed</title>{entries}</channel></rss>"


def requests_per_path(server: HostileServer) -> Counter[str]:
    """Requests per path (robots.txt aside: once per host and run, by design)."""
    return Counter(h.path for h in server.hits if h.path != "/robots.txt")


def routes() -> dict:
    served = {f"/a/{i}": page(article_html(i)) for i in range(8)}
    served["/robots.txt"] = page("User-agent: *\nAllow: /\n", content_type="text/plain")
    return served


def test_folder_and_single_files(workspace, tmp_path):
    folder = tmp_path / "papers"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.html").write_text(article_html(0), encoding="utf-8")
    (folder / "two.md").write_text(f"# {ARTICLES[1].title}\n\n{ARTICLES[1].text}\n", "utf-8")
    (folder / "sub" / "three.txt").write_text(ARTICLES[2].text, encoding="utf-8")
    (folder / "four.pdf").write_bytes(pdf_bytes(ARTICLES[3]))
    (folder / "fake.html").write_bytes(png_bytes())
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    (folder / ".hidden.md").write_text("secret", encoding="utf-8")

    added = workspace.add(str(folder))
    assert added.kind == "folder"
    assert added.new == 5
    assert any("notes.docx" in what for what, _ in added.skipped)

    single = tmp_path / "single.pdf"
    single.write_bytes(pdf_bytes(ARTICLES[4]))
    assert workspace.add(str(single)).kind == "file"

    workspace.fetch()
    status = {row["url"].rsplit("/", 1)[-1]: row for row in workspace.store.list_articles()}
    assert {name: row["status"] for name, row in status.items()} == {
        "one.html": "ok",
        "two.md": "ok",
        "three.txt": "ok",
        "four.pdf": "ok",
        "fake.html": "binary",
        "single.pdf": "ok",
    }
    assert status["two.md"]["title"] == ARTICLES[1].title
    assert status["four.pdf"]["kind"] == "pdf"
    assert status["one.html"]["url"] == file_url((folder / "one.html").resolve())
    assert status["one.html"]["origin_kind"] == "folder"

    # A file dropped in the folder later is picked up by the next run.
    (folder / "five.md").write_text(f"# {ARTICLES[5].title}\n\n{ARTICLES[5].text}\n", "utf-8")
    again = workspace.fetch()
    assert dict(again.counts) == {"ok": 1}


def test_local_newsletter_issue_file_and_reextraction(workspace, tmp_path):
    with HostileServer(routes()) as server:
        issue = tmp_path / "2026-09-14-issue.md"
        lines = [
            f"* [{ARTICLES[i].title}]({server.url(f'/a/{i}')}?utm_source=news)" for i in range(4)
        ]
        issue.write_text("# My newsletter\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
        added = workspace.add(str(issue))
        assert added.kind == "newsletter" and added.new == 4
        workspace.fetch()
        assert requests_per_path(server) == {f"/a/{i}": 1 for i in range(4)}
        rows = workspace.store.list_articles()
        assert {r["status"] for r in rows} == {"ok"}
        assert {r["origin_date"] for r in rows} == {"2026-09-14"}
        assert all("utm_source" not in r["url"] for r in rows)
        hits = len(server.hits)

        # Stricter settings, then re-extraction from the raw cache: no request at all.
        from techwatch.workspace import Workspace

        strict = Workspace.open(workspace.root, overrides={"extract": {"min_chars": 100000}})
        try:
            report = strict.fetch(reextract=True)
            assert report.counts == {"too_short": 4}
            assert len(server.hits) == hits
        finally:
            strict.close()


def test_opml_feeds_and_conditional_get(workspace, tmp_path):
    state: dict[str, str] = {}
    with HostileServer(routes()) as server:
        feed_routes = {"/feed.xml": conditional(rss(server.url(""), range(5)), etag='"v1"')}
        server.routes.update(feed_routes)
        state["feed"] = server.url("/feed.xml")
        opml = tmp_path / "feeds.opml"
        opml.write_text(
            "<?xml version='1.0'?><opml version='2.0'><head><title>x</title></head><body>"
            f"<outline text='Tech'><outline type='rss' text='Feed' xmlUrl='{state['feed']}'/>"
            "</outline></body></opml>",
            encoding="utf-8",
        )
        added = workspace.add(str(opml))
        assert added.kind == "opml"
        assert added.sources_added == 1 and added.new == 5
        feed = next(s for s in workspace.store.list_sources() if s["kind"] == "feed")
        assert feed["etag"] == '"v1"'
        rows = workspace.store.list_articles()
        assert {r["published_from"] for r in rows} == {"feed"}
        assert all(r["published"].startswith("2026-09-0") for r in rows)

        assert requests_per_path(server) == {"/feed.xml": 1}  # read once when added

        workspace.fetch()  # refreshes the feed (once) with If-None-Match
        assert requests_per_path(server) == {"/feed.xml": 2, **{f"/a/{i}": 1 for i in range(5)}}
        first, second = server.hits_for("/feed.xml")
        assert "if-none-match" not in first.headers
        assert second.headers.get("if-none-match") == '"v1"'
        feed = workspace.store.get_source(feed["id"])
        assert feed["reason"] == "not modified"
        assert workspace.store.status_counts() == {"ok": 5}

        workspace.fetch()  # nothing new: one conditional request, no article again
        assert requests_per_path(server) == {"/feed.xml": 3, **{f"/a/{i}": 1 for i in range(5)}}


def test_a_feed_in_an_opml_file_and_added_alone_is_read_once_per_run(workspace, tmp_path):
    with HostileServer(routes()) as server:
        server.routes["/feed.xml"] = page(
            rss(server.url(""), range(3)), content_type="application/rss+xml"
        )
        feed_url = server.url("/feed.xml")
        assert workspace.add(feed_url).kind == "feed"
        opml = tmp_path / "feeds.opml"
        opml.write_text(
            "<?xml version='1.0'?><opml version='2.0'><body>"
            f"<outline type='rss' text='Feed' xmlUrl='{feed_url}'/>"
            f"<outline type='rss' text='Again' xmlUrl='{feed_url}'/></body></opml>",
            encoding="utf-8",
        )
        workspace.add(str(opml))
        before = requests_per_path(server)["/feed.xml"]
        workspace.fetch()
        assert requests_per_path(server)["/feed.xml"] == before + 1
        assert {p: n for p, n in requests_per_path(server).items() if p != "/feed.xml"} == {
            f"/a/{i}": 1 for i in range(3)
        }


def test_an_unchanged_feed_without_validators_is_not_parsed_again(workspace, monkeypatch):
    """A big feed from a server without ETag/Last-Modified: same bytes, no parse, no writes."""
    from techwatch.stages import discover

    with HostileServer(routes()) as server:
        server.routes["/big.xml"] = page(
            rss(server.url(""), range(8)), content_type="application/rss+xml"
        )
        workspace.add(server.url("/big.xml"))
        workspace.fetch(limit=2)
        before = requests_per_path(server)["/big.xml"]
        parsed: list[str] = []
        real = discover.parse_feed

        def counting(content: bytes, url: str):
            parsed.append(url)
            return real(content, url)

        monkeypatch.setattr(discover, "parse_feed", counting)
        workspace.fetch(limit=2)
        assert parsed == []  # downloaded (no validators to send), not parsed
        assert requests_per_path(server)["/big.xml"] == before + 1
        source = workspace.store.list_sources()[0]
        assert source["reason"] == "not modified (same content)" and source["status"] == "ok"

        server.routes["/big.xml"] = page(
            rss(server.url(""), range(9)), content_type="application/rss+xml"
        )
        workspace.fetch(limit=2)  # new bytes: parsed again, the new entry recorded
        assert len(parsed) == 1
        assert len(workspace.store.list_articles()) == 9


def test_a_single_bookmarked_url_is_read_as_an_article(workspace):
    with HostileServer(routes()) as server:
        added = workspace.add(server.url("/a/5"), kind="article")
        assert added.kind == "article" and added.new == 1
        workspace.fetch()
    (row,) = workspace.store.list_articles()
    assert row["status"] == "ok" and row["title"] == ARTICLES[5].title


def test_unknown_kind_is_refused(workspace):
    import pytest

    with pytest.raises(ValueError, match="unknown source kind"):
        workspace.add("https://example.org/", kind="podcast")


def test_a_grown_feed_writes_only_its_new_entries(workspace, tmp_path):
    """Re-reading a 300-entry feed with one new entry: one transaction, a handful of
    statements, not 300 lookups and commits (a 100,000-entry feed took minutes)."""
    import asyncio

    from sqlalchemy import event

    from techwatch.fetch.client import Fetcher
    from techwatch.stages.discover import discover_source

    def big_rss(count: int) -> str:
        items = "".join(
            f"<item><title>Entry {i}</title><link>https://news.example/a/{i}</link></item>"
            for i in range(count)
        )
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Big</title>{items}</channel></rss>"

    feed = tmp_path / "big.xml"
    feed.write_text(big_rss(300), encoding="utf-8")
    assert workspace.add(str(feed), kind="feed").new == 300
    feed.write_text(big_rss(301), encoding="utf-8")
    statements: list[str] = []
    commits: list[int] = []
    engine = workspace.store.engine
    event.listen(engine, "before_cursor_execute", lambda c, cur, sql, *a: statements.append(sql))
    event.listen(engine, "commit", lambda conn: commits.append(1))

    async def reread():
        async with Fetcher() as fetcher:
            source = workspace.store.list_sources()[0]
            return await discover_source(workspace.context(), fetcher, source)

    report = asyncio.run(reread())
    assert report.status == "ok" and report.found == 301 and report.new == 1
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(writes) <= 4, writes  # the new article, its URL, the source row
    assert len(commits) <= 3
    assert len(statements) < 30


def test_adding_a_feed_downloads_it_once(workspace):
    """Kind detection reads the feed's first response; discovery reuses it, no second GET."""
    with HostileServer(routes()) as server:
        server.routes["/once.xml"] = page(
            rss(server.url(""), range(3)), content_type="application/rss+xml"
        )
        added = workspace.add(server.url("/once.xml"))
        assert added.kind == "feed" and added.status == "ok" and added.new == 3
        assert requests_per_path(server)["/once.xml"] == 1
        workspace.fetch()  # a later run reads it again, as it should
        assert requests_per_path(server)["/once.xml"] == 2
