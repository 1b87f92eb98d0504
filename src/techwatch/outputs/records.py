"""Store access for outputs: stories per issue, the record of sends, an issue's cards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from techwatch.store import schema as t
from techwatch.store.store import Store

__all__ = [
    "get_send",
    "get_story",
    "issue_dates",
    "issue_rows",
    "record_send",
    "save_story",
]


def _now() -> datetime:
    return datetime.now(UTC)


def get_send(store: Store, key: str) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.sends).where(t.sends.c.key == key)).first()
    return dict(row._mapping) if row else None


def record_send(
    store: Store,
    key: str,
    *,
    channel: str,
    recipient: str,
    subject: str,
    what: str,
    status: str,
    error: str = "",
    attempts: int = 0,
) -> None:
    """Insert or update the row of one delivery; `sent_at` only when it was sent."""
    values = {
        "channel": channel,
        "recipient": recipient,
        "subject": subject,
        "what": what,
        "status": status,
        "error": error,
        "sent_at": _now() if status == "sent" else None,
    }
    with store.engine.begin() as conn:
        old = conn.execute(select(t.sends.c.attempts).where(t.sends.c.key == key)).first()
        if old is None:
            conn.execute(
                t.sends.insert().values(key=key, attempts=attempts, created_at=_now(), **values)
            )
        else:
            conn.execute(
                t.sends.update()
                .where(t.sends.c.key == key)
                .values(attempts=old[0] + attempts, **values)
            )


def list_sends(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.sends).order_by(t.sends.c.created_at))
        return [dict(r._mapping) for r in rows]


def get_story(store: Store, issue_date: str) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.stories).where(t.stories.c.issue_date == issue_date)).first()
    return dict(row._mapping) if row else None


def save_story(
    store: Store,
    issue_date: str,
    *,
    title: str,
    text: str,
    article_ids: list[str],
    backend: str,
    model: str,
) -> None:
    """One story per issue: a regeneration replaces it in one transaction."""
    values = {
        "title": title,
        "text": text,
        "article_ids": article_ids,
        "backend": backend,
        "model": model,
        "created_at": _now(),
    }
    with store.engine.begin() as conn:
        conn.execute(t.stories.delete().where(t.stories.c.issue_date == issue_date))
        conn.execute(t.stories.insert().values(issue_date=issue_date, **values))


def issue_rows(store: Store, issue_date: str) -> list[dict[str, Any]]:
    """The ok cards of one newsletter issue (articles whose origin date is that day)."""
    return [r for r in store.list_cards(status="ok") if (r.get("origin_date") or "") == issue_date]


def issue_dates(store: Store) -> list[str]:
    """Every issue date that has cards, newest first."""
    dates = {r.get("origin_date") or "" for r in store.list_cards(status="ok")}
    return sorted((d for d in dates if d), reverse=True)


def list_stories(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.stories).order_by(t.stories.c.issue_date))
        return [dict(r._mapping) for r in rows]
