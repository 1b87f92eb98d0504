"""Cards as the topic and review pages cite them: id, title, link, date and items."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from techwatch.store import schema as t
from techwatch.store.store import Store

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[^\s])")


@dataclass
class CardRef:
    id: str
    title: str
    url: str
    date: str
    category: str = ""
    keywords: list[str] = field(default_factory=list)
    summary: str = ""
    card: dict[str, Any] = field(default_factory=dict)

    def items(self, kind: str) -> list[dict[str, Any]]:
        return [x for x in self.card.get(kind) or [] if (x.get("name") or "").strip()]


@dataclass
class Cited:
    """A statement and the cards it comes from."""

    text: str
    card_ids: list[str]
    detail: dict[str, str] = field(default_factory=dict)


def load_cards(store: Store, ids: list[str] | set[str]) -> dict[str, CardRef]:
    wanted = sorted(set(ids))
    out: dict[str, CardRef] = {}
    query = select(
        t.cards.c.article_id,
        t.cards.c.card,
        t.articles.c.url,
        t.articles.c.title,
        t.articles.c.origin_date,
        t.articles.c.published,
    ).join(t.articles, t.articles.c.id == t.cards.c.article_id)
    with store.engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for r in conn.execute(query.where(t.cards.c.article_id.in_(chunk))):
                card = r.card if isinstance(r.card, dict) else {}
                out[r.article_id] = CardRef(
                    id=r.article_id,
                    title=(card.get("title") or r.title or r.url or r.article_id).strip(),
                    url=r.url or "",
                    date=r.origin_date or r.published or "",
                    category=card.get("category") or "",
                    keywords=list(card.get("keywords") or []),
                    summary=card.get("summary") or "",
                    card=card,
                )
    return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text or "") if len(s.strip()) > 20]


def best_sentence(text: str, terms: set[str]) -> str:
    """The summary sentence sharing most words with the query (the first on a tie)."""
    options = sentences(text)
    if not options:
        return (text or "").strip()
    scored = [(-len(terms & set(_words(s))), i, s) for i, s in enumerate(options)]
    return min(scored)[2]


def _words(text: str) -> list[str]:
    return [w.casefold() for w in re.findall(r"[^\W_]+", text)]


def query_terms(query: str) -> set[str]:
    return {w for w in _words(query) if len(w) > 2}
