"""What discovery hands to the fetch stage: links with the place they were found."""

from __future__ import annotations

from dataclasses import dataclass, field

ORIGIN_KINDS: tuple[str, ...] = ("newsletter", "feed", "urllist", "folder", "file", "archive")


@dataclass
class Origin:
    """Where links were found, and the date of that place (an issue date, say).

    `date` is "YYYY-MM-DD" or ""; `date_from` says how it was found ("url slug",
    "time tag", "page metadata", "file name", "feed") so a doubtful date can be traced.
    """

    kind: str
    url: str
    title: str = ""
    date: str = ""
    date_from: str = ""


@dataclass
class Link:
    """One article link; `published` is "YYYY-MM-DD" or "" (feeds know it, pages rarely)."""

    url: str
    text: str = ""
    published: str = ""
    title: str = ""
    author: str = ""


@dataclass
class Discovery:
    """The outcome of reading one source.

    `skipped` lists (url or line, reason) for what was left out, so a user can see why a
    link is missing; `next_pages` are pages the caller should fetch and parse next
    (the issues of an archive).
    """

    origin: Origin
    links: list[Link] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
