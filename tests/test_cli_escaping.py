"""Untrusted text (titles, reasons, junk lines, paths, snippets) prints as written.

Before, it went out as Rich markup: `[/x]` raised MarkupError, `[link=...]` made a live
terminal hyperlink, and the `[battery]` highlight of a search snippet was eaten as a tag.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from techwatch import cli
from techwatch.cli import app

runner = CliRunner()
EVIL = "[/x] [link=https://evil.example/]click[/link] [bold red]"
TITLE = "Battery [/x][link=https://e.vil/]hi[/link] story"  # short: tables cut at 50


def tw(ws, *args):
    return runner.invoke(app, ["-w", str(ws), *args], catch_exceptions=False)


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    """A workspace whose folder path, article titles, reasons and URL-list lines are hostile."""
    monkeypatch.setattr(cli.console, "width", 400)
    monkeypatch.setattr(cli.err, "width", 400)
    ws = tmp_path / "ws"
    assert tw(ws, "init", str(ws)).exit_code == 0
    # Its path reads ".../docs [/x] [link=https:/evil.example/]" (slashes make folders).
    docs = tmp_path / "docs [" / "x] [link=https:" / "evil.example" / "]"
    docs.mkdir(parents=True)
    body = " ".join(
        f"Engineers say battery storage grows in city {i} as costs fall and grids adapt."
        for i in range(40)
    )
    (docs / "a.md").write_text(f"# {TITLE}\n\n{body}\n", encoding="utf-8")
    links = tmp_path / "links.txt"
    links.write_text(f"https://example.org/a\n{EVIL} not a url\n", encoding="utf-8")
    return ws, docs, links


def assert_literal(result, *texts):
    assert result.exit_code == 0, result.output
    for text in texts:
        assert text in result.output, (text, result.output)


def test_hostile_text_prints_as_written_in_every_command(hostile):
    ws, docs, links = hostile
    assert_literal(tw(ws, "add", str(docs)), "source 1 (folder): ok")
    added = tw(ws, "add", str(links), "--no-discover")
    assert added.exit_code == 0
    discovered = tw(ws, "add", str(links))  # reads the list: the junk line is shown
    assert discovered.exit_code == 0, discovered.output
    assert EVIL in discovered.output
    fetched = tw(ws, "fetch", "--no-discover", "--limit", "1")
    assert_literal(fetched, "docs [/x] [link=https:/evil.example/]")  # the folder path
    assert_literal(tw(ws, "articles"), TITLE)
    assert_literal(tw(ws, "status"), "[link=https:/evil.example/]")
    assert_literal(tw(ws, "analyze"), "ok 1")
    assert_literal(tw(ws, "cards"), TITLE)


def test_hostile_reasons_and_http_status_lines(hostile):
    ws, docs, _ = hostile
    tw(ws, "add", str(docs))
    tw(ws, "fetch")
    from techwatch import Workspace

    with Workspace.open(ws) as opened:
        [article] = opened.articles.list()
        reason = "HTTP 500 [/x][link=https://e.vil/]x[/link]"  # short: cut at 60
        opened.store.save_article(article.id, status="failed", reason=reason)
    assert_literal(tw(ws, "status"), reason)
    assert_literal(tw(ws, "articles", "show", article.id), reason, TITLE)
    assert_literal(tw(ws, "articles", "list", "--status", "failed"), TITLE)


def test_search_snippets_keep_their_highlighted_terms(hostile):
    ws, docs, _ = hostile
    tw(ws, "add", str(docs))
    tw(ws, "fetch")
    tw(ws, "analyze")
    found = tw(ws, "articles", "search", "battery")
    assert_literal(found, "[battery]")
    cards = tw(ws, "cards", "search", "battery")
    assert_literal(cards, "[battery]")
