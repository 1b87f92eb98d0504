"""Who may write: users with argon2-hashed passwords, login sessions and API tokens.

Only hashes are stored: argon2id for passwords (argon2-cffi), sha256 for the random
session and API tokens (they carry 256 bits of randomness, so a fast hash is enough).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from techwatch.store import schema as t
from techwatch.store.store import Store
from techwatch.web.cache import GenerationCache

__all__ = ["AuthError", "User", "Users"]

_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD = 8
_hasher = PasswordHasher()
# A hash to verify against when the user is unknown, so timing does not reveal names.
_DUMMY = _hasher.hash("techwatch-no-such-user")


class AuthError(ValueError):
    """A bad user name or password (the message is safe to show)."""


@dataclass(frozen=True)
class User:
    id: int
    name: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Users:
    """Users, sessions and tokens, in the workspace's store."""

    def __init__(self, store: Store, cache: GenerationCache | None = None) -> None:
        self.store = store
        # The app passes its generation cache: who owns a token or a session is read once
        # until the next commit (a new token, a logout, a revocation from the CLI).
        self.cache = cache

    def _cached(self, key: tuple[str, str], read: Any) -> Any:
        return self.cache.get(key, read) if self.cache is not None else read()

    def count(self) -> int:
        with self.store.engine.connect() as conn:
            return len(conn.execute(select(t.web_users.c.id)).all())

    def set_password(self, name: str, password: str) -> User:
        """Create the user, or change their password (which ends their sessions)."""
        if not _NAME.match(name):
            raise AuthError("a user name is 1-64 letters, digits or . _ @ -")
        if len(password) < MIN_PASSWORD:
            raise AuthError(f"a password has at least {MIN_PASSWORD} characters")
        hashed = _hasher.hash(password)
        with self.store.engine.begin() as conn:
            row = conn.execute(select(t.web_users.c.id).where(t.web_users.c.name == name)).first()
            if row:
                conn.execute(
                    update(t.web_users)
                    .where(t.web_users.c.id == row.id)
                    .values(password_hash=hashed)
                )
                conn.execute(delete(t.web_sessions).where(t.web_sessions.c.user_id == row.id))
                return User(row.id, name)
            try:
                result = conn.execute(
                    insert(t.web_users).values(name=name, password_hash=hashed, created_at=_now())
                )
            except IntegrityError as exc:  # created concurrently
                raise AuthError(f"user {name!r} was just created elsewhere; try again") from exc
            return User(result.inserted_primary_key[0], name)

    def check(self, name: str, password: str) -> User | None:
        """The user if the password is right, else None (same work either way)."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(t.web_users).where(t.web_users.c.name == name)).first()
        try:
            _hasher.verify(row.password_hash if row else _DUMMY, password)
        except (VerificationError, InvalidHashError):
            return None
        return User(row.id, row.name) if row else None

    # -- sessions ------------------------------------------------------------------

    def start_session(self, user: User, hours: float) -> str:
        token = secrets.token_urlsafe(32)
        with self.store.engine.begin() as conn:
            conn.execute(delete(t.web_sessions).where(t.web_sessions.c.expires_at < _now()))
            conn.execute(
                insert(t.web_sessions).values(
                    token_hash=_digest(token),
                    user_id=user.id,
                    created_at=_now(),
                    expires_at=_now() + timedelta(hours=hours),
                )
            )
        return token

    def session_user(self, token: str | None) -> User | None:
        if not token:
            return None
        digest = _digest(token)

        def read() -> tuple[User, datetime] | None:
            with self.store.engine.connect() as conn:
                row = conn.execute(
                    select(t.web_users.c.id, t.web_users.c.name, t.web_sessions.c.expires_at)
                    .join(t.web_users, t.web_users.c.id == t.web_sessions.c.user_id)
                    .where(t.web_sessions.c.token_hash == digest)
                ).first()
            return (User(row.id, row.name), _aware(row.expires_at)) if row else None

        found = self._cached(("session", digest), read)
        if found is None or found[1] < _now():  # expiry is checked on every request
            return None
        return found[0]

    def end_session(self, token: str | None) -> None:
        if token:
            with self.store.engine.begin() as conn:
                conn.execute(
                    delete(t.web_sessions).where(t.web_sessions.c.token_hash == _digest(token))
                )

    # -- API tokens ------------------------------------------------------------------

    def new_token(self, name: str, label: str = "") -> str:
        """A new API token for a user; shown once, stored as a hash."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(t.web_users.c.id).where(t.web_users.c.name == name)).first()
        if row is None:
            raise AuthError(f"no user {name!r}: create it first with `techwatch user add`")
        token = "tw_" + secrets.token_urlsafe(32)
        with self.store.engine.begin() as conn:
            conn.execute(
                insert(t.web_tokens).values(
                    token_hash=_digest(token), user_id=row.id, label=label, created_at=_now()
                )
            )
        return token

    def token_user(self, token: str | None) -> User | None:
        if not token:
            return None
        digest = _digest(token)

        def read() -> User | None:
            with self.store.engine.connect() as conn:
                row = conn.execute(
                    select(t.web_users.c.id, t.web_users.c.name)
                    .join(t.web_tokens, t.web_tokens.c.user_id == t.web_users.c.id)
                    .where(and_(t.web_tokens.c.token_hash == digest))
                ).first()
            return User(row.id, row.name) if row else None

        return self._cached(("token", digest), read)
