"""A plain list of URLs, one a line, to links; a bad line is reported, never fatal."""

from __future__ import annotations

import re

from techwatch.sources.model import Discovery, Link, Origin
from techwatch.sources.urls import canonicalize, is_http_url

_MD_LINK = re.compile(r"^\[([^\]]*)\]\(\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*\)\s*(.*)$")
_BULLET = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
_TITLE_SEPARATORS = " \t-|–—:"


def _shorten(line: str, limit: int = 60) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"


def parse_line(line: str) -> tuple[str, str, str] | None:
    """(url, link text, title) of one list line, or None when it holds no http(s) URL.
    Accepts "URL", "URL  title", "- URL", "<URL>" and "[text](URL)"."""
    line = _BULLET.sub("", line.strip())
    match = _MD_LINK.match(line)
    if match:
        url = match.group(2)
        return (url, match.group(1).strip(), "") if is_http_url(url) else None
    first, _, rest = line.partition(" ")
    if "\t" in first:
        first, _, more = first.partition("\t")
        rest = f"{more} {rest}"
    url = first.strip("<>")
    if not is_http_url(url):
        return None
    return url, "", " ".join(rest.strip(_TITLE_SEPARATORS).split())


def parse_url_list(text: str, base_origin_title: str = "", *, url: str = "") -> Discovery:
    """Links of a URL list. Blank lines and `#` comments are ignored; other lines that are
    not http(s) URLs go to `skipped` as ("<line>", "line N: not a URL: '<line>'")."""
    origin = Origin("urllist", url, base_origin_title)
    discovery = Discovery(origin=origin)
    first_line: dict[str, int] = {}
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parsed = parse_line(line)
        if parsed is None:
            discovery.skipped.append((line, f"line {number}: not a URL: {_shorten(line)!r}"))
            continue
        link_url, link_text, title = parsed
        key = canonicalize(link_url)
        if key in first_line:
            reason = f"line {number}: duplicate of line {first_line[key]}"
            discovery.skipped.append((line, reason))
            continue
        first_line[key] = number
        discovery.links.append(Link(url=key, text=link_text, title=title))
    return discovery


def looks_like_url_list(text: str, threshold: float = 0.6) -> bool:
    """Whether `text` is a list of URLs: most lines are URLs, or the others are short junk."""
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        return False
    urls = sum(1 for line in lines if parse_line(line) is not None)
    if urls and all(len(line) < 120 for line in lines if parse_line(line) is None):
        return True  # URLs plus a few junk lines, no prose: still a list, junk reported
    return urls / len(lines) >= threshold
