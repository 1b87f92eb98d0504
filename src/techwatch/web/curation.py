"""A person's curation: ratings, signal verdicts, trend names and merges, a watchlist.

Stored in the workspace's store (tables of migration 0006) so rankings and reviews can
read them: `curation_for_ranking` gives what a ranking needs in one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.exc import IntegrityError

from techwatch.store import schema as t
from techwatch.store.store import Store

__all__ = ["Curation", "WatchItem", "SIGNAL_STATES", "WATCH_KINDS"]

SIGNAL_STATES = ("confirmed", "dismissed")
WATCH_KINDS = ("trend", "query")


@dataclass(frozen=True)
class WatchItem:
    id: int
    kind: str
    value: str
    label: str


def _now() -> datetime:
    return datetime.now(UTC)


class Curation:
    """Reads and writes curation rows; every write is one short transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- ratings ---------------------------------------------------------------------

    def rate(self, kind: str, target_id: str, rating: int, user_id: int | None = None) -> None:
        if kind not in ("card", "signal"):
            raise ValueError("a rating is of a card or a signal")
        if not 1 <= int(rating) <= 5:
            raise ValueError("a rating is from 1 to 5")
        with self.store.engine.begin() as conn:
            conn.execute(
                delete(t.ratings).where(
                    and_(t.ratings.c.target_kind == kind, t.ratings.c.target_id == target_id)
                )
            )
            conn.execute(
                insert(t.ratings).values(
                    target_kind=kind,
                    target_id=target_id,
                    rating=int(rating),
                    user_id=user_id,
                    updated_at=_now(),
                )
            )

    def rating(self, kind: str, target_id: str) -> int | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(t.ratings.c.rating).where(
                    and_(t.ratings.c.target_kind == kind, t.ratings.c.target_id == target_id)
                )
            ).first()
        return row.rating if row else None

    def ratings(self, kind: str) -> dict[str, int]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(t.ratings.c.target_id, t.ratings.c.rating).where(
                    t.ratings.c.target_kind == kind
                )
            )
            return {r.target_id: r.rating for r in rows}

    def top_rated(self, kind: str = "card", minimum: int = 4, limit: int = 10) -> list[str]:
        """Ids rated `minimum` or more, best and most recent first."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(t.ratings.c.target_id)
                .where(and_(t.ratings.c.target_kind == kind, t.ratings.c.rating >= minimum))
                .order_by(t.ratings.c.rating.desc(), t.ratings.c.updated_at.desc())
                .limit(limit)
            )
            return [r.target_id for r in rows]

    # -- signals -------------------------------------------------------------------

    def set_signal(
        self, article_id: str, position: int, state: str, user_id: int | None = None
    ) -> None:
        if state not in SIGNAL_STATES:
            raise ValueError(f"a signal is {' or '.join(SIGNAL_STATES)}")
        with self.store.engine.begin() as conn:
            conn.execute(
                delete(t.signal_states).where(
                    and_(
                        t.signal_states.c.article_id == article_id,
                        t.signal_states.c.position == position,
                    )
                )
            )
            conn.execute(
                insert(t.signal_states).values(
                    article_id=article_id,
                    position=position,
                    state=state,
                    user_id=user_id,
                    updated_at=_now(),
                )
            )

    def signal_states(self, article_id: str | None = None) -> dict[Any, str]:
        """{position: state} for one card, or {(card id, position): state} for all."""
        query = select(t.signal_states)
        if article_id is not None:
            query = query.where(t.signal_states.c.article_id == article_id)
        with self.store.engine.connect() as conn:
            rows = conn.execute(query).all()
        if article_id is not None:
            return {r.position: r.state for r in rows}
        return {(r.article_id, r.position): r.state for r in rows}

    # -- trends ----------------------------------------------------------------------

    def edit_trend(self, trend_id: str, *, label: str = "", merged_into: str | None = None) -> None:
        if merged_into == trend_id:
            raise ValueError("a trend cannot be merged into itself")
        if not label.strip() and not merged_into:
            raise ValueError("give a new name or a trend to merge into")
        with self.store.engine.begin() as conn:
            old = conn.execute(
                select(t.trend_edits).where(t.trend_edits.c.trend_id == trend_id)
            ).first()
            conn.execute(delete(t.trend_edits).where(t.trend_edits.c.trend_id == trend_id))
            conn.execute(
                insert(t.trend_edits).values(
                    trend_id=trend_id,
                    label=label.strip() or (old.label if old else ""),
                    merged_into=merged_into or (old.merged_into if old else None),
                    updated_at=_now(),
                )
            )

    def trend_edits(self) -> dict[str, dict[str, Any]]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(t.trend_edits)).all()
        return {r.trend_id: {"label": r.label, "merged_into": r.merged_into} for r in rows}

    # -- watchlist -------------------------------------------------------------------

    def watch(self, kind: str, value: str, label: str = "") -> WatchItem:
        value = value.strip()
        if kind not in WATCH_KINDS:
            raise ValueError(f"the watchlist holds {' and '.join(WATCH_KINDS)}s")
        if not value:
            raise ValueError("nothing to watch: the value is empty")
        try:
            with self.store.engine.begin() as conn:
                conn.execute(
                    insert(t.watchlist).values(
                        kind=kind, value=value, label=label.strip() or value, created_at=_now()
                    )
                )
        except IntegrityError:
            pass  # already watched: adding twice is harmless
        return next(w for w in self.watchlist() if w.kind == kind and w.value == value)

    def unwatch(self, item_id: int) -> bool:
        with self.store.engine.begin() as conn:
            return conn.execute(delete(t.watchlist).where(t.watchlist.c.id == item_id)).rowcount > 0

    def watchlist(self) -> list[WatchItem]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(t.watchlist).order_by(t.watchlist.c.id)).all()
        return [WatchItem(r.id, r.kind, r.value, r.label) for r in rows]

    def for_ranking(self) -> dict[str, Any]:
        """Everything a ranking or a review may weigh: ratings, verdicts, watched trends."""
        return {
            "card_ratings": self.ratings("card"),
            "signal_ratings": self.ratings("signal"),
            "signal_states": self.signal_states(),
            "trend_edits": self.trend_edits(),
            "watched_trends": [w.value for w in self.watchlist() if w.kind == "trend"],
            "watched_queries": [w.value for w in self.watchlist() if w.kind == "query"],
        }
