"""A topic: what the corpus says about a query, every statement tied to its cards.

Retrieval (BM25 + vectors, fused) finds the cards. The digest comes from the configured
LLM through `ask` (only sentences with a valid citation kept) when there is one; otherwise
it is the summary sentence of each top card closest to the query (verbatim, so each is
checkable against its card). The tables gather the cards' signals and items.
`publish.topic` renders it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from techwatch.store import schema as t
from techwatch.store.store import Store
from techwatch.trends.cards import CardRef, Cited, best_sentence, load_cards, query_terms
from techwatch.trends.data import normalise_name

ITEM_SECTIONS: tuple[str, ...] = ("concerns", "behaviors", "technologies", "issues")
MIN_COSINE = 0.2  # a card must be this close to the query in meaning...
MIN_COSINE_TOP_TEXT = 0.1  # ...or among the 3 best full-text matches and this close


@dataclass
class SignalRow:
    name: str
    description: str
    change: str
    ten_year: str
    driving_force: str
    relevancy: int | None
    card_id: str


@dataclass
class TopicPage:
    query: str
    name: str
    cards: list[CardRef]
    digest: list[Cited] = field(default_factory=list)
    signals: list[SignalRow] = field(default_factory=list)
    items: dict[str, list[Cited]] = field(default_factory=dict)
    trends: list[dict[str, Any]] = field(default_factory=list)
    digest_source: str = "extractive"
    message: str = ""

    @property
    def cited(self) -> dict[str, CardRef]:
        return {c.id: c for c in self.cards}


def build_topic(
    store: Store,
    embedder: Any,
    query: str,
    *,
    k: int = 12,
    max_signals: int = 10,
    digest_sentences: int = 5,
    settings: Any = None,
) -> TopicPage:
    query = " ".join((query or "").split())
    if not query:
        raise ValueError("the topic query is empty: say what the topic is about")
    from techwatch.retrieval import search

    hits = search(store, embedder, query, scope="cards", k=k)
    kept = [h for h in hits if _on_topic(h)]
    refs = load_cards(store, [h.card_id for h in kept])
    cards = [refs[h.card_id] for h in kept if h.card_id in refs]
    page = TopicPage(query=query, name=query, cards=cards)
    if not cards:
        page.message = f"the corpus has nothing on {query!r} yet"
        return page
    if settings is not None:
        _llm_digest(store, embedder, settings, page)
    if not page.digest:
        terms = query_terms(query)
        for card in cards[:digest_sentences]:
            sentence = best_sentence(card.summary, terms)
            if sentence:
                page.digest.append(Cited(sentence, [card.id]))
    rows: list[tuple[int, int, SignalRow]] = []
    for rank, card in enumerate(cards):
        for s in card.items("signals"):
            relevancy = s.get("relevancy")
            row = SignalRow(
                name=s.get("name", "").strip(),
                description=s.get("description") or "",
                change=s.get("change") or "",
                ten_year=s.get("ten_year") or "",
                driving_force=s.get("driving_force") or "",
                relevancy=relevancy,
                card_id=card.id,
            )
            rows.append((rank, -(relevancy or 0), row))
    rows.sort(key=lambda x: (x[0], x[1]))
    seen: set[str] = set()
    for _, _, row in rows:
        if normalise_name(row.name) in seen:
            continue
        seen.add(normalise_name(row.name))
        page.signals.append(row)
        if len(page.signals) == max_signals:
            break
    for kind in ITEM_SECTIONS:
        page.items[kind] = gather_items(cards, kind)
    page.trends = related_trends(store, [c.id for c in cards])
    return page


def _llm_digest(store: Store, embedder: Any, settings: Any, page: TopicPage) -> None:
    """The digest from the configured LLM, through `ask` (context fenced, every sentence
    kept only with a valid citation). No LLM, or no cited sentence: the extractive one."""
    from techwatch.ask import AskError, ask
    from techwatch.outputs.llm import LLMUnavailable, llm_backend

    if llm_backend(settings) is None:
        return
    question = f"What is happening with {page.query}? Summarise the main developments."
    try:
        answer = ask(store, embedder, settings, question)
    except (AskError, LLMUnavailable):
        return
    if answer.mode != "llm" or not answer.found:
        return
    lines = [
        Cited(claim.text, [c.card_id for c in claim.citations])
        for claim in answer.claims
        if claim.citations
    ]
    if not lines:
        return
    known = {c.id for c in page.cards}
    extra = {cid for line in lines for cid in line.card_ids} - known
    page.cards += list(load_cards(store, extra).values())
    page.digest = lines
    page.digest_source = f"LLM ({answer.model})" if answer.model else "LLM"


def _on_topic(hit: Any) -> bool:
    """Fusion ranks every card; a topic page keeps the ones that are about the query.

    Full-text search ORs the query's words, so one shared word ("computing") is a match:
    it counts for the best match, and for the next two with some closeness in meaning.
    """
    if hit.cosine is None:  # no query vector: full text alone
        return hit.bm25_rank is not None
    if hit.bm25_rank == 1:  # the best full-text match (a tiny corpus has no useful vectors)
        return True
    if hit.cosine >= MIN_COSINE:
        return True
    return hit.bm25_rank is not None and hit.bm25_rank <= 3 and hit.cosine >= MIN_COSINE_TOP_TEXT


def gather_items(cards: list[CardRef], kind: str, limit: int = 12) -> list[Cited]:
    """Items of one kind across cards, the same name once, with every card that names it."""
    by_name: dict[str, Cited] = {}
    for card in cards:
        for item in card.items(kind):
            key = normalise_name(item["name"])
            if key not in by_name:
                by_name[key] = Cited(
                    item["name"].strip(), [], {"description": item.get("description") or ""}
                )
            if card.id not in by_name[key].card_ids:
                by_name[key].card_ids.append(card.id)
    ranked = sorted(by_name.values(), key=lambda c: -len(c.card_ids))
    return ranked[:limit]


def related_trends(store: Store, card_ids: list[str], limit: int = 8) -> list[dict[str, Any]]:
    """Trends (of any kind) whose members come from these cards, most shared first."""
    if not card_ids:
        return []
    query = select(t.trend_members.c.trend_id, t.trend_members.c.article_id).where(
        t.trend_members.c.article_id.in_(card_ids), t.trend_members.c.trend_id.is_not(None)
    )
    shared: dict[str, set[str]] = defaultdict(set)
    with store.engine.connect() as conn:
        for r in conn.execute(query):
            shared[r.trend_id].add(r.article_id)
        if not shared:
            return []
        rows = conn.execute(
            select(t.trends.c.id, t.trends.c.kind, t.trends.c.label).where(
                t.trends.c.id.in_(list(shared)), t.trends.c.status == "active"
            )
        ).all()
    out = [
        {"id": r.id, "kind": r.kind, "label": r.label, "cards": sorted(shared[r.id])} for r in rows
    ]
    out.sort(key=lambda x: (-len(x["cards"]), x["id"]))
    return out[:limit]
