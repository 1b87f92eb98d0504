"""Hybrid retrieval: RRF on a hand-computed example, filters, items, and the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from techwatch.embed import HashingEmbedder, TfidfSvdEmbedder
from techwatch.retrieval import RRF_K, SearchFilters, lexical_query, related, rrf, search
from techwatch.store.db import sqlite_url
from techwatch.store.store import Store
from techwatch.vectors import clear_cache
from test_vectors import add_card


def test_rrf_matches_a_hand_computed_example() -> None:
    # Lexical ranking a, b, c; vector ranking c, a, d (rows 0..3 = a, b, c, d).
    scores = rrf([[0, 1, 2], [2, 0, 3]], k=60)
    assert scores[0] == pytest.approx(1 / 61 + 1 / 62)  # a: 1st and 2nd
    assert scores[1] == pytest.approx(1 / 62)  # b: 2nd in one list only
    assert scores[2] == pytest.approx(1 / 63 + 1 / 61)  # c: 3rd and 1st
    assert scores[3] == pytest.approx(1 / 63)  # d
    assert sorted(scores, key=scores.get, reverse=True) == [0, 2, 1, 3]
    assert rrf([[], []]) == {}


def test_lexical_query_ors_quoted_words_without_stop_words() -> None:
    assert lexical_query("AI agents at work") == '"ai" OR "agents" OR "work"'
    assert lexical_query('"); DROP TABLE cards; --') == '"drop" OR "table" OR "cards"'
    assert lexical_query("the") == '"the"'  # only stop words: keep them rather than nothing


@pytest.fixture
def store(tmp_path):
    clear_cache()
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    parent, _ = store.add_source("archive", "https://letter.example/archive")
    child, _ = store.add_source("issue", "https://letter.example/2025-03-02", parent_id=parent)
    other, _ = store.add_source("feed", "https://blog.example/feed.xml", title="A blog")
    add_card(
        store,
        "sodium",
        "Sodium batteries reach the grid",
        "Sodium-ion batteries store grid power for utilities",
        date="2025-03-02",
        source_id=child,
        origin_url="https://letter.example/2025-03-02",
        signals=("Cheap grid storage",),
        technologies=("Sodium-ion battery",),
    )
    add_card(
        store,
        "sand",
        "Sand batteries heat a town",
        "A sand battery stores heat for district heating in Finland",
        date="2024-06-10",
        category="infrastructures",
        source_id=other,
        signals=("Thermal storage for towns",),
    )
    add_card(
        store,
        "agents",
        "AI agents at the office",
        "Autonomous AI agents run office workflows and answer tickets",
        date="2025-05-01",
        type_="blog post",
        source_id=other,
        signals=("Agents replace clerks",),
    )
    add_card(store, "farms", "Vertical farms", "Indoor farms grow lettuce", date="")
    yield store
    store.close()
    clear_cache()


def test_search_fuses_both_rankings_and_explains_each_score(store) -> None:
    hits = search(store, HashingEmbedder(dim=256), "sodium batteries for the grid", k=4)
    assert hits[0].title == "Sodium batteries reach the grid"
    assert hits[0].url == "https://news.example/sodium"
    top = hits[0]
    assert top.bm25_rank == 1 and top.vector_rank == 1 and top.bm25 > 0
    assert top.score == pytest.approx(2 / (RRF_K + 1))
    for hit in hits:
        expected = sum(1 / (RRF_K + r) for r in (hit.bm25_rank, hit.vector_rank) if r)
        assert hit.score == pytest.approx(expected)
        assert hit.components["vector"] + hit.components["bm25"] == pytest.approx(hit.score)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_a_text_only_match_still_ranks(store) -> None:
    embedder = TfidfSvdEmbedder(None)  # fitted on this corpus by the first search
    hits = search(store, embedder, "Finland", k=3)
    assert hits and hits[0].title == "Sand batteries heat a town"
    assert hits[0].bm25_rank == 1


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(since="2025"), {"sodium", "agents"}),
        (SearchFilters(until="2024-12"), {"sand"}),
        (SearchFilters(since="2025-04-01", until="2025-05-01"), {"agents"}),
        (SearchFilters(category="Infrastructures"), {"sand"}),
        (SearchFilters(type="blog post"), {"agents"}),
        (SearchFilters(source="A blog"), {"sand", "agents"}),
        (SearchFilters(source="https://letter.example/archive"), {"sodium"}),  # via its child
        (SearchFilters(issue="https://letter.example/2025-03-02"), {"sodium"}),
        (SearchFilters(issue="2024-06-10"), {"sand"}),
        (SearchFilters(category="sport"), set()),
    ],
)
def test_filters_apply_to_both_rankings(store, filters, expected) -> None:
    hits = search(store, HashingEmbedder(dim=256), "batteries agents farms", filters=filters)
    assert {h.url.rsplit("/", 1)[1] for h in hits} == expected


def test_bad_filters_are_clear_errors(store) -> None:
    with pytest.raises(ValueError, match="YYYY"):
        SearchFilters(since="March 2025")
    with pytest.raises(ValueError, match="no source"):
        search(store, HashingEmbedder(), "x", filters=SearchFilters(source="nowhere"))
    with pytest.raises(ValueError, match="unknown item kinds"):
        SearchFilters(kinds=("keyword",))
    with pytest.raises(ValueError, match="k must"):
        search(store, HashingEmbedder(), "x", k=0)


def test_items_search_returns_items_with_their_card(store) -> None:
    hits = search(store, HashingEmbedder(dim=256), "grid storage", scope="items", k=3)
    top = hits[0]
    assert top.item_kind == "signal" and top.item_name == "Cheap grid storage"
    assert top.title == "Sodium batteries reach the grid" and top.item_id
    assert top.item_key.startswith(top.card_id + ":signal:")
    techs = search(
        store,
        HashingEmbedder(dim=256),
        "battery",
        scope="items",
        filters=SearchFilters(kinds=("technology",)),
    )
    assert [h.item_name for h in techs] == ["Sodium-ion battery"]


def test_nothing_to_search_gives_nothing(store, tmp_path) -> None:
    assert search(store, HashingEmbedder(), "   ") == []
    assert search(store, TfidfSvdEmbedder(None), "?! -- ()") == []  # no word, no vector
    empty = Store(sqlite_url(tmp_path / "e.sqlite"))
    assert search(empty, TfidfSvdEmbedder(None), "batteries") == []
    empty.close()


def test_cli_search_prints_escaped_results_and_json(workspace) -> None:
    from techwatch.cli import app

    clear_cache()
    add_card(
        workspace.store,
        "markup",
        "[bold red]Fake alert[/] about batteries",
        "Batteries [link=javascript:alert(1)]click[/link] store power",
    )
    add_card(workspace.store, "farms", "Vertical farms", "Indoor farms grow lettuce")
    runner = CliRunner()
    root = ["--workspace", str(workspace.root)]
    result = runner.invoke(app, [*root, "embed"])
    assert result.exit_code == 0, result.output
    assert "embedded 2 of 2 cards" in result.output
    result = runner.invoke(app, [*root, "search", "batteries"])
    assert result.exit_code == 0, result.output
    assert "[bold red]Fake alert[/]" in result.output  # shown as text, not as markup
    result = runner.invoke(app, [*root, "search", "batteries", "--json", "-k", "1"])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 1 and rows[0]["title"].startswith("[bold red]Fake alert")
    assert rows[0]["bm25_rank"] == 1
    result = runner.invoke(app, [*root, "search", "x", "--since", "last year"])
    assert result.exit_code == 2 and "YYYY" in result.output


def test_related_cards_never_include_the_card_itself(store) -> None:
    embedder = HashingEmbedder(dim=256)
    sodium = search(store, embedder, "sodium", k=1)[0].card_id
    hits = related(store, embedder, sodium, k=10)
    assert sodium not in {h.card_id for h in hits} and 1 <= len(hits) <= 3
    assert all(h.cosine > 0 for h in hits)  # nothing in common is no neighbour
    assert hits[0].title == "Sand batteries heat a town"  # the other battery card
    assert [h.cosine for h in hits] == sorted((h.cosine for h in hits), reverse=True)
    assert all(h.score == h.cosine for h in hits)
    recent = related(store, embedder, sodium, k=10, filters=SearchFilters(since="2025"))
    assert [h.card_id for h in recent] == [h.card_id for h in hits if h.date >= "2025"]
    with pytest.raises(ValueError, match="no ok card"):
        related(store, embedder, "missing")


def test_workspace_search_and_related(workspace) -> None:
    clear_cache()
    first = add_card(workspace.store, "a", "Sodium batteries", "Sodium batteries store power")
    add_card(workspace.store, "b", "Sand batteries", "Sand batteries store heat")
    add_card(workspace.store, "c", "Vertical farms", "Indoor farms grow lettuce")
    hits = workspace.search("batteries", k=2, since="2025")
    assert {h.title for h in hits} == {"Sodium batteries", "Sand batteries"}
    related_hits = workspace.related("https://news.example/a", k=1)
    assert [h.title for h in related_hits] == ["Sand batteries"]
    assert first not in {h.card_id for h in workspace.related(first, k=5)}
    with pytest.raises(ValueError, match="no article"):
        workspace.related("https://nowhere.example/")


def test_a_filtered_text_match_outside_the_first_pass_is_still_found(tmp_path) -> None:
    clear_cache()
    store = Store(sqlite_url(tmp_path / "f.sqlite"))
    for i in range(10):  # strong matches the filter drops
        add_card(store, f"tech{i}", f"Battery battery news {i}", "Battery battery battery cells")
    for i in range(20):  # what the filter keeps: nothing about batteries
        add_card(store, f"sport{i}", f"Football {i}", "A football match", category="sport")
    add_card(store, "weak", "Stadium lights", "A stadium adds one battery", category="sport")
    filters = SearchFilters(category="sport")
    # Selectivity 21/31 suggests 4 text candidates for one result: all four are dropped.
    hits = search(store, HashingEmbedder(dim=64), "battery", filters=filters, k=1, candidates=1)
    assert [h.title for h in hits] == ["Stadium lights"] and hits[0].bm25_rank == 1
    store.close()
    clear_cache()


def test_lexical_ranking_prefers_every_word_then_any_word(store) -> None:
    import numpy as np

    from techwatch.retrieval import _lexical_ranking
    from techwatch.vectors import ensure_vectors

    vset = ensure_vectors(store, HashingEmbedder(dim=64), "cards")
    mask = np.ones(len(vset), dtype=bool)
    titles = {i: n for i, n in enumerate(vset.names)}
    every, _ = _lexical_ranking(store, vset, "batteries town", mask, 100, enough=1)
    assert [titles[r] for r in every] == ["Sand batteries heat a town"]
    anyof, scores = _lexical_ranking(store, vset, "batteries town", mask, 100, enough=2)
    assert [titles[r] for r in anyof] == [
        "Sand batteries heat a town",  # both words: the best BM25
        "Sodium batteries reach the grid",
    ]
    assert scores[anyof[0]] > scores[anyof[1]] > 0
