"""Newsletter drafts from a real store: themes, one line per article, signals, story."""

from __future__ import annotations

from datetime import date

import pytest

from techwatch.card import Card, Signal
from techwatch.outputs.drafts import EmptyDraftError, draft_for_issue, draft_for_period
from techwatch.outputs.records import save_story
from techwatch.publish.draft import render_draft
from techwatch.store.db import sqlite_url
from techwatch.store.store import NewArticle, Store


def _add(store, n, issue, title, theme, signals, summary="First sentence. Second one."):
    article_id, _ = store.discover(
        NewArticle(url=f"https://news.example/{n}", origin_kind="issue", origin_date=issue)
    )
    card = Card(
        title=title,
        summary=summary,
        themes=[theme],
        signals=[
            Signal(name=name, description=f"about {name}", relevancy=r) for name, r in signals
        ],
    )
    store.save_card(article_id, status="ok", card=card, provenance={"analyzer": "extractive"})
    return article_id


@pytest.fixture
def store(tmp_path):
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    _add(
        store,
        1,
        "2025-03-03",
        "Old battery news",
        "energy",
        [("Sodium batteries", 3), ("Old idea", 1)],
    )
    _add(store, 2, "2025-03-10", "Grid storage", "energy", [("Sodium batteries", 5)])
    _add(
        store,
        3,
        "2025-03-10",
        "Heat pumps <b>boom</b> [x](javascript:alert(1))",
        "energy",
        [("Heat pumps win", 4)],
    )
    _add(
        store,
        4,
        "2025-03-10",
        "Chatbots at work",
        "AI",
        [("Agents at work", 2), ("Robot tax", 1), ("Digital twins", 1), ("Old idea", 1)],
    )
    return store


def test_issue_draft_groups_by_theme_with_one_line_each(store):
    draft = draft_for_issue(store, "2025-03-10")
    assert list(draft.themes) == ["energy", "AI"]  # largest theme first
    assert [a.title for a in draft.themes["energy"]][0] == "Grid storage"
    assert all(a.line == "First sentence." for a in draft.themes["energy"])
    assert [s.name for s in draft.strongest] == [
        "Sodium batteries",
        "Heat pumps win",
        "Agents at work",
        "Digital twins",
        "Old idea",
    ]
    # New: no earlier card named it, and not already listed among the strongest.
    assert [s.name for s in draft.newest] == ["Robot tax"]
    text = render_draft(draft)
    assert text.startswith("# Issue of 2025-03-10\n")
    assert "3 articles in 2 themes." in text
    assert "<b>" not in text and "&lt;b&gt;" in text
    assert "[x](javascript" not in text and "\\[x\\](javascript" in text  # not a link
    assert "## AI" in text
    assert "## Strongest signals" in text and "## New signals" in text
    assert 'techwatch topic "energy"' in text
    assert "## Story" not in text


def test_story_appears_in_the_draft_when_stored(store):
    save_story(
        store,
        "2025-03-10",
        title="Quiet Grid",
        text="Mia charged.\nThen slept.",
        article_ids=[],
        backend="openai",
        model="m",
    )
    text = render_draft(draft_for_issue(store, "2025-03-10"))
    assert "## Story: Quiet Grid" in text and "Mia charged." in text


def test_week_draft_and_empty_inputs(store):
    draft = draft_for_period(store, "week", date(2025, 3, 12))
    assert (draft.start, draft.end) == ("2025-03-10", "2025-03-16") and draft.articles == 3
    assert draft_for_period(store, "month", date(2025, 3, 1)).articles == 4
    with pytest.raises(EmptyDraftError, match="2025-03-10"):
        draft_for_issue(store, "2024-01-01")
    with pytest.raises(EmptyDraftError):
        draft_for_period(store, "week", date(2020, 1, 1))
    with pytest.raises(ValueError):
        draft_for_period(store, "fortnight", date(2025, 3, 1))
