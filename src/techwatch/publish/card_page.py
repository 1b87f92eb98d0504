"""The page of one stored card: its header data (as imported, or from its article) and text."""

from __future__ import annotations

from typing import Any

from techwatch.card import Card
from techwatch.publish.markdown import PageMeta, render_page


def origin_label(date: str) -> str:
    """The issue label shown in a page header: the issue date as YYYYMMDD."""
    return date.replace("-", "") if date else "undated"


def page_meta(row: dict[str, Any]) -> tuple[PageMeta, list[tuple[str, str]]]:
    """Header data of a card's page: as imported, or from its article."""
    stored = row.get("meta") or {}
    if stored.get("page"):
        page = dict(stored["page"])
        closest = [tuple(pair) for pair in stored.get("closest", [])]
        return PageMeta(**page), closest  # type: ignore[arg-type]
    card = row.get("card") or {}
    if isinstance(card, Card):
        card = card.model_dump(mode="json")
    meta = PageMeta(
        title=card.get("title") or row.get("article_title") or row["url"],
        url=row["url"],
        origin_label=origin_label(row.get("origin_date") or row.get("published") or ""),
        origin_url=row.get("origin_url") or row["url"],
    )
    return meta, []


def render_card_page(row: dict[str, Any]) -> str:
    """The markdown page of a stored card row (a card joined with its article's header)."""
    meta, closest = page_meta(row)
    return render_page(Card.model_validate(row["card"]), meta, closest or None)
