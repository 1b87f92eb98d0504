"""What kind of source `techwatch add <x>` was given, from its location and first bytes."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from techwatch.sources.archive import is_issue_url
from techwatch.sources.files import local_path
from techwatch.sources.newsletter import decode_text, looks_like_html, page_links, parse_html
from techwatch.sources.urllist import looks_like_url_list
from techwatch.sources.urls import is_http_url, same_site

KINDS: tuple[str, ...] = (
    "feed",
    "opml",
    "urllist",
    "folder",
    "newsletter",
    "archive",
    "file",
    "article",  # never guessed: `techwatch add URL --kind article` for one bookmark
)

_SNIFF_BYTES = 65536
_FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
)
_OPML_TYPES = ("text/x-opml", "application/x-opml", "text/opml", "application/opml+xml")
_FEED_SUFFIXES = (".rss", ".atom", ".xml", ".rdf")
_URLLIST_SUFFIXES = (".txt", ".urls", ".list", ".lst")
_NEWSLETTER_SUFFIXES = (".html", ".htm", ".md", ".markdown", ".xhtml")
_FEED_PATH = re.compile(r"(?:^|/)(?:feed|rss|atom)(?:/|\.xml|\.rss)?$", re.IGNORECASE)
# an archive page: at least this many issue links, and more of them than outbound links
_ARCHIVE_MIN_ISSUES = 5


def sniff_xml(content: bytes) -> str:
    """ "feed", "opml" or "" from the root element of XML content."""
    head = content[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    head = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!doctype[^>]*>", b"", head, flags=re.DOTALL).lstrip()
    if head.startswith(b"<opml"):
        return "opml"
    if head.startswith((b"<rss", b"<feed", b"<rdf:rdf", b"<rdf")):
        return "feed"
    return ""


def _local_path(location: str) -> Path | None:
    if location.startswith("file:"):
        return local_path(location)  # percent-encoded bytes kept, UTF-8 or not
    if is_http_url(location) or re.match(r"^[a-z][a-z0-9+.-]*://", location, re.I):
        return None
    return Path(location).expanduser()


def _looks_like_archive(content: bytes, url: str) -> bool:
    root = parse_html(content)
    if root is None:
        return False
    issues: set[str] = set()
    outbound = 0
    for _, absolute in page_links(root, url):
        if absolute is None or not is_http_url(absolute):
            continue
        if not is_issue_url(absolute, url):
            issues.add(absolute.split("#")[0])
        elif not same_site(absolute, url):
            outbound += 1
    return len(issues) >= _ARCHIVE_MIN_ISSUES and len(issues) > outbound


def detect_kind(
    location: str, content: bytes | None = None, content_type: str | None = None
) -> str:
    """One of KINDS for a location (a URL or a local path) and, when known, its first
    bytes and HTTP content type. A local file is read (its head only) when `content` is
    not given. Raises ValueError when nothing tells the kind (a missing local file of an
    unknown type)."""
    location = location.strip()
    path = _local_path(location)
    ctype = (content_type or "").split(";")[0].strip().lower()
    if path is not None:
        if path.is_dir():
            return "folder"
        if content is None and path.is_file():
            with path.open("rb") as handle:
                content = handle.read(_SNIFF_BYTES)
    suffix = (path.suffix if path is not None else Path(urlsplit(location).path).suffix).lower()

    if suffix == ".opml" or ctype in _OPML_TYPES:
        return "opml"
    if ctype in _FEED_TYPES:
        return "feed"
    if content:
        xml_kind = sniff_xml(content)
        if xml_kind:
            return xml_kind
    if suffix == ".pdf" or ctype == "application/pdf" or (content or b"").startswith(b"%PDF-"):
        return "file"

    if path is not None:
        if suffix in _URLLIST_SUFFIXES:
            text = decode_text(content or b"")
            return "urllist" if looks_like_url_list(text) else "file"
        if suffix in _NEWSLETTER_SUFFIXES:
            return "newsletter"
        if suffix in _FEED_SUFFIXES:
            return "feed"
        if content is not None:
            if looks_like_html(content):
                return "newsletter"
            if looks_like_url_list(decode_text(content)):
                return "urllist"
            return "file"
        raise ValueError(f"cannot tell the kind of {location!r}")

    if not is_http_url(location):
        raise ValueError(f"not a URL or an existing path: {location!r}")
    url_path = urlsplit(location).path
    if url_path.rstrip("/").lower().endswith("/archive"):
        return "archive"
    if content is None and (suffix in (".rss", ".atom", ".rdf") or _FEED_PATH.search(url_path)):
        return "feed"
    if (
        content is not None
        and ctype.startswith("text/plain")
        and looks_like_url_list(decode_text(content))
    ):
        return "urllist"
    if content is not None and _looks_like_archive(content, location):
        return "archive"
    return "newsletter"
