"""Hybrid search over the real reference corpus (258 cards), imported into a real store."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from techwatch.vectors import clear_cache, ensure_vectors

CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus" / "futures-pages"


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared corpus is missing in CI: {CORPUS}")
        pytest.skip("the shared reference corpus is not present (bare clone)")
    from techwatch.workspace import Workspace

    clear_cache()
    workspace = Workspace.init(tmp_path_factory.mktemp("corpus") / "ws")
    workspace.import_pages(CORPUS)
    workspace.embed()
    yield workspace
    workspace.close()
    clear_cache()


def _text(ws, card_id: str) -> str:
    card = ws.cards.card(card_id)
    parts = [card.title, card.summary, *card.keywords, *card.themes]
    for items in card.items().values():
        parts += [f"{i.name} {i.description}" for i in items]
    return " ".join(parts).lower()


def test_every_card_and_item_has_one_vector(ws) -> None:
    cards = ensure_vectors(ws.store, ws.embedder(), "cards")
    assert len(cards) == ws.status().cards["ok"] >= 200
    assert cards.embedded == 0  # done by the fixture's embed
    assert cards.model_id.startswith("tfidf-svd-") and cards.matrix.shape[1] > 8
    items = ensure_vectors(ws.store, ws.embedder(), "items")
    assert len(items) > len(cards) and set(items.kinds) <= {
        "signal",
        "concern",
        "behavior",
        "technology",
        "issue",
    }


@pytest.mark.parametrize(
    ("query", "pattern"),
    [
        ("AI agents automating work", r"\bagent"),
        ("electric vehicle batteries", r"batter|\bev\b|electric vehicle"),
        ("privacy and surveillance", r"privacy|surveil"),
    ],
)
def test_topic_queries_find_cards_on_the_topic(ws, query, pattern) -> None:
    hits = ws.search(query, k=10)
    assert len(hits) == 10
    on_topic = [h for h in hits if re.search(pattern, _text(ws, h.card_id))]
    assert len(on_topic) >= 7, [h.title for h in hits]
    assert all(h.url and h.title for h in hits)


def test_fusion_uses_both_rankings_on_real_data(ws) -> None:
    hits = ws.search("energy storage for the grid", k=30)
    assert all(h.bm25_rank or h.vector_rank for h in hits)
    fused = {h.card_id for h in hits[:10]}
    by_vector = {h.card_id for h in hits if h.vector_rank and h.vector_rank <= 10}
    by_text = {h.card_id for h in hits if h.bm25_rank and h.bm25_rank <= 10}
    assert by_vector != by_text  # the two rankings disagree on real data...
    assert fused & by_vector and fused & by_text  # ...and the fused top 10 draws on both
    assert hits[0].bm25_rank and hits[0].vector_rank


def test_filters_hold_on_real_data(ws) -> None:
    hits = ws.search("artificial intelligence", since="2025", until="2025-12", k=30)
    assert hits and all("2025-01-01" <= h.date <= "2025-12-31" for h in hits)
    tech = ws.search("artificial intelligence", category="technology", k=30)
    assert tech and all(ws.cards.card(h.card_id).category == "technology" for h in tech)
    issue = hits[0].date
    same_issue = ws.search("technology", issue=issue, k=50)
    assert same_issue and {h.date for h in same_issue} == {issue}


def test_item_search_on_real_data(ws) -> None:
    hits = ws.search("remote work surveillance", scope="items", kinds=("signal",), k=10)
    assert hits and all(h.item_kind == "signal" for h in hits)
    assert any(re.search(r"surveil|monitor|remote", (h.item_name or "").lower()) for h in hits)
    for hit in hits:
        names = [s.name for s in ws.cards.card(hit.card_id).signals]
        assert hit.item_name in names
