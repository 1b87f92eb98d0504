"""The static site: every link resolves, no page is over budget, hostile text stays text,
and rebuilds only rewrite what changed."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from techwatch.card import Signal
from techwatch.web.site import PAGE_BUDGET
from web_fixtures import HOSTILE_TITLE, add_card, add_hostile, assert_no_live_script


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def check_links(site: Path) -> int:
    """Every local href/src of every page exists; returns how many links were checked."""
    checked = 0
    pages = list(site.rglob("*.html"))
    assert pages
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert not parts.scheme, f"{page}: link with scheme {link!r}"
            assert not link.startswith("/"), f"{page}: absolute link {link!r} breaks file://"
            if not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(site)} links to missing {link!r}"
            checked += 1
    return checked


def test_site_links_budget_and_escaping(workspace, tmp_path):
    ids = [add_card(workspace, n) for n in range(30)]
    hostile = add_hostile(workspace)
    out = tmp_path / "site"
    report = workspace.site(out)
    assert report.pages > 30 and report.written > 30
    assert check_links(out) > 100
    for page in out.rglob("*.html"):
        assert page.stat().st_size < PAGE_BUDGET, page
    for card_id in ids + [hostile]:
        assert (out / "cards" / f"{card_id}.html").is_file()
    # Hostile strings are escaped everywhere they appear.
    for page in [
        out / "cards" / f"{hostile}.html",
        out / "index.html",
        *out.glob("keywords/*.html"),
    ]:
        assert_no_live_script(page.read_text(encoding="utf-8"))
    card_html = (out / "cards" / f"{hostile}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in card_html
    assert 'href="https://example.org/a_(b)"' in card_html  # ")" inside a markdown URL
    assert "Read the article" not in card_html  # its javascript: URL is not linked
    index_js = (out / "search-index.js").read_text(encoding="utf-8")
    assert "</script" not in index_js.lower()
    assert "\\u003cscript>" in index_js
    feed = (out / "feed.atom").read_text(encoding="utf-8")
    assert "<script>" not in feed and "&lt;script&gt;" in feed
    assert HOSTILE_TITLE not in card_html


def test_site_related_cards_never_the_card_itself(workspace, tmp_path):
    a = add_card(workspace, 1, keywords=["shared term", "alpha"], themes=["t"])
    b = add_card(workspace, 2, keywords=["shared term", "beta"], themes=["t"])
    c = add_card(workspace, 3, keywords=["gamma"], themes=["other"])
    out = tmp_path / "site"
    workspace.site(out)
    page_a = (out / "cards" / f"{a}.html").read_text(encoding="utf-8")
    related = page_a.split('id="h-related"')[1]
    assert f"{b}.html" in related
    assert f"{a}.html" not in related
    assert f"{c}.html" not in related


def test_site_rebuild_is_incremental(workspace, tmp_path):
    for n in range(20):
        add_card(workspace, n)
    out = tmp_path / "site"
    first = workspace.site(out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = workspace.site(out)
    assert again.written == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before
    new_id = add_card(workspace, 100, keywords=["brand new keyword"], themes=["fresh"])
    third = workspace.site(out)
    assert (out / "cards" / f"{new_id}.html").is_file()
    assert 0 < third.written < first.written / 2
    untouched = [p for p, m in before.items() if p.exists() and p.stat().st_mtime_ns == m]
    assert len(untouched) > len(before) / 2


def test_site_removes_pages_of_deleted_cards_and_refuses_foreign_folders(workspace, tmp_path):
    keep = add_card(workspace, 1)
    gone = add_card(workspace, 2)
    out = tmp_path / "site"
    workspace.site(out)
    assert (out / "cards" / f"{gone}.html").is_file()
    workspace.store.save_card(gone, status="failed", reason="test", keep_existing_ok=False)
    report = workspace.site(out)
    assert report.removed >= 1
    assert not (out / "cards" / f"{gone}.html").exists()
    assert (out / "cards" / f"{keep}.html").is_file()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not empty"):
        workspace.site(foreign)
    assert (foreign / "notes.txt").read_text() == "keep me"


def test_empty_site_says_what_to_do(workspace, tmp_path):
    out = tmp_path / "site"
    workspace.site(out)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "No cards yet" in home and "techwatch add" in home
    assert check_links(out) > 0


def test_signals_on_card_page(workspace, tmp_path):
    cid = add_card(
        workspace,
        5,
        signals=[Signal(name="Heat pumps at scale", change="gas to heat pumps", relevancy=3)],
    )
    out = tmp_path / "site"
    workspace.site(out)
    html = (out / "cards" / f"{cid}.html").read_text(encoding="utf-8")
    assert "Heat pumps at scale" in html and "gas to heat pumps" in html and "3/5" in html


def test_big_indexes_split_by_initial(workspace, tmp_path, monkeypatch):
    import techwatch.web.site as site_module

    monkeypatch.setattr(site_module, "INDEX_SPLIT", 5)
    for n in range(12):
        add_card(workspace, n, keywords=[f"{chr(97 + n)}lpha {n}", f"zeta {n}"])
    out = tmp_path / "site"
    workspace.site(out)
    index = (out / "keywords" / "index.html").read_text(encoding="utf-8")
    assert 'href="letter-0.html"' in index
    letters = list((out / "keywords").glob("letter-*.html"))
    assert len(letters) >= 12
    assert check_links(out) > 0


def test_issue_page_shows_its_latest_story(workspace, tmp_path):
    """The stored story of an issue (the latest: a regeneration replaces it), made inert."""
    from techwatch.outputs.records import save_story

    card_id = add_card(workspace, 1, date="2025-03-10")
    out = tmp_path / "site"
    workspace.site(out)
    (page,) = (out / "issues").glob("*2025-03-10*.html")
    assert "Story of this issue" not in page.read_text(encoding="utf-8")
    for title in ("First draft", "The <b>tide</b> turns"):
        save_story(
            workspace.store,
            "2025-03-10",
            title=title,
            text=f"{title}. Ana <script>alert(1)</script> opens the [door](javascript:alert(1)).",
            article_ids=[card_id],
            backend="test",
            model="tiny-model",
        )
    report = workspace.site(out)
    assert report.written > 0  # the story changed the issue page's inputs
    html = page.read_text(encoding="utf-8")
    assert "Story of this issue: The &lt;b&gt;tide&lt;/b&gt; turns" in html
    assert "First draft" not in html and "tiny-model" in html
    assert "<script>alert" not in html and 'href="javascript:' not in html
    assert_no_live_script(html)
    check_links(out)
