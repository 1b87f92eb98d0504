"""A newsletter draft for one issue or one period: computed here, rendered in publish/draft.

- the articles grouped by theme (the card's first theme, else its category), one line each;
- the strongest signals of the period (relevancy, then how many cards name them);
- the newest signals (names no earlier card had);
- links to topic pages (one per theme that has a page), and the issue's story if stored.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from techwatch.card import Card
from techwatch.outputs.records import get_story, issue_dates, issue_rows
from techwatch.outputs.stories import Story
from techwatch.store.store import Store

__all__ = ["Draft", "DraftArticle", "DraftSignal", "draft_for_issue", "draft_for_period"]

PERIODS = ("week", "month")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class DraftArticle:
    article_id: str
    title: str
    url: str
    line: str
    theme: str


@dataclass(frozen=True)
class DraftSignal:
    name: str
    description: str
    article_id: str
    title: str
    url: str
    date: str
    relevancy: int | None
    cards: int = 1  # how many cards of the period name it


@dataclass
class Draft:
    title: str
    start: str
    end: str
    themes: dict[str, list[DraftArticle]] = field(default_factory=dict)
    strongest: list[DraftSignal] = field(default_factory=list)
    newest: list[DraftSignal] = field(default_factory=list)
    topics: list[tuple[str, str]] = field(default_factory=list)  # (label, link)
    story: Story | None = None

    @property
    def articles(self) -> int:
        return sum(len(v) for v in self.themes.values())


class EmptyDraftError(LookupError):
    """Nothing in that issue or period to draft."""


def _date(row: dict[str, Any]) -> str:
    return row.get("origin_date") or row.get("published") or ""


def _one_line(card: Card, limit: int = 220) -> str:
    text = " ".join((card.summary or "").split())
    if not text:
        return ""
    first = _SENTENCE.split(text, maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def _norm(name: str) -> str:
    return " ".join(re.findall(r"\w+", name.casefold()))


def _slug(text: str) -> str:
    return "-".join(re.findall(r"\w+", text.casefold()))[:60] or "topic"


def _build(
    store: Store, rows: list[dict[str, Any]], title: str, start: str, end: str, pages: Path | None
) -> Draft:
    draft = Draft(title=title, start=start, end=end)
    themes: dict[str, list[DraftArticle]] = defaultdict(list)
    signals: list[DraftSignal] = []
    for row in rows:
        card = Card.model_validate(row["card"])
        theme = (card.themes[0] if card.themes else card.category or "other").strip() or "other"
        themes[theme.casefold()].append(
            DraftArticle(
                row["article_id"],
                card.title or row.get("article_title") or row["url"],
                row["url"],
                _one_line(card),
                theme,
            )
        )
        for signal in card.signals:
            signals.append(
                DraftSignal(
                    signal.name,
                    signal.description or signal.change,
                    row["article_id"],
                    card.title or row.get("article_title") or "",
                    row["url"],
                    _date(row),
                    signal.relevancy,
                )
            )
    # Largest themes first; a theme keeps the spelling of its first article.
    for key in sorted(themes, key=lambda k: (-len(themes[k]), k)):
        group = sorted(themes[key], key=lambda a: a.title.casefold())
        draft.themes[group[0].theme] = group
    counts = Counter(_norm(s.name) for s in signals)
    ranked = sorted(
        signals, key=lambda s: (-(s.relevancy or 0), -counts[_norm(s.name)], s.name.casefold())
    )
    seen: set[str] = set()
    for s in ranked:
        if _norm(s.name) in seen:
            continue
        seen.add(_norm(s.name))
        draft.strongest.append(
            DraftSignal(**{**s.__dict__, "cards": counts[_norm(s.name)]})  # type: ignore[arg-type]
        )
        if len(draft.strongest) == 5:
            break
    earlier = {
        _norm(sig.get("name", ""))
        for row in store.list_cards(status="ok")
        if _date(row) and _date(row) < start
        for sig in (row.get("card") or {}).get("signals", [])
    }
    newest = [s for s in ranked if _norm(s.name) not in earlier]
    picked = {_norm(s.name) for s in draft.strongest}  # listed once, among the strongest
    for s in sorted(newest, key=lambda s: (s.date, s.relevancy or 0), reverse=True):
        if _norm(s.name) not in picked and len(draft.newest) < 5:
            picked.add(_norm(s.name))
            draft.newest.append(s)
    for theme in draft.themes:
        for folder in ("topics", "."):
            candidate = Path(folder) / f"topic-{_slug(theme)}.md"
            if pages is not None and (pages / candidate).is_file():
                draft.topics.append((theme, candidate.as_posix()))
                break
    return draft


def draft_for_issue(store: Store, issue_date: str, pages: Path | None = None) -> Draft:
    """The draft of one newsletter issue (its articles, the story if one is stored)."""
    rows = issue_rows(store, issue_date)
    if not rows:
        known = ", ".join(issue_dates(store)[:8]) or "none"
        raise EmptyDraftError(
            f"no articles with cards in an issue dated {issue_date!r} (issues: {known})"
        )
    draft = _build(store, rows, f"Issue of {issue_date}", issue_date, issue_date, pages)
    stored = get_story(store, issue_date)
    if stored:
        draft.story = Story(
            issue_date,
            stored["title"],
            stored["text"],
            list(stored["article_ids"]),
            stored["backend"],
            stored["model"],
            stored["created_at"],
        )
    return draft


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """The ISO week (Monday to Sunday) or calendar month holding `day`."""
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if period == "month":
        start = day.replace(day=1)
        nxt = (start + timedelta(days=32)).replace(day=1)
        return start, nxt - timedelta(days=1)
    raise ValueError(f"unknown period {period!r}; choose one of {', '.join(PERIODS)}")


def draft_for_period(
    store: Store, period: str = "week", day: date | None = None, pages: Path | None = None
) -> Draft:
    """The draft of every card dated in the week (or month) holding `day` (default: today)."""
    start, end = period_bounds(period, day or date.today())
    s, e = start.isoformat(), end.isoformat()
    rows = [r for r in store.list_cards(status="ok") if s <= _date(r)[:10] <= e]
    if not rows:
        raise EmptyDraftError(f"no cards dated between {s} and {e}")
    label = (
        f"Week {start.isocalendar()[1]} of {start.isocalendar()[0]}"
        if period == "week"
        else start.strftime("%B %Y")
    )
    draft = _build(store, rows, f"{label} ({s} to {e})", s, e, pages)
    stories = [get_story(store, d) for d in sorted({_date(r) for r in rows})]
    stored = next((x for x in reversed(stories) if x), None)
    if stored:
        draft.story = Story(
            stored["issue_date"],
            stored["title"],
            stored["text"],
            list(stored["article_ids"]),
            stored["backend"],
            stored["model"],
            stored["created_at"],
        )
    return draft
