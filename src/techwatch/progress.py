"""How stages report progress, without knowing who listens (CLI bar, web app, nothing)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol


class Progress(Protocol):
    def start(self, stage: str, total: int) -> None: ...

    def advance(self, status: str, **info: Any) -> None: ...

    def revise(self, old: str, new: str) -> None:
        """An item already counted as `old` is now `new` (a duplicate found later)."""

    def finish(self) -> None: ...


class NoProgress:
    """The default listener: ignores everything."""

    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, status: str, **info: Any) -> None:
        pass

    def revise(self, old: str, new: str) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class StageReport:
    """What a stage did: counts per outcome, and the figures worth printing."""

    stage: str
    counts: Counter[str] = field(default_factory=Counter)
    totals: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def processed(self) -> int:
        return sum(self.counts.values())
