"""Typed results of the `Workspace` API: what callers get instead of raw database rows.

Dataclasses, built from store rows in one place (`from_row`), so the CLI, the web app and
notebooks read the same attribute names and never depend on the schema's column names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from techwatch.card import Card

if TYPE_CHECKING:
    from techwatch.progress import StageReport
    from techwatch.stages.pages import PagesReport
    from techwatch.vectors import EmbedReport


def _json(value: Any) -> Any:
    """A value made JSON-friendly (datetimes as ISO text)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


class _Record:
    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready): what `--json` outputs and exports print."""
        return _json(asdict(self))  # type: ignore[call-overload]


@dataclass
class ArticleSummary(_Record):
    """An article as listed: where it comes from and what became of it."""

    id: str
    url: str
    status: str
    reason: str = ""
    title: str = ""
    origin_kind: str = ""
    origin_url: str = ""
    origin_title: str = ""
    origin_date: str = ""
    published: str = ""
    language: str = ""
    text_chars: int = 0
    duplicate_of: str | None = None
    source_id: int | None = None
    fetched_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ArticleSummary:
        return cls(**{k: row[k] for k in _fields(cls) if k in row})


@dataclass
class Article(ArticleSummary):
    """One article in full: fetch metadata, every URL seen for it, and its text."""

    author: str = ""
    published_from: str = ""
    link_text: str = ""
    http_status: int | None = None
    content_type: str = ""
    encoding: str = ""
    final_url: str = ""
    kind: str = ""
    content_hash: str | None = None
    attempts: int = 0
    elapsed: float = 0.0
    discovered_at: datetime | None = None
    text: str = ""
    urls: list[str] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: dict[str, Any], urls: list[str] | None = None) -> Article:
        values = {k: row[k] for k in _fields(cls) if k in row and k != "urls"}
        values["text"] = values.get("text") or ""
        return cls(**values, urls=list(urls or []))


@dataclass
class SearchHit(_Record):
    """A full-text match. `snippet` is plain text; `matches` are (start, end) offsets in it
    of the matched terms, so a caller highlights them without parsing any markup."""

    id: str
    url: str
    title: str = ""
    status: str = ""
    origin_date: str = ""
    snippet: str = ""
    matches: list[tuple[int, int]] = field(default_factory=list)

    def marked(self, before: str = "[", after: str = "]") -> str:
        """The snippet with each match wrapped in `before`/`after` (for plain-text output)."""
        out, last = [], 0
        for start, end in self.matches:
            out += [self.snippet[last:start], before, self.snippet[start:end], after]
            last = end
        out.append(self.snippet[last:])
        return "".join(out)


@dataclass
class StoredCard(_Record):
    """A card as stored: the `Card` (None when the analysis failed), who made it and why not."""

    article_id: str
    status: str
    card: Card | None
    reason: str = ""
    analyzer: str = ""
    model: str = ""
    prompt_version: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0
    cached: bool = False
    ungrounded_dropped: int = 0
    ungrounded_flagged: int = 0
    attempts: int = 0
    url: str = ""
    article_title: str = ""
    origin_url: str = ""
    origin_title: str = ""
    origin_date: str = ""
    published: str = ""
    meta: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def title(self) -> str:
        return (self.card.title if self.card else "") or self.article_title or self.url

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StoredCard:
        values = {k: row[k] for k in _fields(cls) if k in row and k != "card"}
        card = Card.model_validate(row["card"]) if row.get("card") else None
        return cls(**values, card=card)

    def to_dict(self) -> dict[str, Any]:
        data = _json({k: v for k, v in asdict(self).items() if k != "card"})
        data["card"] = self.card.model_dump(mode="json") if self.card else None
        return data


@dataclass
class Source(_Record):
    """A source the user added (or one found through it), with its articles' counts."""

    id: int
    kind: str
    location: str
    status: str
    reason: str = ""
    title: str = ""
    parent_id: int | None = None
    origin_date: str = ""
    links_found: int = 0
    added_at: datetime | None = None
    checked_at: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict[str, Any], counts: dict[str, int] | None = None) -> Source:
        values = {k: row[k] for k in _fields(cls) if k in row and k != "counts"}
        return cls(**values, counts=dict(counts or row.get("counts") or {}))


@dataclass
class ArticleProblem(_Record):
    """An article that ended in something other than ok: for `status`'s latest problems."""

    id: str
    url: str
    status: str
    reason: str = ""
    updated_at: datetime | None = None


@dataclass
class RunReport(_Record):
    """One recorded run of a stage (`running`, `ok`, `failed` or `interrupted`)."""

    id: int
    stage: str
    status: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RunReport:
        values = {k: row[k] for k in _fields(cls) if k in row}
        values["counts"] = dict(values.get("counts") or {})
        return cls(**values)


@dataclass
class CardTotals(_Record):
    """LLM usage summed over every stored card."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0
    dropped: int = 0
    flagged: int = 0


@dataclass
class StatusReport(_Record):
    """What `techwatch status` shows: counts, sources, cards, latest problems and runs."""

    articles: dict[str, int]
    sources: list[Source]
    errors: list[ArticleProblem]
    cards: dict[str, int]
    card_totals: CardTotals
    runs: list[RunReport]

    @property
    def total_articles(self) -> int:
        return sum(self.articles.values())


@dataclass
class PipelineReport(_Record):
    """What `Workspace.run` did, stage by stage."""

    fetch: StageReport
    analyze: StageReport
    pages: PagesReport
    embed: EmbedReport | None = None  # None when embedding failed (see the log)
    trends: list[Any] | None = None  # trends: one UpdateReport per kind; None: failed (see the log)
    # The closing send (`run --send`, or `[send] to`): one SendResult per target; `send_error`
    # says why nothing was sent (e.g. nothing dated this week), empty when it ran or was not asked.
    sent: list[Any] = field(default_factory=list)
    send_error: str = ""


def _fields(cls: type) -> tuple[str, ...]:
    return tuple(cls.__dataclass_fields__)
