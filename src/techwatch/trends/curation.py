"""A person's curation as the rankings and reviews weigh it.

The web app stores ratings, signal verdicts, trend names and merges and a watchlist
(`techwatch.web.curation`); `Curation.for_ranking()` reads them in one call. This module
turns that into what the numbers need: signal verdicts become item keys (the trends'
member ids), merges are followed to their final target. `analysis` and `review` apply it;
`publish` shows the marks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from techwatch.store.store import Store
from techwatch.trends.data import item_key

GOOD_RATING = 4  # a card or signal rated this or more counts as endorsed


@dataclass(frozen=True)
class Curated:
    """Curation keyed the way trends are: by trend id and by item key."""

    labels: dict[str, str] = field(default_factory=dict)  # trend id -> the name a person gave
    merged: dict[str, str] = field(default_factory=dict)  # trend id -> final target id
    dismissed: frozenset[str] = frozenset()  # signal item keys
    confirmed: frozenset[str] = frozenset()  # signal item keys (confirmed or rated well)
    dismissed_positions: frozenset[tuple[str, int]] = frozenset()  # (card id, position)
    confirmed_positions: frozenset[tuple[str, int]] = frozenset()
    rated_cards: frozenset[str] = frozenset()  # cards rated GOOD_RATING or more
    watched: frozenset[str] = frozenset()  # trend ids

    def __bool__(self) -> bool:
        return any(
            (self.labels, self.merged, self.dismissed, self.confirmed, self.rated_cards,
             self.watched)
        )  # fmt: skip


def _final(trend_id: str, merges: dict[str, str]) -> str:
    """Follow a chain of merges (a into b, b into c) to its end; a cycle stops where it closes."""
    seen = {trend_id}
    while trend_id in merges and merges[trend_id] not in seen:
        trend_id = merges[trend_id]
        seen.add(trend_id)
    return trend_id


def curated(store: Store, ranking: Mapping[str, Any]) -> Curated:
    """`Curation.for_ranking()` as trend ids and item keys (signals are named by position)."""
    from techwatch.trends.cards import load_cards

    edits = ranking.get("trend_edits") or {}
    raw_merges = {tid: e["merged_into"] for tid, e in edits.items() if e.get("merged_into")}
    states: dict[tuple[str, int], str] = dict(ranking.get("signal_states") or {})
    for target, rating in (ranking.get("signal_ratings") or {}).items():
        card_id, _, position = str(target).rpartition(":")
        if card_id and position.isdigit() and int(rating) >= GOOD_RATING:
            states.setdefault((card_id, int(position)), "confirmed")
    cards = load_cards(store, {card_id for card_id, _ in states})
    keys: dict[str, set[str]] = {"confirmed": set(), "dismissed": set()}
    for (card_id, position), state in states.items():
        card = cards.get(card_id)
        signals = (card.card.get("signals") or []) if card else []
        if state in keys and 0 <= position < len(signals):
            name = (signals[position].get("name") or "").strip()
            if name:
                keys[state].add(item_key(card_id, "signals", name))
    return Curated(
        labels={tid: e["label"] for tid, e in edits.items() if (e.get("label") or "").strip()},
        merged={tid: _final(tid, raw_merges) for tid in raw_merges},
        dismissed=frozenset(keys["dismissed"]),
        confirmed=frozenset(keys["confirmed"] - keys["dismissed"]),
        dismissed_positions=frozenset(p for p, s in states.items() if s == "dismissed"),
        confirmed_positions=frozenset(p for p, s in states.items() if s == "confirmed"),
        rated_cards=frozenset(
            c for c, r in (ranking.get("card_ratings") or {}).items() if int(r) >= GOOD_RATING
        ),
        watched=frozenset(ranking.get("watched_trends") or ()),
    )


def without_dismissed(card: dict[str, Any], card_id: str, cur: Curated) -> dict[str, Any]:
    """A card's JSON without the signals a person dismissed (a copy; the card is untouched)."""
    signals = card.get("signals") or []
    if not any((card_id, n) in cur.dismissed_positions for n in range(len(signals))):
        return card
    kept = [s for n, s in enumerate(signals) if (card_id, n) not in cur.dismissed_positions]
    return {**card, "signals": kept}


def load_curated(store: Store) -> Curated:
    """The store's curation (kept by the web app's `Curation`); none on a store without it."""
    from sqlalchemy.exc import SQLAlchemyError

    from techwatch.web.curation import Curation  # the one reader of the curation tables

    try:
        return curated(store, Curation(store).for_ranking())
    except SQLAlchemyError:  # an old store without the curation tables
        return Curated()
