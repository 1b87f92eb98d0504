"""A newsletter archive to the issue pages to fetch next.

An archive page links to the issues of its newsletter (same-site links shaped like posts)
among tags, pagination and chrome. Substack renders its archive with JavaScript, so for
Substack the caller asks the JSON API instead (`substack_archive_api`), page by page.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from techwatch.sources.model import Discovery, Origin
from techwatch.sources.newsletter import page_links, page_title, parse_html
from techwatch.sources.urls import canonicalize, host_of, is_http_url, url_date

SUBSTACK_PAGE_SIZE = 50

# Paths that look like one issue of a newsletter.
_POST_PATH = re.compile(
    r"^/(?:p|posts?|issues?|archive|newsletters?|letters?|editions?|blog|articles?)/[^/?#]+"
    r"|^/(?:19|20)\d{2}/\d{1,2}/"
    r"|(?:^|/)(?:19|20)\d{2}-?\d{2}-?\d{2}",
    re.IGNORECASE,
)
# Same-site paths that are never issues.
_NOT_POST_PATH = re.compile(
    r"(?:^|/)(?:page|tag|tags|topic|topics|category|categories|t|author|authors|about"
    r"|subscribe|account|sign-?in|login|search|feed|rss|comments?|share)(?:/|$)",
    re.IGNORECASE,
)
_PAGINATION_PARAMS = frozenset({"page", "p", "offset", "before", "after", "cursor", "sort"})


def _same_host(a: str, b: str) -> bool:
    return host_of(a).removeprefix("www.") == host_of(b).removeprefix("www.")


def is_issue_url(url: str, archive_url: str) -> str:
    """ "" when `url` looks like an issue page of the newsletter at `archive_url`,
    else the reason it does not."""
    if not is_http_url(url):
        return "not an http(s) URL"
    if not _same_host(url, archive_url):
        return "other site"
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    archive_path = urlsplit(archive_url).path.rstrip("/") or "/"
    query = {k.lower() for k, _ in parse_qsl(parts.query)}
    if path == archive_path:
        return "pagination" if query & _PAGINATION_PARAMS else "archive page itself"
    if query & {"page", "offset", "before", "after", "cursor"}:
        return "pagination"
    if _NOT_POST_PATH.search(path):
        return "pagination" if re.search(r"/page/\d+", path) else "not an issue (navigation)"
    if _POST_PATH.search(path) or url_date(url):
        return ""
    return "not an issue (navigation)"


def parse_archive(content: str | bytes, url: str) -> Discovery:
    """The issue pages linked from an archive page, in page order, as `next_pages`."""
    root = parse_html(content)
    origin = Origin("archive", canonicalize(url), "", "", "")
    discovery = Discovery(origin=origin)
    if root is None:
        return discovery
    origin.title = page_title(root)
    seen: set[str] = set()
    for href, absolute in page_links(root, url):
        if absolute is None:
            discovery.skipped.append((href, "not an http(s) URL"))
            continue
        reason = is_issue_url(absolute, url)
        if reason:
            discovery.skipped.append((absolute, reason))
            continue
        issue = canonicalize(absolute)
        if issue in seen:
            continue
        seen.add(issue)
        discovery.next_pages.append(issue)
    return discovery


def substack_archive_api(url: str) -> str | None:
    """The archive JSON API of a Substack archive page (https://X/archive ->
    https://X/api/v1/archive?sort=new&offset=0&limit=50). Any host qualifies when the
    path is /archive, since Substack publications may use their own domain; a
    *.substack.com home page qualifies too. None for other URLs."""
    if not is_http_url(url):
        return None
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    host = host_of(url)
    if path != "/archive" and not (host.endswith(".substack.com") and path == ""):
        return None
    query = urlencode({"sort": "new", "offset": 0, "limit": SUBSTACK_PAGE_SIZE})
    return urlunsplit(("https", parts.netloc.lower(), "/api/v1/archive", query, ""))


def parse_substack_archive_api(content: bytes, url: str) -> tuple[list[str], str | None]:
    """Issue URLs from one page of Substack's archive API (`canonical_url` of each post),
    and the API URL of the next page, or None when this page is the last one.
    Raises ValueError when the content is not the API's JSON list."""
    data = json.loads(content)
    if isinstance(data, dict) and isinstance(data.get("posts"), list):
        data = data["posts"]
    if not isinstance(data, list):
        raise ValueError("substack archive API: expected a JSON list")
    issues: list[str] = []
    for item in data:
        if not isinstance(item, dict):
            continue
        canonical = item.get("canonical_url")
        if isinstance(canonical, str) and is_http_url(canonical):
            issue = canonicalize(canonical)
            if issue not in issues:
                issues.append(issue)
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    try:
        offset = int(params.get("offset", 0))
        limit = int(params.get("limit", SUBSTACK_PAGE_SIZE))
    except ValueError:
        return issues, None
    if not data or len(data) < limit:
        return issues, None
    params["offset"] = str(offset + len(data))
    next_url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), ""))
    return issues, next_url
