"""Messages to deliver: a draft (with a grid of its strongest signals' cards) or a review."""

from __future__ import annotations

import io
from typing import Any

from techwatch.deliver.message import InlineImage, Message
from techwatch.outputs.decks import _locate, deck_card
from techwatch.outputs.drafts import Draft
from techwatch.publish.deck import render_card, render_grid
from techwatch.publish.draft import render_draft

__all__ = ["draft_message", "review_message"]


def _grid_png(entries: list[Any]) -> bytes | None:
    images = [render_card(deck_card(e)).image for e in entries]
    if not images:
        return None
    buffer = io.BytesIO()
    render_grid(images, cols=3, scale=0.3).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def draft_message(store: Any, draft: Draft) -> Message:
    """The draft's markdown, and its strongest signals as a picture of cards."""
    entries = []
    for signal in draft.strongest[:6]:
        entry = _locate(store, signal.article_id, "signals", signal.name)
        if entry is not None:
            entries.append(entry)
    images = []
    png = _grid_png(entries)
    if png:
        images.append(InlineImage("strongest-signals.png", png, alt="The strongest signals"))
    return Message("draft", f"Draft: {draft.title}", render_draft(draft), images)


def review_message(title: str, markdown: str) -> Message:
    return Message("review", title, markdown)
