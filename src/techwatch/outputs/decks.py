"""Which items go on cards, and with what horizon; then the PNGs, grid and PDF of a deck.

The horizon rule (NOW / NEAR / NEXT), in order:

1. **The item's own horizon**, when its text gives one (signals: `change`, `description`,
   `ten_year`, `name`):
   - an explicit year: at most one year after the article's date is NOW, at most five is
     NEAR, later is NEXT; a year already past is NOW;
   - otherwise cue words in `change` / `description` / `name`: "already", "today",
     "currently" ... NOW; "soon", "coming years", "near future" ... NEAR; "decade",
     "long term", "next generation" ... NEXT.
2. **The trend's state**, when the item belongs to a trend: `strong` and `fading` are NOW
   (it is here; fading is past its peak), `emerging` is NEXT (a weak signal of what comes).
3. **The kind's default**: technologies and behaviors NOW (in use when written about),
   concerns and issues NEAR, signals NEXT.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from techwatch.card import ITEM_KINDS, Card, Item, Signal
from techwatch.publish.deck import DeckCard, render_card, render_grid, render_pdf

__all__ = [
    "SINGULAR",
    "DeckItem",
    "DeckResult",
    "build_deck",
    "deck_card",
    "horizon_for",
    "items_of_rows",
]

SINGULAR = {
    "signals": "signal",
    "concerns": "concern",
    "behaviors": "behavior",
    "technologies": "technology",
    "issues": "issue",
}
KIND_DEFAULT = {
    "technologies": "NOW",
    "behaviors": "NOW",
    "concerns": "NEAR",
    "issues": "NEAR",
    "signals": "NEXT",
}
STATE_HORIZON = {"strong": "NOW", "fading": "NOW", "emerging": "NEXT"}

_YEAR = re.compile(r"\b(20[0-9]{2}|21[0-9]{2})\b")
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "NOW",
        re.compile(
            r"\b(already|today|nowadays|currently|at present|right now|this year|is being|"
            r"are being|has become|have become)\b",
            re.I,
        ),
    ),
    (
        "NEAR",
        re.compile(
            r"\b(soon|coming (?:months|years)|next (?:few|two|three|five) years|near future|"
            r"short[- ]term|within (?:a|one|two|three|five|\d) years?|by next year)\b",
            re.I,
        ),
    ),
    (
        "NEXT",
        re.compile(
            r"\b(decades?|long[- ]term|next generation|in (?:ten|10|twenty|20|fifty) years|"
            r"eventually|far future)\b",
            re.I,
        ),
    ),
)


@dataclass(frozen=True)
class DeckItem:
    """One item of one card, with what a printed card needs to say about it."""

    article_id: str
    kind: str  # plural, as in Card: signals, concerns, ...
    item: Item
    card_title: str = ""
    url: str = ""
    date: str = ""
    trend_state: str = ""


def _year_of(date: str) -> int | None:
    match = re.match(r"(\d{4})", date or "")
    return int(match.group(1)) if match else None


def horizon_for(kind: str, item: Item, date: str = "", trend_state: str = "") -> tuple[str, str]:
    """(NOW | NEAR | NEXT, the rule that set it), by the rule in the module docstring."""
    fields = [item.description, item.name]
    if isinstance(item, Signal):
        fields = [item.change, item.description, item.ten_year, item.name]
    base = _year_of(date)
    if base is not None:
        for text in fields:
            years = [int(y) for y in _YEAR.findall(text or "")]
            if years:
                ahead = max(years) - base
                label = "NOW" if ahead <= 1 else "NEAR" if ahead <= 5 else "NEXT"
                return label, f"year {max(years)} in the item's text ({ahead:+d} years)"
    cue_text = " ".join(
        [item.change, item.description, item.name] if isinstance(item, Signal) else fields
    )
    for label, pattern in _CUES:
        match = pattern.search(cue_text)
        if match:
            return label, f"cue {match.group(0)!r} in the item's text"
    state = (trend_state or "").lower()
    if state in STATE_HORIZON:
        return STATE_HORIZON[state], f"trend state {state}"
    return KIND_DEFAULT.get(kind, "NEAR"), f"default for {kind}"


def _source(url: str, date: str) -> str:
    host = urlsplit(url).hostname or "" if url.startswith(("http://", "https://")) else ""
    host = host.removeprefix("www.")
    return " · ".join(p for p in (host, date) if p)


def deck_card(entry: DeckItem) -> DeckCard:
    """The printed card of one item."""
    item = entry.item
    parts = [item.description]
    if isinstance(item, Signal):
        if item.change and item.change != item.description:
            parts.append(f"Change: {item.change}")
        if item.ten_year:
            parts.append(f"In 10 years: {item.ten_year}")
    if not any(parts) and item.evidence:
        parts.append(f"“{item.evidence}”")
    horizon, _ = horizon_for(entry.kind, item, entry.date, entry.trend_state)
    url = entry.url if entry.url.startswith(("http://", "https://")) else ""
    return DeckCard(
        kind=SINGULAR.get(entry.kind, entry.kind),
        title=item.name,
        text="\n".join(p.strip() for p in parts if p and p.strip()),
        source=_source(entry.url, entry.date) or entry.card_title,
        horizon=horizon,
        url=url,
        card_id=entry.article_id[:10],
    )


def items_of_rows(
    rows: Iterable[dict[str, Any]], kinds: Sequence[str] = ITEM_KINDS
) -> list[DeckItem]:
    """Every item of the given kinds from card rows (as `Store.list_cards` returns them)."""
    out: list[DeckItem] = []
    for row in rows:
        if not row.get("card"):
            continue
        card = Card.model_validate(row["card"])
        date = row.get("origin_date") or row.get("published") or ""
        for kind in kinds:
            for item in getattr(card, kind):
                out.append(
                    DeckItem(
                        article_id=row["article_id"],
                        kind=kind,
                        item=item,
                        card_title=card.title or row.get("article_title", ""),
                        url=row.get("url", ""),
                        date=date,
                    )
                )
    return out


@dataclass
class DeckResult:
    """What a deck wrote: one PNG per card, a grid, and the PDF."""

    out: Path
    cards: int
    pngs: list[Path] = field(default_factory=list)
    grid: Path | None = None
    pdf: Path | None = None
    pages: int = 0
    horizons: dict[str, int] = field(default_factory=dict)


class EmptyDeckError(ValueError):
    """A deck with no cards: a clear message, no empty files."""


def build_deck(
    entries: Sequence[DeckItem], out: Path, *, name: str = "deck", paper: str = "a4"
) -> DeckResult:
    """Render every card, a grid (first 12 cards) and a PDF deck into `out`."""
    if not entries:
        raise EmptyDeckError(f"no items for the deck {name!r}: nothing to draw")
    out.mkdir(parents=True, exist_ok=True)
    cards = [deck_card(e) for e in entries]
    images = []
    result = DeckResult(out=out, cards=len(cards))
    for n, (entry, card) in enumerate(zip(entries, cards, strict=True), 1):
        image = render_card(card).image
        path = out / f"{name}-{n:03d}-{SINGULAR.get(entry.kind, entry.kind)}.png"
        image.save(path, dpi=(300, 300), optimize=False)
        result.pngs.append(path)
        result.horizons[card.horizon] = result.horizons.get(card.horizon, 0) + 1
        images.append(image)
    result.grid = out / f"{name}-grid.png"
    render_grid(images[:12]).save(result.grid)
    result.pdf = out / f"{name}.pdf"
    result.pages = render_pdf(images, result.pdf, paper)
    return result


# -- what goes in a deck ------------------------------------------------------------------

PLURAL = {v: k for k, v in SINGULAR.items()}


def _row_of(store: Any, article_id: str) -> dict[str, Any] | None:
    card = store.get_card(article_id)
    article = store.get_article(article_id)
    if not card or not card.get("card") or card.get("status") != "ok" or not article:
        return None
    return {
        "article_id": article_id,
        "card": card["card"],
        "url": article.get("url", ""),
        "article_title": article.get("title", ""),
        "origin_date": article.get("origin_date", ""),
        "published": article.get("published", ""),
    }


def _locate(store: Any, article_id: str, kind: str, name: str, state: str = "") -> DeckItem | None:
    """The named item of a card as a deck entry (kind plural or singular)."""
    row = _row_of(store, article_id)
    if row is None:
        return None
    plural = PLURAL.get(kind, kind)
    wanted = " ".join(name.split()).casefold()
    for entry in items_of_rows([row], (plural,)):
        if " ".join(entry.item.name.split()).casefold() == wanted:
            return DeckItem(**{**entry.__dict__, "trend_state": state})
    return None


def items_for_card(store: Any, ref: str) -> list[DeckItem]:
    """Every item of one card (by id, id prefix or URL)."""
    article = store.find_article(ref)
    if article is None:
        raise LookupError(f"no card matches {ref!r} (an id, an id prefix of 6+ characters, a URL)")
    row = _row_of(store, article["id"])
    if row is None:
        raise LookupError(f"the article {article['id']} has no card yet: run `techwatch analyze`")
    return items_of_rows([row])


def items_for_cards(
    store: Any, card_ids: Sequence[str], kinds: Sequence[str] = ("signals",), limit: int = 12
) -> list[DeckItem]:
    """The items of these cards, in their order (a topic's or trend's card grid)."""
    out: list[DeckItem] = []
    for article_id in card_ids:
        row = _row_of(store, article_id)
        if row is not None:
            out.extend(items_of_rows([row], kinds))
        if len(out) >= limit:
            break
    return out[:limit]


def items_for_topic(store: Any, embedder: Any, query: str, limit: int = 18) -> list[DeckItem]:
    """The items hybrid retrieval finds for a topic query, best first."""
    from techwatch.retrieval import search

    out = []
    for hit in search(store, embedder, query, scope="items", k=limit):
        entry = _locate(store, hit.card_id, hit.item_kind or "", hit.item_name or "")
        if entry is not None:
            out.append(entry)
    return out


def items_for_trend(store: Any, trend: Any, limit: int = 36) -> list[DeckItem]:
    """The member items of one trend (a `techwatch.trends` Trend), newest first."""
    members = sorted(trend.members, key=lambda m: (str(m.day or ""), m.key), reverse=True)
    out = []
    for member in members:
        entry = _locate(store, member.article_id, trend.kind, member.name, trend.state)
        if entry is not None:
            out.append(entry)
        if len(out) >= limit:
            break
    return out


def items_for_review(store: Any, review: Any, trends: list[Any], limit: int = 36) -> list[DeckItem]:
    """The items of a review's strongest, new and rising trends, from the period's cards."""
    by_id = {t.id: t for t in trends}
    out: list[DeckItem] = []
    seen: set[str] = set()
    for row in list(review.strongest) + list(review.new) + list(review.rising):
        if row.id in seen or row.id not in by_id:
            continue
        seen.add(row.id)
        trend = by_id[row.id]
        cards = set(row.cards)
        for member in trend.members:
            if member.article_id in cards:
                entry = _locate(store, member.article_id, trend.kind, member.name, trend.state)
                if entry is not None:
                    out.append(entry)
                    break  # one card per trend keeps the deck varied
        if len(out) >= limit:
            break
    return out


def slug(text: str) -> str:
    """A file-name-safe form of a query or label."""
    return "-".join(re.findall(r"\w+", text.casefold()))[:50] or "deck"


def write_grid(
    entries: Sequence[DeckItem], path: Path, limit: int = 12, cols: int = 3
) -> Path | None:
    """A grid PNG of the first `limit` cards, for topic and trend pages; None when empty."""
    if not entries:
        return None
    images = [render_card(deck_card(e)).image for e in entries[:limit]]
    path.parent.mkdir(parents=True, exist_ok=True)
    render_grid(images, cols=cols).save(path, optimize=True)
    return path
