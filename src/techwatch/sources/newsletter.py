"""A newsletter issue (HTML page or markdown file) to its outbound article links.

An issue page is mostly chrome: navigation, subscribe buttons, share links, comments,
images. The links worth reading are the outbound ones in the post body, so the body is
found first (known post containers, then <article>, <main>, <body> minus chrome) and every
link is classified; whatever is left out is kept in `skipped` with the reason.
The content is hostile: lxml parses it without network or entity resolution, nothing is
executed, and every URL is checked for its scheme before use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from email.utils import parsedate_to_datetime
from pathlib import PurePath
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from techwatch.fetch.decode import decode
from techwatch.sources.model import Discovery, Link, Origin
from techwatch.sources.urls import (
    canonicalize,
    find_date_slug,
    host_of,
    is_http_url,
    is_image_or_media,
    is_social_share,
    is_tracking_redirect_host,
    same_site,
    unwrap_redirect,
    url_date,
)

MARKDOWN_SUFFIXES = (".md", ".markdown", ".txt", ".mdown", ".mkd")

# Post-body containers of common newsletter platforms, tried in order (XPath).
_HAS_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"
BODY_CONTAINERS: tuple[str, ...] = (
    f"//div[{_HAS_CLASS.format('body')} and {_HAS_CLASS.format('markup')}]",  # Substack
    f"//div[{_HAS_CLASS.format('available-content')}]",  # Substack
    f"//*[{_HAS_CLASS.format('gh-content')}]",  # Ghost
    "//*[@id='content-blocks']",  # Beehiiv
    f"//*[{_HAS_CLASS.format('rendered-post')}]",  # Beehiiv web
    f"//*[{_HAS_CLASS.format('email-body-content')}]",  # Buttondown
    f"//*[{_HAS_CLASS.format('email-body')}]",  # Buttondown
    "//*[@id='templateBody']",  # Mailchimp
    f"//*[{_HAS_CLASS.format('post-content')}]",  # Ghost themes, Jekyll, Hugo
    f"//*[{_HAS_CLASS.format('entry-content')}]",  # WordPress
    "//*[@itemprop='articleBody']",
    "//article",
    "//main",
    "//*[@role='main']",
)
# Chrome removed from the chosen container (and from the whole body in the fallback).
_CHROME_TAGS = ("nav", "footer", "aside", "form", "script", "style", "noscript", "template")
_CHROME_CLASSES = (
    "comments",
    "comments-section",
    "subscribe-widget",
    "subscription-widget-wrap",
    "post-footer",
    "share-dialog",
    "footer",
)

# Link texts that mark newsletter chrome wherever they point.
_CHROME_TEXTS = frozenset(
    {
        "subscribe",
        "subscribe now",
        "share",
        "leave a comment",
        "comment",
        "comments",
        "like",
        "restack",
        "upgrade to paid",
        "sign in",
        "log in",
        "login",
        "give a gift subscription",
        "view in browser",
        "view online",
        "view this email in your browser",
        "view this post on the web",
        "read in app",
        "open in app",
        "unsubscribe",
        "manage preferences",
        "manage your subscription",
        "update your preferences",
        "update preferences",
        "email preferences",
        "forward to a friend",
    }
)
_CHROME_PATH = re.compile(
    r"(?:^|/)(?:unsubscribe|optout|opt-out|manage-?preferences|preferences|email-preferences"
    r"|profile/manage|subscribe|account|sign-?in|login)(?:/|$|\?)",
    re.IGNORECASE,
)
_SUBSTACK_CHROME_PATH = re.compile(
    r"^/(?:subscribe|account|action|app|share|sign-?in|api|about|archive|leaderboard|notes"
    r"|chat|podcast|recommendations|people|profile|@)|/comments?(?:/|$)",
    re.IGNORECASE,
)

_MD_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_MD_REF = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
_BARE_URL = re.compile(r"<?(https?://[^\s<>\"'`\]\[)]+[^\s<>\"'`\]\[).,;:!?])>?")
_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html|head|body|div|p|a\s|table|article)\b", re.I)


def decode_text(content: str | bytes) -> str:
    """Bytes to text with the one decoder of techwatch (`techwatch.fetch.decode`): valid
    UTF-8 wins over a lying declaration, then a declaration that decodes cleanly, then a
    statistical guess."""
    if isinstance(content, str):
        return content
    return decode(content)[0]


def parse_html(content: str | bytes) -> html.HtmlElement | None:
    """Parse hostile HTML without network access or entity expansion; None when empty."""
    text = decode_text(content)
    if not text.strip():
        return None
    parser = html.HTMLParser(
        encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True, recover=True
    )
    try:
        return html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):
        return None


def looks_like_html(content: str | bytes) -> bool:
    """Whether content opens like an HTML document (rather than markdown or text)."""
    head = content[:4096]
    if isinstance(head, str):
        head = head.encode("utf-8", errors="replace")
    return bool(_HTML_SNIFF.search(head))


def _norm_space(text: str) -> str:
    return " ".join(text.split())


def _iso_date(value: str) -> str:
    """ "YYYY-MM-DD" from an ISO 8601 or RFC 2822 date string, in its own time zone."""
    value = value.strip()
    match = re.match(r"^((?:19|20)\d{2})-(\d{2})-(\d{2})", value)
    if match:
        return find_date_slug("-".join(match.groups()))
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return ""


def _meta(root: html.HtmlElement, *names: str) -> str:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            for element in root.xpath(f"//meta[@{attr}=$n]", n=name):
                value = element.get("content", "").strip()
                if value:
                    return value
    return ""


def _jsonld_objects(root: html.HtmlElement) -> Iterator[dict]:
    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])


def _page_date(root: html.HtmlElement) -> tuple[str, str]:
    """The issue date from a <time datetime> in the post header, else page metadata."""
    for xpath in (
        "//header//time[@datetime]",
        "//*[contains(@class,'post-header') or contains(@class,'post-meta')]//time[@datetime]",
        "//article//time[@datetime]",
        "//time[@datetime]",
    ):
        for element in root.xpath(xpath):
            found = _iso_date(element.get("datetime", ""))
            if found:
                return found, "time tag"
    value = _meta(root, "article:published_time", "og:published_time", "datePublished")
    found = _iso_date(value) if value else ""
    if not found:
        for obj in _jsonld_objects(root):
            raw = obj.get("datePublished")
            if isinstance(raw, str) and (found := _iso_date(raw)):
                break
    if not found:
        value = _meta(root, "date", "dc.date", "DC.date", "dcterms.created", "pubdate")
        found = _iso_date(value) if value else ""
    return (found, "page metadata") if found else ("", "")


def page_links(root: html.HtmlElement, base_url: str) -> Iterator[tuple[str, str | None]]:
    """Each `<a href>` of a page as (href, absolute URL), the URL None when it cannot be
    resolved; empty hrefs and in-page anchors are left out."""
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        try:
            yield href, urljoin(base_url, href)
        except ValueError:
            yield href, None


def page_title(root: html.HtmlElement) -> str:
    title = _meta(root, "og:title", "twitter:title")
    if not title:
        titles = root.xpath("//title")
        title = titles[0].text_content() if titles else ""
    if not title.strip():
        h1 = root.xpath("//h1")
        title = h1[0].text_content() if h1 else ""
    return _norm_space(title)


def _body_links(root: html.HtmlElement) -> list[html.HtmlElement]:
    """The <a href> elements of the post body, chrome removed."""
    containers: list[html.HtmlElement] = []
    for xpath in BODY_CONTAINERS:
        found = root.xpath(xpath)
        if found:
            # keep outermost matches only
            containers = [
                c for c in found if not any(o is not c and c in o.iterancestors() for o in found)
            ]
            break
    fallback = not containers
    if fallback:
        body = root.find("body")
        containers = [body if body is not None else root]
    chrome = set(_CHROME_TAGS) | ({"header"} if fallback else set())
    links: list[html.HtmlElement] = []
    for container in containers:
        for anchor in container.iter("a", "area"):
            if _in_chrome(anchor, container, chrome):
                continue
            links.append(anchor)
    return links


def _in_chrome(element: html.HtmlElement, stop: html.HtmlElement, chrome: set[str]) -> bool:
    for ancestor in element.iterancestors():
        if ancestor is stop:
            return False
        if ancestor.tag in chrome:
            return True
        classes = set((ancestor.get("class") or "").split())
        if classes.intersection(_CHROME_CLASSES):
            return True
    return False


class _Collector:
    """Classifies candidate links against the issue URL and dedupes them."""

    def __init__(self, page_url: str) -> None:
        self.page_url = page_url
        self.links: list[Link] = []
        self.skipped: list[tuple[str, str]] = []
        self._seen: set[str] = set()

    def add(self, raw: str, text: str = "", title: str = "") -> None:
        raw = raw.strip()
        text = _norm_space(text)
        reason = self._reason(raw, text)
        if reason:
            self.skipped.append((raw, reason))
            return
        url = raw
        target = unwrap_redirect(url)
        if target:
            reason = self._reason(target, text)
            if reason:
                self.skipped.append((raw, f"{reason} (redirect target)"))
                return
            url = target
        key = url if is_tracking_redirect_host(url) else canonicalize(url)
        if key in self._seen:
            self.skipped.append((raw, "duplicate"))
            return
        self._seen.add(key)
        self.links.append(Link(url=key, text=text, title=_norm_space(title)))

    def _reason(self, url: str, text: str) -> str:
        if not url or url.startswith("#"):
            return "anchor"
        scheme_match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", url)
        scheme = scheme_match.group(1).lower() if scheme_match else ""
        if scheme in ("mailto", "sms"):
            return "social share"
        if scheme in ("javascript", "tel", "data", "vbscript", "file", "about", "blob"):
            return f"{scheme}: link"
        if not is_http_url(url):
            return "not an http(s) URL"
        if is_social_share(url):
            return "social share"
        if text.lower().strip(" .!→»›") in _CHROME_TEXTS:
            return "newsletter chrome"
        parts = urlsplit(url)
        host = host_of(url)
        if host == "substack.com" or host.endswith(".substack.com"):
            if parts.path.startswith("/redirect/"):
                return ""
            if host in ("substack.com", "www.substack.com", "open.substack.com"):
                return "substack app"
            if _SUBSTACK_CHROME_PATH.search(parts.path) or "action=share" in parts.query:
                return "substack app"
        if host.endswith("substackcdn.com"):
            return "substack cdn"
        if _CHROME_PATH.search(parts.path):
            return "newsletter chrome"
        if is_image_or_media(url):
            return "image or media"
        if is_tracking_redirect_host(url):
            return ""  # followed at fetch time: the target is an article
        if same_site(url, self.page_url):
            return "same site"
        return ""


def _html_discovery(root: html.HtmlElement, url: str) -> tuple[Origin, _Collector]:
    base = url
    base_elements = root.xpath("//base[@href]")
    if base_elements:
        candidate = urljoin(url, base_elements[0].get("href", ""))
        if is_http_url(candidate):
            base = candidate
    collector = _Collector(url)
    body_links = _body_links(root)
    kept_ids = {id(a) for a in body_links}
    for anchor in root.iter("a", "area"):
        href = anchor.get("href")
        if href is None:
            continue
        absolute = _resolve(base, href)
        if id(anchor) not in kept_ids:
            collector.skipped.append((absolute, "outside post body"))
            continue
        collector.add(absolute, anchor.text_content(), anchor.get("title", ""))
    date, date_from = _page_date(root)
    origin = Origin("newsletter", url, page_title(root), date, date_from)
    return origin, collector


def _resolve(base: str, href: str) -> str:
    href = href.strip()
    if not href or href.startswith("#"):
        return href
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def _front_matter(text: str) -> dict[str, str]:
    match = re.match(r"^---\s*\n(.*?)\n---\s*\n", text, re.DOTALL)
    if not match:
        return {}
    fields: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t")):
            fields[key.strip().lower()] = value.strip().strip("'\"")
    return fields


def _markdown_candidates(text: str) -> Iterable[tuple[str, str]]:
    """(url, text) for inline links, reference definitions and bare URLs, in page order."""
    spans: list[tuple[int, str, str]] = []
    covered: list[tuple[int, int]] = []
    for match in _MD_LINK.finditer(text):
        if match.group(0).startswith("!"):
            spans.append((match.start(), match.group(2), "\x00image"))
        else:
            spans.append((match.start(), match.group(2), match.group(1)))
        covered.append(match.span())
    for match in _MD_REF.finditer(text):
        spans.append((match.start(), match.group(2), match.group(1)))
        covered.append(match.span())
    for match in _BARE_URL.finditer(text):
        if not any(start <= match.start() < end for start, end in covered):
            spans.append((match.start(), match.group(1), ""))
    for _, url, label in sorted(spans, key=lambda s: s[0]):
        yield url, label


def _markdown_discovery(text: str, url: str) -> tuple[Origin, _Collector]:
    meta = _front_matter(text)
    collector = _Collector(url)
    for href, label in _markdown_candidates(text):
        if label == "\x00image":
            collector.skipped.append((href, "image or media"))
            continue
        label = re.sub(r"[*_`]+", "", label)
        collector.add(_resolve(url, href) if is_http_url(url) else href, label)
    title = meta.get("title", "")
    if not title:
        heading = re.search(r"^#\s+(.+?)\s*#*\s*$", text, re.MULTILINE)
        title = heading.group(1) if heading else ""
    date = _iso_date(meta.get("date", "")) if meta.get("date") else ""
    origin = Origin("newsletter", url, _norm_space(title), date, "page metadata" if date else "")
    return origin, collector


def parse_issue(content: str | bytes, url: str, *, filename: str | None = None) -> Discovery:
    """The outbound article links of one newsletter issue (HTML or markdown).

    `url` is the issue's address (a file:// URL for a local file); `filename` helps tell
    markdown from HTML and may carry the issue date. The date comes from, in order, a date
    slug in the URL or file name, a <time datetime> in the post header, page metadata.
    """
    name = filename or (PurePath(urlsplit(url).path).name if url.startswith("file:") else "")
    is_markdown = name.lower().endswith(MARKDOWN_SUFFIXES) or not looks_like_html(content)
    root = None if is_markdown else parse_html(content)
    if root is None:
        origin, collector = _markdown_discovery(decode_text(content), url)
    else:
        origin, collector = _html_discovery(root, url)
    slug_date = "" if url.startswith("file:") else url_date(url)
    if slug_date:
        origin.date, origin.date_from = slug_date, "url slug"
    elif name and (name_date := find_date_slug(name)):
        origin.date, origin.date_from = name_date, "file name"
    origin.url = canonicalize(url) if is_http_url(url) else url
    return Discovery(origin=origin, links=collector.links, skipped=collector.skipped)
