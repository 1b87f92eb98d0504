"""Exact caches for the live app, keyed by the store's generation.

A page is read far more often than the store changes, so what a page reads (a card view,
its related cards, who owns a token) is kept in memory until the next commit. The
generation is SQLite's `PRAGMA data_version` on a connection of our own that never writes:
it changes whenever any connection, in this process or another (`techwatch run`, the
CLI), commits. Reading it costs microseconds, so every cached answer is as fresh as an
uncached one. On other databases there is no such counter: nothing is cached there.

The pragma is read on one of a few connections of our own, taken from a queue: one shared
connection behind a lock made the request threads queue for it (the holder gives up the
GIL inside SQLite and waits to get it back). A pragma value only compares with the same
connection's earlier ones, so a connection that sees its value change bumps one
process-wide counter: every commit is noticed by the first check after it on every
connection, and a new connection's first check counts as a change. There are at most
`CONNECTIONS` of them, kept for the app's life (a request waits microseconds for a free
one), so only the first few checks ever empty the caches without a commit.

A read-only request (GET, HEAD) reads the generation once, at its first cache lookup, and
keeps it to its end (`read_snapshot`): its pages are as of that moment, and a page makes
one pragma call instead of five. Writing requests never pin: they see their own writes.
"""

from __future__ import annotations

import itertools
import queue
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from techwatch.store.store import Store

__all__ = ["Generation", "GenerationCache", "read_snapshot"]

T = TypeVar("T")
CONNECTIONS = 4

# Set by the app for each read-only request: {} until its first lookup, then the generation.
_snapshot: ContextVar[dict[int, int] | None] = ContextVar("techwatch_snapshot", default=None)


def read_snapshot() -> None:
    """Start a read-only request's snapshot (the middleware calls it; it holds for the
    request's context, which its worker thread inherits)."""
    _snapshot.set({})


class Generation:
    """A value that changes whenever anything commits to the store."""

    def __init__(self, store: Store) -> None:
        self._lock = threading.Lock()
        self._fresh = itertools.count()  # no counter available: every call is a new one
        self._value = 0
        self._idle: queue.SimpleQueue[tuple[sqlite3.Connection, list[int | None]]]
        self._idle = queue.SimpleQueue()
        self._conns: list[sqlite3.Connection] = []
        path = store.engine.url.database if store.dialect == "sqlite" else None
        self._path = path if path and path != ":memory:" and not path.startswith("file:") else None

    @property
    def exact(self) -> bool:
        """True when caching is possible (an SQLite file)."""
        return self._path is not None

    def current(self) -> int:
        if self._path is None:
            return -1 - next(self._fresh)
        pinned = _snapshot.get()
        if pinned is None:
            return self._read()
        key = id(self)
        if key not in pinned:
            pinned[key] = self._read()
        return pinned[key]

    def _read(self) -> int:
        try:
            conn, last = self._idle.get_nowait()
        except queue.Empty:
            with self._lock:
                new = len(self._conns) < CONNECTIONS and self._path is not None
                if new:
                    assert self._path is not None
                    conn = sqlite3.connect(self._path, check_same_thread=False, timeout=30)
                    last = [None]
                    self._conns.append(conn)
            if not new:
                conn, last = self._idle.get()
        try:
            seen = conn.execute("PRAGMA data_version").fetchone()[0]
            if seen != last[0]:  # a commit since this connection last looked (or its first)
                with self._lock:
                    self._value += 1
                last[0] = seen
            return self._value
        finally:
            self._idle.put((conn, last))

    def close(self) -> None:
        with self._lock:
            for conn in self._conns:
                conn.close()
            self._conns.clear()
            self._path = None


class GenerationCache:
    """Least-recently-used values, all forgotten when the store's generation changes."""

    def __init__(self, generation: Generation, size: int = 4096) -> None:
        self.generation = generation
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._at: int | None = None
        self._lock = threading.Lock()

    def _sync(self, gen: int) -> None:
        # Generations only grow: a thread still on an older one reads newer values (fine)
        # and stores nothing (put_many), rather than emptying the cache back.
        if self._at is None or gen > self._at:
            self._data.clear()
            self._at = gen

    def get_many(self, keys: list[Hashable]) -> tuple[int, dict[Hashable, Any]]:
        """The generation now and the cached values among `keys`."""
        gen = self.generation.current()
        found: dict[Hashable, Any] = {}
        with self._lock:
            self._sync(gen)
            for key in keys:
                if key in self._data:
                    self._data.move_to_end(key)
                    found[key] = self._data[key]
        return gen, found

    def put_many(self, gen: int, values: dict[Hashable, Any]) -> None:
        """Keep values read at generation `gen` (or later): dropped if it has moved on."""
        if not self.generation.exact:
            return
        with self._lock:
            if gen != self._at:
                return
            self._data.update(values)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value, or `compute()` kept until the next commit."""
        gen, found = self.get_many([key])
        if key in found:
            return found[key]
        value = compute()
        self.put_many(gen, {key: value})
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
