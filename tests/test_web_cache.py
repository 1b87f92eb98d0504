"""The live app's caches stay exact: any commit, from this process or another, is seen
by the next request (cards, related cards, search results, tokens)."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from techwatch.card import Card
from techwatch.web.app import create_app
from techwatch.web.cache import Generation, GenerationCache
from web_fixtures import add_card


@pytest.fixture
def ws(tmp_path):
    from techwatch.workspace import Workspace

    ws = Workspace.init(tmp_path / "ws")
    ws.web_users().set_password("alice", "correct horse battery")
    yield ws
    ws.close()


def _other_process(ws):
    """A second connection to the same file, as `techwatch` run from a shell would have."""
    return sqlite3.connect(ws.store.engine.url.database)


def test_generation_changes_on_every_commit_and_only_then(ws):
    gen = Generation(ws.store)
    assert gen.exact
    first = gen.current()
    assert gen.current() == first  # reading changes nothing
    add_card(ws, 1)  # a commit through the app's own engine
    second = gen.current()
    assert second != first
    other = _other_process(ws)
    other.execute("UPDATE cards SET analyzer = 'elsewhere'")
    other.commit()
    other.close()
    assert gen.current() != second
    gen.close()


def test_cache_forgets_everything_at_the_next_commit(ws):
    cache = GenerationCache(Generation(ws.store), size=2)
    calls = []
    assert cache.get("a", lambda: calls.append(1) or 1) == 1
    assert cache.get("a", lambda: calls.append(2) or 2) == 1  # kept
    add_card(ws, 1)
    assert cache.get("a", lambda: calls.append(3) or 3) == 3  # recomputed after the commit
    cache.get("b", lambda: 4)
    cache.get("c", lambda: 5)  # size 2: "a" is the least recently used and goes
    assert cache.get("a", lambda: 6) == 6
    assert calls == [1, 3]


def test_pages_and_search_follow_changes_made_elsewhere(ws):
    from techwatch.workspace import Workspace

    cid = add_card(ws, 1, title="Old title about grids", keywords=["grids"])
    add_card(ws, 2, title="Neighbour about grids", keywords=["grids"])
    token = ws.web_users().new_token("alice", "test")
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(ws), headers=auth) as c:
        assert "Old title about grids" in c.get(f"/cards/{cid}").text
        assert c.get("/api/search", params={"q": "zeppelins"}).json() == []
        # Another process (its own engine) changes a card and adds one.
        other = Workspace.open(ws.root)
        try:
            card = Card(title="New title about zeppelins", summary="Zeppelins return.")
            other.store.save_card(cid, status="ok", card=card, provenance={"analyzer": "t"})
        finally:
            other.close()
        page = c.get(f"/cards/{cid}").text
        assert "New title about zeppelins" in page and "Old title about grids" not in page
        found = c.get("/api/search", params={"q": "zeppelins"}).json()
        assert [r["card"]["id"] for r in found] == [cid]


def test_a_token_revoked_elsewhere_is_refused_at_once(ws):
    add_card(ws, 1)
    token = ws.web_users().new_token("alice", "test")
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(ws)) as c:
        assert c.get("/api/cards", headers=auth).status_code == 200
        assert c.get("/api/cards", headers=auth).status_code == 200  # now from the cache
        other = _other_process(ws)
        other.execute("DELETE FROM web_tokens")
        other.commit()
        other.close()
        assert c.get("/api/cards", headers=auth).status_code == 401


def test_related_from_memory_equals_the_sql_answer(ws):
    from techwatch.web.data import TermIndex, WebData

    themes = ["solar", "wind", "grid", "storage"]
    ids = [
        add_card(
            ws,
            n,
            keywords=[f"kw{n % 4}", f"kw{n % 6}", themes[n % 4]],  # a name as keyword and theme
            themes=[themes[n % 4], themes[(n + 1) % 4]],
        )
        for n in range(30)
    ]
    data = WebData(ws)
    index = TermIndex.read(ws.store)
    answers = [index.related(cid, 6) for cid in ids]
    assert any(answers), "the fixture must relate cards"
    for cid, answer in zip(ids, answers, strict=True):
        assert answer == data._related_sql(cid, 6)
        assert cid not in answer


def test_a_read_only_request_reads_the_generation_once(ws, monkeypatch):
    cid = add_card(ws, 1, keywords=["grids"])
    add_card(ws, 2, keywords=["grids"])
    token = ws.web_users().new_token("alice", "test")
    reads = []
    original = Generation._read
    monkeypatch.setattr(Generation, "_read", lambda self: reads.append(1) or original(self))
    with TestClient(create_app(ws), headers={"Authorization": f"Bearer {token}"}) as c:
        reads.clear()
        page = c.get(f"/cards/{cid}").text
        assert (
            len(reads) == 1 and "Your rating of this card:" not in page
        )  # token, card, page reads and related: one snapshot
        reads.clear()
        r = c.put(f"/api/cards/{cid}/rating", json={"rating": 4})
        assert r.status_code == 200
        assert len(reads) >= 1  # a write is not pinned: each lookup reads it afresh
        assert "Your rating of this card: 4/5" in c.get(f"/cards/{cid}").text
