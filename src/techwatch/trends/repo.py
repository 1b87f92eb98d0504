"""Reading and writing trends in the store (tables trends, trend_members, trend_history)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, select, update

from techwatch.store import schema as t
from techwatch.store.store import Store, now
from techwatch.trends.data import fetch_rows, no_gc


@dataclass
class StoredTrend:
    id: str
    kind: str
    label: str
    terms: list[str]
    status: str
    size: int
    centroid_sum: np.ndarray | None
    model: str
    merged_into: str | None = None
    created_at: datetime | None = None
    label_pinned: bool = False


@dataclass
class TrendState:
    """Everything stored for one kind: trends, who is where, and what must be written."""

    kind: str
    trends: dict[str, StoredTrend] = field(default_factory=dict)
    members: dict[str, str | None] = field(default_factory=dict)  # item key -> trend id
    similarity: dict[str, float | None] = field(default_factory=dict)
    articles: dict[str, str] = field(default_factory=dict)  # item key -> article id
    history: list[dict[str, Any]] = field(default_factory=list)
    # What was read, so saving writes only what changed (an update touches few rows).
    loaded: dict[str, tuple[str | None, float | None]] = field(default_factory=dict)
    loaded_trends: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def record(
        self, action: str, trend_id: str, other_id: str | None = None, **detail: Any
    ) -> None:
        self.history.append(
            {"action": action, "trend_id": trend_id, "other_id": other_id, "detail": detail or None}
        )

    def members_of(self, trend_id: str) -> list[str]:
        return sorted(k for k, v in self.members.items() if v == trend_id)


def load_state(store: Store, kind: str) -> TrendState:
    state = TrendState(kind)
    with store.engine.connect() as conn:
        for r in conn.execute(select(t.trends).where(t.trends.c.kind == kind)):
            vec = np.frombuffer(r.centroid, dtype=np.float32).copy() if r.centroid else None
            state.trends[r.id] = StoredTrend(
                r.id,
                r.kind,
                r.label,
                list(r.terms or []),
                r.status,
                r.size,
                vec,
                r.model,
                r.merged_into,
                r.created_at,
                bool(r.label_pinned),
            )
    query = select(
        t.trend_members.c.item_key,
        t.trend_members.c.trend_id,
        t.trend_members.c.similarity,
        t.trend_members.c.article_id,
    ).where(t.trend_members.c.kind == kind)
    with no_gc():
        for key, trend_id, similarity, article_id in fetch_rows(store, query):
            state.members[key] = trend_id
            state.similarity[key] = similarity
            state.articles[key] = article_id
    state.loaded = {k: (v, state.similarity.get(k)) for k, v in state.members.items()}
    state.loaded_trends = {tid: _snapshot(tr) for tid, tr in state.trends.items()}
    return state


def _snapshot(tr: StoredTrend) -> tuple[Any, ...]:
    centroid = tr.centroid_sum.astype(np.float32).tobytes() if tr.centroid_sum is not None else None
    return (
        tr.label,
        tuple(tr.terms),
        tr.status,
        tr.merged_into,
        tr.size,
        tr.model,
        tr.label_pinned,
        centroid,
    )


def save_state(store: Store, state: TrendState, run: dict[str, Any]) -> None:
    """Write what changed in one transaction: a crash leaves the previous state whole."""
    stamp = now()
    with store.engine.begin() as conn:
        for tr in state.trends.values():
            snap = _snapshot(tr)
            if state.loaded_trends.get(tr.id) == snap:
                continue
            values = {
                "kind": tr.kind,
                "label": tr.label,
                "label_pinned": tr.label_pinned,
                "terms": tr.terms,
                "status": tr.status,
                "merged_into": tr.merged_into,
                "size": tr.size,
                "centroid": snap[-1],
                "model": tr.model,
                "updated_at": stamp,
            }
            if tr.id in state.loaded_trends:
                conn.execute(update(t.trends).where(t.trends.c.id == tr.id).values(**values))
            else:
                conn.execute(insert(t.trends).values(id=tr.id, created_at=stamp, **values))
        current = {k: (v, state.similarity.get(k)) for k, v in state.members.items()}
        stale = [k for k in state.loaded if current.get(k) != state.loaded[k]]
        fresh = [k for k, v in current.items() if state.loaded.get(k) != v]
        for start in range(0, len(stale), 500):
            chunk = stale[start : start + 500]
            conn.execute(delete(t.trend_members).where(t.trend_members.c.item_key.in_(chunk)))
        rows = [
            {
                "item_key": key,
                "kind": state.kind,
                "trend_id": state.members[key],
                "article_id": state.articles[key],
                "similarity": state.similarity.get(key),
                "joined_at": stamp,
            }
            for key in fresh
        ]
        for start in range(0, len(rows), 5000):
            conn.execute(insert(t.trend_members), rows[start : start + 5000])
        if state.history:
            conn.execute(
                insert(t.trend_history),
                [{"at": stamp, "kind": state.kind, **h} for h in state.history],
            )
        conn.execute(insert(t.trend_runs).values(started_at=stamp, finished_at=now(), **run))
    state.history = []
    state.loaded = current
    state.loaded_trends = {tid: _snapshot(tr) for tid, tr in state.trends.items()}


def history(
    store: Store, trend_id: str | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    query = select(t.trend_history).order_by(t.trend_history.c.id)
    if trend_id:
        query = query.where(
            (t.trend_history.c.trend_id == trend_id) | (t.trend_history.c.other_id == trend_id)
        )
    if kind:
        query = query.where(t.trend_history.c.kind == kind)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def rename(store: Store, trend_id: str, label: str) -> None:
    """A person's name for a trend; kept over automatic labels, recorded in the history."""
    with store.engine.begin() as conn:
        row = conn.execute(select(t.trends).where(t.trends.c.id == trend_id)).first()
        if row is None:
            raise KeyError(f"no trend {trend_id!r}")
        conn.execute(
            update(t.trends)
            .where(t.trends.c.id == trend_id)
            .values(label=label, label_pinned=True, updated_at=now())
        )
        conn.execute(
            insert(t.trend_history).values(
                at=now(),
                kind=row.kind,
                action="rename",
                trend_id=trend_id,
                detail={"from": row.label, "to": label},
            )
        )
