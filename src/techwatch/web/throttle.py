"""Login throttling kept in the store, so every worker process of the app counts the same
failures (an attacker spreading guesses over the workers gains nothing)."""

from __future__ import annotations

import hashlib
import time

from sqlalchemy import and_, delete, func, insert, select

from techwatch.store import schema as t
from techwatch.store.store import Store

__all__ = ["LoginThrottle"]


def _key(name: str) -> str:
    # The name typed, hashed: it may be a password typed in the wrong field.
    return hashlib.sha256(name.strip().casefold().encode()).hexdigest()


class LoginThrottle:
    """At most `limit` failed logins per user name in `window` seconds (guessing is slow)."""

    def __init__(self, store: Store, limit: int = 5, window: float = 300.0) -> None:
        self.store, self.limit, self.window = store, limit, window

    def blocked(self, name: str) -> bool:
        since = time.time() - self.window
        with self.store.engine.connect() as conn:
            count = conn.execute(
                select(func.count()).where(
                    and_(
                        t.web_login_failures.c.name_hash == _key(name),
                        t.web_login_failures.c.at > since,
                    )
                )
            ).scalar_one()
        return count >= self.limit

    def failed(self, name: str) -> None:
        now = time.time()
        with self.store.engine.begin() as conn:
            # Old failures go as new ones come: the table holds one window's worth.
            conn.execute(
                delete(t.web_login_failures).where(t.web_login_failures.c.at <= now - self.window)
            )
            conn.execute(insert(t.web_login_failures).values(name_hash=_key(name), at=now))
