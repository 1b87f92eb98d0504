"""The index page: every card, grouped by the newsletter issue it came from, newest first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from techwatch.publish.markdown import page_filename
from techwatch.publish.tables import one_line

__all__ = ["IndexEntry", "render_index"]

_LINK_TEXT = re.compile(r"([\\\[\]])")
_URL_UNSAFE = re.compile(r"[\s<>()]")


@dataclass(frozen=True)
class IndexEntry:
    """One card on the index. `origin_date` is an ISO date (or a date); "" when unknown."""

    article_id: str
    title: str
    url: str
    origin_label: str
    origin_url: str
    origin_date: str | date | None = ""
    category: str = ""


def _text(text: str) -> str:
    """Untrusted text inside `[...]`: one line, brackets escaped."""
    return _LINK_TEXT.sub(r"\\\1", one_line(text).strip())


def _url(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", one_line(url).strip())


def _iso(value: str | date | None) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return (value or "").strip()


def _issue_key(entry: IndexEntry) -> tuple[str, str, str]:
    return (_iso(entry.origin_date), entry.origin_label.strip(), entry.origin_url)


def _issue_order(key: tuple[str, str, str]) -> tuple[int, str, str, str]:
    """Sort key: dated issues first, then by label and url (reversed, for newest first)."""
    day, label, url = key
    return (1 if day else 0, day, label, url)


def _heading(key: tuple[str, str, str]) -> str:
    day, label, url = key
    issue = f"[{_text(label)}]({_url(url)})" if label and url else _text(label)
    parts = [p for p in (_text(day), issue) if p]
    return "## " + (" · ".join(parts) if parts else "Unknown issue")


def _line(entry: IndexEntry) -> str:
    title = _text(entry.title) or entry.article_id
    parts = [f"[{title}]({page_filename(entry.article_id)})"]
    if entry.url:
        parts.append(f"[External link]({_url(entry.url)})")
    if entry.category:
        parts.append(f"_{_text(entry.category)}_")
    return "* " + " · ".join(parts)


def render_index(
    entries: list[IndexEntry],
    title: str = "Index",
    stories: dict[str, tuple[str, str]] | None = None,
    links: list[tuple[str, str]] | None = None,
) -> str:
    """A markdown index of card pages, one section per issue, newest issue first.

    The output depends only on the entries as a set (not on their order), so that two runs
    over the same store write the same bytes. Ends with one newline.
    """
    unique = {e.article_id: e for e in sorted(entries, key=lambda e: (e.article_id, repr(e)))}
    ordered = sorted(
        unique.values(),
        key=lambda e: (_issue_key(e), e.title.casefold(), e.article_id),
    )
    groups: list[tuple[tuple[str, str, str], list[IndexEntry]]] = [
        (key, list(items)) for key, items in groupby(ordered, key=_issue_key)
    ]
    groups.sort(key=lambda g: _issue_order(g[0]), reverse=True)
    issues = len(groups)
    out = [
        f"# {_text(title)}",
        "",
        f"{len(unique)} cards from {issues} issue{'s' if issues != 1 else ''}.",
    ]
    if links:  # trends: trend lists, topic pages and reviews (title, relative file)
        out += ["", "## Trends, topics and reviews", ""]
        out += [f"* [{_text(text)}]({_url(target)})" for text, target in links]
    for key, items in groups:
        out += ["", _heading(key), ""]
        if stories and key[0] in stories:  # outputs: the issue's story (date -> title, file)
            story_title, story_file = stories[key[0]]
            out += [f"_Story of this issue_: [{_text(story_title)}]({_url(story_file)})", ""]
        out += [_line(e) for e in items]
    return "\n".join(out) + "\n"
