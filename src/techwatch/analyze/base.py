"""The Analyzer protocol: one article in, one card (or a reasoned failure) out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from techwatch.card import Card


@dataclass(frozen=True)
class ArticleInput:
    """What an analyzer may read of an article."""

    id: str
    text: str
    title: str = ""
    url: str = ""
    language: str = ""
    content_hash: str = ""
    published: str = ""


@dataclass
class Analysis:
    """The outcome of analysing one article.

    `status` is "ok" or "failed"; a failure carries a short machine-readable code
    first in `reason` (e.g. "invalid_json: ...", "truncated: ...", "refusal: ...").
    """

    status: str
    card: Card | None = None
    reason: str = ""
    model: str = ""
    prompt_version: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0
    cached: bool = False
    ungrounded_dropped: int = 0
    ungrounded_flagged: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def failed(cls, reason: str, **kw: Any) -> Analysis:
        return cls(status="failed", reason=reason, **kw)


class ResultCache(Protocol):
    """Where expensive results are kept, keyed by (content hash, model, prompt version)."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...


class MemoryCache:
    """A ResultCache in a dict, for tests and one-off runs."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        return self.data.get(key)

    def put(self, key: str, value: dict[str, Any]) -> None:
        self.data[key] = value


@runtime_checkable
class Analyzer(Protocol):
    """Turns articles into cards. Implementations never raise for one bad article."""

    name: str
    model: str
    prompt_version: str

    def analyze(self, article: ArticleInput) -> Analysis: ...

    def analyze_many(
        self, articles: Iterable[ArticleInput]
    ) -> Iterator[tuple[ArticleInput, Analysis]]:
        """Analyse several articles, possibly concurrently; yields in completion order."""
        ...

    def close(self) -> None:
        """Release what the analyzer holds (HTTP clients, a loaded model); idempotent."""
        ...
