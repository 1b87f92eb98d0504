"""The store on a real SQLite file: migrations, one article per URL, FTS, cards."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from techwatch.card import Card, Item, Signal
from techwatch.store.db import needs_migration, sqlite_url
from techwatch.store.schema import metadata
from techwatch.store.store import DbCache, NewArticle, Store, fts5_query


def test_migrations_create_exactly_the_schema(tmp_path):
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    # FTS5 tables (and their shadow tables) are made by the migration, outside the metadata.
    diff = [d for d in diff if not (d[0] == "remove_table" and "_fts" in d[1].name)]
    assert diff == []
    assert not needs_migration(store.engine)
    Store(store.url)  # migrating again is a no-op


def test_one_article_per_canonical_url(tmp_path):
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    first, created = store.discover(NewArticle(url="https://a.example/x", origin_kind="feed"))
    again, created_again = store.discover(NewArticle(url="https://a.example/x"))
    assert created and not created_again and first == again
    assert store.add_url(first, "https://a.example/x?utm_source=mail")
    assert not store.add_url(first, "https://a.example/x")
    assert store.article_by_url("https://a.example/x?utm_source=mail")["id"] == first
    assert store.status_counts() == {"pending": 1}


def test_full_text_search_follows_updates(tmp_path):
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    article_id, _ = store.discover(NewArticle(url="https://a.example/q"))
    store.save_article(article_id, title="Qubits", text="Error correction for quantum chips")
    assert [r["id"] for r in store.search_articles("quantum")] == [article_id]
    store.save_article(article_id, text="Now about batteries")
    assert store.search_articles("quantum") == []
    assert store.search_articles('"); DROP TABLE articles; --') == []
    assert fts5_query('a "b" c*') == '"a" "b" "c"*'


def test_cards_are_flattened_and_a_failure_never_replaces_a_good_card(tmp_path):
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    article_id, _ = store.discover(NewArticle(url="https://a.example/c"))
    card = Card(
        title="T",
        summary="Sodium batteries scale.",
        keywords=["sodium-ion"],
        signals=[Signal(name="Cheap storage", change="from lithium to sodium", relevancy=4)],
        technologies=[Item(name="Sodium-ion battery", relevancy=5)],
    )
    store.save_card(article_id, status="ok", card=card, provenance={"analyzer": "extractive"})
    store.save_card(article_id, status="failed", reason="server_down: refused")
    stored = store.get_card(article_id)
    assert stored["status"] == "ok"
    assert Card.model_validate(stored["card"]) == card
    assert "server_down" in stored["reason"]
    assert [r["article_id"] for r in store.search_cards("lithium")] == [article_id]
    with store.engine.connect() as conn:
        kinds = sorted(r[0] for r in conn.exec_driver_sql("SELECT kind FROM card_items"))
    assert kinds == ["keyword", "signal", "technology"]


def test_result_cache_round_trip(tmp_path):
    cache = DbCache(Store(sqlite_url(tmp_path / "s.sqlite")))
    assert cache.get("k") is None
    cache.put("k", {"card": {"title": "x"}, "tokens": 3})
    cache.put("k", {"card": {"title": "y"}, "tokens": 4})
    assert cache.get("k") == {"card": {"title": "y"}, "tokens": 4}
