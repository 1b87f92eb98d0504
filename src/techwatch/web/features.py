"""The parts of the watch built by later steps (trends, topics, reviews, ask, decks).

Pages for what a workspace cannot give yet are simply absent: each probe asks the
Workspace for its method and, when it is missing or has nothing, contributes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from techwatch.workspace import Workspace

__all__ = ["Extras", "TrendLink", "ReviewLink", "collect", "has"]


@dataclass
class TrendLink:
    id: str
    label: str
    state: str = ""


@dataclass
class ReviewLink:
    key: str
    title: str


@dataclass
class Extras:
    """What the later steps offer, for the home page, the nav and the site builder."""

    trends: bool = False
    ask: bool = False
    deck: bool = False
    topic: bool = False
    emerging: list[TrendLink] = field(default_factory=list)
    reviews: list[ReviewLink] = field(default_factory=list)

    def flags(self) -> dict[str, bool]:
        return {"trends": self.trends, "ask": self.ask, "deck": self.deck, "topic": self.topic}

    def write_site(self, writer: Any) -> None:
        """Pages of trends, topics and reviews, when those exist (none yet)."""


def has(ws: Workspace, name: str) -> bool:
    return callable(getattr(ws, name, None))


def collect(ws: Workspace) -> Extras:
    return Extras(
        trends=has(ws, "trends"),
        ask=has(ws, "ask"),
        deck=has(ws, "deck"),
        topic=has(ws, "topic"),
    )
