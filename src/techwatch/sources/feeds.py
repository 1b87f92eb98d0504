"""RSS/Atom feeds and OPML subscription lists, parsed from bytes the caller fetched.

feedparser has no timeout of its own, so it is never handed a URL: it reads a BytesIO.
OPML is plain XML parsed by lxml with DTDs, entities and network access refused.
"""

from __future__ import annotations

import io
import re
import time
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
from lxml import etree

from techwatch.sources.model import Discovery, Link, Origin
from techwatch.sources.urls import canonicalize, is_http_url

# Complaints about HTTP headers or encodings that do not make the entries doubtful.
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


class FeedError(ValueError):
    """A feed or OPML document that yields nothing usable; the message says why."""


def _entry_date(entry: Any) -> str:
    """ "YYYY-MM-DD" of an entry, in the feed's own time zone when the raw string has one."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not isinstance(raw, str) or not raw.strip():
            continue
        raw = raw.strip()
        match = re.match(r"^((?:19|20)\d{2})-(\d{2})-(\d{2})", raw)
        if match:
            return "-".join(match.groups())
        try:
            return parsedate_to_datetime(raw).date().isoformat()
        except (TypeError, ValueError, IndexError):
            pass
        parsed = entry.get(f"{key}_parsed")
        if isinstance(parsed, time.struct_time):
            return time.strftime("%Y-%m-%d", parsed)
    return ""


def _entry_url(entry: Any) -> str:
    """The article URL of an entry: FeedBurner's original link, link, alternate, or id."""
    candidates = [entry.get("feedburner_origlink"), entry.get("link")]
    candidates += [
        link.get("href")
        for link in entry.get("links", [])
        if link.get("rel", "alternate") == "alternate"
    ]
    candidates.append(entry.get("id"))
    for candidate in candidates:
        if isinstance(candidate, str) and is_http_url(candidate):
            return candidate.strip()
    return ""


def parse_feed(content: bytes, url: str) -> Discovery:
    """The entries of an RSS or Atom feed as links with their dates, titles and authors.

    A feed that is not well-formed but still yields entries is used, with the parser's
    complaint noted in `skipped`; one that yields nothing raises FeedError.
    """
    headers = {"content-location": url, "content-type": "application/xml"}
    parsed = feedparser.parse(io.BytesIO(content), response_headers=headers)
    feed = parsed.get("feed", {})
    origin = Origin("feed", canonicalize(url) if is_http_url(url) else url)
    origin.title = " ".join(str(feed.get("title", "")).split())
    discovery = Discovery(origin=origin)
    entries = parsed.get("entries", [])
    if parsed.get("bozo") and not isinstance(parsed.get("bozo_exception"), _HARMLESS):
        reason = f"feed not well-formed: {parsed.get('bozo_exception')}"
        if not entries:
            raise FeedError(reason)
        discovery.skipped.append((url, reason))
    elif not entries and not parsed.get("version"):
        raise FeedError("not an RSS or Atom feed")
    seen: set[str] = set()
    for entry in entries:
        title = " ".join(str(entry.get("title", "")).split())
        link = _entry_url(entry)
        if not link:
            discovery.skipped.append((title or str(entry.get("id", "")), "entry without a link"))
            continue
        key = canonicalize(link)
        if key in seen:
            discovery.skipped.append((link, "duplicate"))
            continue
        seen.add(key)
        discovery.links.append(
            Link(
                url=key,
                published=_entry_date(entry),
                title=title,
                author=" ".join(str(entry.get("author", "")).split()),
            )
        )
    return discovery


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_opml(content: bytes) -> list[tuple[str, str]]:
    """(feed URL, title) of every outline with an http(s) xmlUrl, nested ones included,
    in document order and without duplicates. Raises FeedError on a DTD or broken XML."""
    if _DTD.search(content):
        raise FeedError("OPML with a DTD or entity declarations refused")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as error:
        raise FeedError(f"OPML not well-formed: {error}") from error
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise FeedError("not an OPML document")
    feeds: list[tuple[str, str]] = []
    seen: set[str] = set()
    for outline in root.iter("{*}outline"):
        attrs = {str(k).lower(): v for k, v in outline.attrib.items()}
        xml_url = (attrs.get("xmlurl") or "").strip()
        if not is_http_url(xml_url):
            continue
        key = canonicalize(xml_url)
        if key in seen:
            continue
        seen.add(key)
        title = attrs.get("title") or attrs.get("text") or ""
        feeds.append((key, " ".join(title.split())))
    return feeds
