"""Vectors in a real SQLite store: computed once per text and model, re-embedded on change."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from techwatch.card import Card, Item, Signal
from techwatch.embed import HashingEmbedder, TfidfSvdEmbedder
from techwatch.store import schema as t
from techwatch.store.db import sqlite_url
from techwatch.store.store import NewArticle, Store
from techwatch.vectors import (
    card_text,
    clear_cache,
    embed_corpus,
    ensure_vectors,
    item_text,
    text_hash,
)


def add_card(
    store: Store,
    slug: str,
    title: str,
    summary: str,
    *,
    date: str = "2025-01-15",
    category: str = "technology",
    type_: str = "news",
    source_id: int | None = None,
    origin_url: str = "",
    signals: tuple[str, ...] = (),
    technologies: tuple[str, ...] = (),
) -> str:
    """A fetched article with an ok card, as the analyze stage leaves it."""
    article_id, _ = store.discover(
        NewArticle(
            url=f"https://news.example/{slug}",
            source_id=source_id,
            origin_date=date,
            origin_url=origin_url,
        )
    )
    store.save_article(article_id, title=title, status="ok")
    card = Card(
        title=title,
        summary=summary,
        keywords=summary.split()[:4],
        category=category,
        type=type_,
        signals=[Signal(name=s, description=f"{s} grows", change="more of it") for s in signals],
        technologies=[Item(name=n, description=f"about {n}") for n in technologies],
    )
    store.save_card(article_id, status="ok", card=card, provenance={"analyzer": "test"})
    return article_id


@pytest.fixture
def store(tmp_path):
    clear_cache()
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    add_card(
        store,
        "a",
        "Sodium batteries",
        "Sodium-ion batteries store grid power cheaply",
        signals=("Cheap grid storage",),
        technologies=("Sodium-ion battery",),
    )
    add_card(
        store,
        "b",
        "AI agents",
        "Autonomous AI agents run office workflows",
        signals=("Agents replace clerks", "Cheap grid storage"),
    )
    add_card(store, "c", "Vertical farms", "Indoor farms grow lettuce under LED light")
    yield store
    store.close()
    clear_cache()


def _vector_rows(store: Store, model_id: str | None = None) -> int:
    query = select(func.count()).select_from(t.vectors)
    if model_id:
        query = query.where(t.vectors.c.model_id == model_id)
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def test_vectors_are_computed_once(store) -> None:
    embedder = HashingEmbedder(dim=64)
    cards = ensure_vectors(store, embedder, "cards")
    assert cards.embedded == 3 and len(cards) == 3
    assert cards.matrix.shape == (3, 64) and cards.kinds == ["card"] * 3
    items = ensure_vectors(store, embedder, "items")
    # "Cheap grid storage" appears on two cards with the same text: one vector serves both.
    assert len(items) == 4 and items.embedded == 3
    assert _vector_rows(store) == 6
    clear_cache()  # a new process: the vectors come from the store, nothing is embedded
    again = ensure_vectors(store, embedder, "cards")
    assert again.embedded == 0
    assert np.array_equal(again.matrix, cards.matrix)
    assert ensure_vectors(store, embedder, "items").embedded == 0


def test_every_vector_is_the_embedding_of_its_text_under_its_model(store) -> None:
    embedder = HashingEmbedder(dim=64)
    cards = ensure_vectors(store, embedder, "cards")
    stored = store.get_card(cards.card_ids[0])["card"]
    expected = embedder.embed([card_text(stored)])[0]
    assert np.allclose(cards.matrix[0], expected)
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.vectors.c.model_id, t.vectors.c.dim)).all()
    assert {r.model_id for r in rows} == {embedder.model_id} and {r.dim for r in rows} == {64}


def test_a_changed_card_is_embedded_again_alone(store) -> None:
    embedder = HashingEmbedder(dim=64)
    ensure_vectors(store, embedder, "cards")
    add_card(store, "c", "Vertical farms", "Vertical farms close after energy prices soar")
    assert ensure_vectors(store, embedder, "cards").embedded == 1
    add_card(store, "d", "Heat pumps", "Heat pump sales double")
    assert ensure_vectors(store, embedder, "cards").embedded == 1


def test_changing_the_embedder_re_embeds_and_never_mixes(store) -> None:
    first = ensure_vectors(store, HashingEmbedder(dim=64), "cards")
    other = HashingEmbedder(dim=32)
    second = ensure_vectors(store, other, "cards")
    assert second.embedded == 3 and second.model_id == other.model_id != first.model_id
    assert second.matrix.shape == (3, 32)
    texts = [card_text(store.get_card(cid)["card"]) for cid in second.card_ids]
    assert np.allclose(second.matrix, other.embed(texts))
    assert _vector_rows(store, first.model_id) == 3 and _vector_rows(store, other.model_id) == 3


def test_tfidf_fits_on_the_corpus_and_refits_as_it_grows(store, tmp_path) -> None:
    path = tmp_path / "models" / "tfidf.npz"
    embedder = TfidfSvdEmbedder(path, refit_growth=2.0)
    assert not embedder.fitted
    report = embed_corpus(store, embedder)
    assert report.refitted and embedder.fitted and path.is_file()
    assert report.embedded_cards == 3 and report.model_id == embedder.model_id
    first_id = embedder.model_id
    # Another process loads the same model file: same id, nothing to embed.
    clear_cache()
    reloaded = TfidfSvdEmbedder(path, refit_growth=2.0)
    assert reloaded.model_id == first_id
    assert embed_corpus(store, reloaded).embedded_cards == 0
    # Growing 3 -> 5 cards: below twice the size, the model (and its vectors) stay.
    add_card(store, "d", "Heat pumps", "Heat pump sales double in Europe")
    add_card(store, "e", "Drones", "Delivery drones reach suburbs")
    grown = embed_corpus(store, reloaded)
    assert not grown.refitted and grown.model_id == first_id and grown.embedded_cards == 2
    # 6 cards: twice the size it was fitted on: refit, a new id, everything embedded again.
    add_card(store, "f", "Robots", "Warehouse robots pick parcels")
    refit = embed_corpus(store, reloaded)
    assert refit.refitted and refit.model_id != first_id
    assert refit.embedded_cards == 6
    assert _vector_rows(store, first_id) == 0  # the old model's vectors are gone


def test_items_carry_stable_keys_kinds_and_filter_fields(store) -> None:
    items = ensure_vectors(store, HashingEmbedder(dim=64), "items", kinds=["technology"])
    assert items.kinds == ["technology"] and items.names == ["Sodium-ion battery"]
    card_id = items.card_ids[0]
    assert items.ids == [f"{card_id}:technology:0"]
    assert items.item_ids[0] > 0
    assert items.text_hashes == [
        text_hash(item_text("Sodium-ion battery", "about Sodium-ion battery"))
    ]
    assert list(items.dates) == ["2025-01-15"] and list(items.categories) == ["technology"]
    with pytest.raises(ValueError, match="unknown item kinds"):
        ensure_vectors(store, HashingEmbedder(dim=64), "items", kinds=["keyword"])


def test_an_empty_store_gives_an_empty_set(tmp_path) -> None:
    clear_cache()
    empty = Store(sqlite_url(tmp_path / "e.sqlite"))
    embedder = TfidfSvdEmbedder(None)
    report = embed_corpus(empty, embedder)
    assert (report.cards, report.items, report.embedded_cards) == (0, 0, 0)
    assert ensure_vectors(empty, embedder, "cards").matrix.shape == (0, embedder.dim)
    empty.close()


def test_workspace_embed_records_a_run(workspace) -> None:
    clear_cache()
    add_card(workspace.store, "a", "Sodium batteries", "Sodium-ion batteries store grid power")
    report = workspace.embed()
    assert report.embedded_cards == 1 and report.model_id.startswith("tfidf-")
    assert (workspace.root / "models" / "tfidf-svd.npz").is_file()
    assert workspace.embed().embedded_cards == 0
    runs = workspace.runs(stage="embed")
    assert [r.status for r in runs] == ["ok", "ok"]


def test_the_sqlite_fast_path_reads_the_same_card_fields(store, monkeypatch) -> None:
    from techwatch import vectors

    fast = vectors._card_meta(store)
    monkeypatch.setattr(type(store), "dialect", property(lambda self: "other"))
    generic = vectors._card_meta(store)
    assert len(fast) == len(generic) == 3
    for a, b in zip(fast, generic, strict=True):
        assert a["article_id"] == b["article_id"]
        assert card_text(a["card"], a["title"]) == card_text(b["card"], b["title"])
        for key in ("category", "type"):
            assert a["card"][key] == b["card"][key]
        for key in ("origin_date", "published", "source_id", "origin_url"):
            assert a[key] == b[key]
