"""Page header links: a `)` in a URL does not end the link early, and a title cannot carry
a live link (index.md already escaped both; the page header did not)."""

from __future__ import annotations

from urllib.parse import unquote

from markdown_it import MarkdownIt

from techwatch.card import Card
from techwatch.publish.markdown import PageMeta, parse_page, render_page

HOSTILE_TITLE = "Click [me](javascript:alert(1)) \\[x] now"
PAREN_URL = "https://en.wikipedia.org/wiki/Smile_:)?a=(1"  # unbalanced both ways


def render(title: str, url: str, origin_url: str = "https://news.example/p/20250504") -> str:
    meta = PageMeta(title=title, url=url, origin_label="20250504", origin_url=origin_url)
    return render_page(Card(title=title, summary="A summary."), meta)


def links(page: str) -> list[tuple[str, str]]:
    """(href, text) of every link a CommonMark renderer makes of the page."""
    md = MarkdownIt("commonmark")
    md.validateLink = lambda url: True  # see every link a lax renderer would make
    tokens = md.parse(page)
    found = []
    for block in tokens:
        children = block.children or []
        for i, tok in enumerate(children):
            if tok.type == "link_open":
                text = children[i + 1].content if i + 1 < len(children) else ""
                found.append((tok.attrs["href"], text))
    return found


def test_a_title_cannot_become_a_link():
    page = render(HOSTILE_TITLE, "https://a.example/x")
    hrefs = [href for href, _ in links(page)]
    assert not [h for h in hrefs if "javascript" in h.lower()]
    assert hrefs == ["https://news.example/p/20250504", "https://a.example/x"]
    assert parse_page(page).meta.title == HOSTILE_TITLE  # the escaping round-trips


def test_a_closing_parenthesis_does_not_end_the_url():
    page = render("Heat pumps", PAREN_URL, origin_url="https://news.example/p/1)")
    found = dict((text, unquote(href)) for href, text in links(page))
    assert found["External link"] == PAREN_URL
    assert found["20250504"] == "https://news.example/p/1)"
    assert unquote(parse_page(page).meta.url) == PAREN_URL
