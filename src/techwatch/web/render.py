"""HTML rendering shared by the static site and the live app.

Everything from an article or a model is untrusted: Jinja2 autoescapes it, markdown is
rendered with raw HTML off and only http(s)/mailto/relative links kept, and external URLs
pass `safe_url` before they become an `href`.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from techwatch.web.data import Issue, slug

__all__ = ["SiteUrls", "LiveUrls", "environment", "highlight", "markdown", "safe_url"]

_SAFE_SCHEMES = {"http", "https", "mailto"}


def safe_url(url: str | None) -> str:
    """The URL if it is http(s), mailto or relative; "" otherwise (javascript:, data:, ...)."""
    url = (url or "").strip()
    if not url or any(ord(c) < 32 for c in url):
        return ""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    if scheme and scheme not in _SAFE_SCHEMES:
        return ""
    if not scheme and re.match(r"^[\w+.-]*:", url):
        return ""
    return url


@cache
def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = lambda url: bool(safe_url(url))  # type: ignore[method-assign]
    return md


def markdown(text: str | None) -> Markup:
    """Markdown to HTML with raw HTML shown as text and unsafe links dropped."""
    return Markup(_md().render(text or ""))


_WORD = re.compile(r"\w+", re.UNICODE)


def _quote_pattern(quote_text: str) -> re.Pattern[str] | None:
    """A pattern finding a quote in the text despite case, spacing and punctuation changes."""
    words = _WORD.findall(quote_text)
    if len(words) < 2:
        return None
    return re.compile(r"\W+".join(re.escape(w) for w in words), re.IGNORECASE | re.UNICODE)


def highlight(text: str, quotes: list[str]) -> Markup:
    """The article text as escaped paragraphs, each evidence quote wrapped in <mark>."""
    spans: list[tuple[int, int]] = []
    for q in quotes:
        pattern = _quote_pattern(q)
        match = pattern.search(text) if pattern else None
        if match:
            spans.append(match.span())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out: list[str] = []
    last = 0
    for start, end in merged:
        out.append(str(escape(text[last:start])))
        out.append(f'<mark class="evidence">{escape(text[start:end])}</mark>')
        last = end
    out.append(str(escape(text[last:])))
    html = "".join(out)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", html) if p.strip()]
    return Markup("".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs))


class SiteUrls:
    """Links of the static site: relative to the page, so it works from file:// too."""

    suffix = ".html"

    def __init__(self, depth: int = 0) -> None:
        self.root = "../" * depth

    def at(self, depth: int) -> SiteUrls:
        return SiteUrls(depth)

    def home(self) -> str:
        return self.root + "index.html"

    def section(self, name: str) -> str:
        return f"{self.root}{name}/index.html"

    def card(self, card_id: str) -> str:
        return f"{self.root}cards/{card_id}.html"

    def cards_page(self, n: int) -> str:
        return self.section("cards") if n <= 1 else f"{self.root}cards/page-{n}.html"

    def issue(self, issue: Issue | str) -> str:
        key = issue.slug if isinstance(issue, Issue) else issue
        return f"{self.root}issues/{key}.html"

    def source(self, source_id: int) -> str:
        return f"{self.root}sources/{source_id}.html"

    def keyword(self, name: str) -> str:
        return f"{self.root}keywords/{slug(name)}.html"

    def theme(self, name: str) -> str:
        return f"{self.root}themes/{slug(name)}.html"

    def trend(self, trend_id: str) -> str:
        return f"{self.root}trends/{slug(str(trend_id))}.html"

    def topic(self, name: str) -> str:
        return f"{self.root}topics/{slug(name)}.html"

    def review(self, key: str) -> str:
        return f"{self.root}reviews/{slug(key)}.html"

    def search(self) -> str:
        return self.root + "search.html"

    def feed(self) -> str:
        return self.root + "feed.atom"

    def static(self, path: str) -> str:
        return f"{self.root}static/{path}"

    def map(self) -> str:
        return self.root + "trends/emergence-map.svg"

    def timelines(self) -> str:
        return self.root + "trends/timelines.svg"

    live = False


class LiveUrls(SiteUrls):
    """Links of the live app: absolute paths served by FastAPI."""

    def __init__(self, depth: int = 0) -> None:
        self.root = "/"

    def at(self, depth: int) -> LiveUrls:
        return self

    def home(self) -> str:
        return "/"

    def section(self, name: str) -> str:
        return f"/{name}"

    def card(self, card_id: str) -> str:
        return f"/cards/{quote(card_id, safe='')}"

    def cards_page(self, n: int) -> str:
        return "/cards" if n <= 1 else f"/cards?page={n}"

    def issue(self, issue: Issue | str) -> str:
        key = issue.slug if isinstance(issue, Issue) else issue
        return f"/issues/{quote(key, safe='')}"

    def source(self, source_id: int) -> str:
        return f"/sources/{int(source_id)}"

    def keyword(self, name: str) -> str:
        return f"/keywords/{quote(name, safe='')}"

    def theme(self, name: str) -> str:
        return f"/themes/{quote(name, safe='')}"

    def trend(self, trend_id: str) -> str:
        return f"/trends/{quote(str(trend_id), safe='')}"

    def topic(self, name: str) -> str:
        return f"/topics/{quote(name, safe='')}"

    def review(self, key: str) -> str:
        return f"/reviews/{quote(key, safe='')}"

    def search(self) -> str:
        return "/search"

    def feed(self) -> str:
        return "/feed.atom"

    def static(self, path: str) -> str:
        return f"/static/{path}"

    def map(self) -> str:
        return "/trends/emergence-map.svg"

    def timelines(self) -> str:
        return "/trends/timelines.svg"

    live = True


@cache
def environment() -> Environment:
    """The Jinja2 environment: package templates, autoescape on for HTML and XML."""
    env = Environment(
        loader=PackageLoader("techwatch.web", "templates"),
        autoescape=select_autoescape(["html", "xml", "atom", "svg"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat() per page
    )
    env.filters["md"] = markdown
    env.filters["safe_url"] = safe_url
    env.globals["safe_url"] = safe_url
    return env
