"""The Python API: typed results for everything the CLI shows, usable inside an event loop."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC

import pytest

from techwatch import Card, Workspace
from techwatch.api_types import Article, ArticleSummary, RunReport, SearchHit, StoredCard

TOPICS = ("battery", "solar", "hydrogen")


def write_docs(folder, topics=TOPICS):
    folder.mkdir(parents=True, exist_ok=True)
    for topic in topics:
        body = f"# The {topic} story\n\n" + (
            f"Engineers say the {topic} market grows fast because costs fall. "
            f"Cities adopt {topic} storage quickly and utilities follow. " * 30
        )
        (folder / f"{topic}.md").write_text(body, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("api")
    opened = Workspace.init(root / "ws")
    opened.add(str(write_docs(root / "docs")))
    assert opened.fetch().counts == {"ok": 3}
    assert opened.analyze().counts == {"ok": 3}
    yield opened
    opened.close()


def test_articles_are_typed_and_complete(ws):
    listed = ws.articles.list()
    assert len(listed) == 3 and all(type(a) is ArticleSummary for a in listed)
    assert {a.title for a in listed} == {f"The {t} story" for t in TOPICS}
    one = ws.articles.get(listed[0].id[:8])
    assert isinstance(one, Article) and one.id == listed[0].id
    assert "costs fall" in one.text and one.urls == [one.url]
    assert ws.articles.get(one.url).id == one.id
    assert ws.articles.get("no-such-article") is None
    assert one.fetched_at is not None and one.fetched_at.tzinfo is not None
    assert ws.articles.list(limit=1) and len(ws.articles.list(limit=1)) == 1
    assert ws.articles.list(limit=0) == []
    assert ws.articles.list(status="failed") == []


def test_search_hits_carry_plain_snippets_and_match_offsets(ws):
    hits = ws.articles.search("hydrogen")
    assert [type(h) for h in hits] == [SearchHit]
    hit = hits[0]
    assert hit.title == "The hydrogen story"
    assert "\x02" not in hit.snippet and hit.matches
    assert all(hit.snippet[s:e].lower() == "hydrogen" for s, e in hit.matches)
    assert "[hydrogen]" in hit.marked()
    card_hits = ws.cards.search("solar")
    assert card_hits and all(
        h.snippet[s:e].lower() == "solar" for h in card_hits for s, e in h.matches
    )


def test_cards_are_card_objects_and_pages_render(ws):
    stored = ws.cards.list()
    assert len(stored) == 3 and all(isinstance(s, StoredCard) for s in stored)
    assert all(isinstance(s.card, Card) for s in stored)
    first = stored[0]
    assert ws.cards.card(first.article_id) == first.card
    page = ws.page(first.article_id)
    assert page.startswith(f"# __{first.card.title}__")
    assert ws.page("0000000000") is None and ws.cards.get("0000000000") is None
    assert first.to_dict()["card"]["title"] == first.card.title


def test_status_runs_and_sources_are_typed(ws):
    report = ws.status()
    assert report.articles == {"ok": 3} and report.cards == {"ok": 3}
    assert report.total_articles == 3
    [source] = report.sources
    assert source.kind == "folder" and source.counts == {"ok": 3}
    assert source.added_at.tzinfo is UTC
    runs = ws.runs()
    assert [r.stage for r in runs[:2]] == ["analyze", "fetch"]
    assert all(isinstance(r, RunReport) and r.status == "ok" for r in runs)
    assert runs[0].counts == {"ok": 3} and runs[0].started_at.tzinfo is UTC
    data = report.to_dict()
    assert data["runs"][0]["started_at"].endswith("+00:00")
    assert ws.sources.get(source.id).location == source.location


def test_async_variants_and_sync_calls_inside_a_running_loop(tmp_path):
    docs = write_docs(tmp_path / "docs", ("battery",))
    more = write_docs(tmp_path / "more", ("solar",))

    async def main():
        with Workspace.init(tmp_path / "ws") as ws:
            added = await ws.aadd(str(docs))
            fetched = await ws.afetch()
            analyzed = await ws.aanalyze()
            # The sync methods work here too (today they raised RuntimeError).
            again = ws.add(str(more))
            refetched = ws.fetch()
            reanalyzed = ws.analyze()
            return added, fetched, analyzed, again, refetched, reanalyzed

    added, fetched, analyzed, again, refetched, reanalyzed = asyncio.run(main())
    assert added.new == 1 and fetched.counts == {"ok": 1} and analyzed.counts == {"ok": 1}
    assert again.new == 1 and refetched.counts == {"ok": 1} and reanalyzed.counts == {"ok": 1}


def test_closing_one_workspace_keeps_the_others_log(tmp_path):
    first = Workspace.init(tmp_path / "ws")
    second = Workspace.open(tmp_path / "ws")
    assert first.log is not second.log
    first.close()
    second.log.warning("still logging after the other closed")
    second.close()
    text = (tmp_path / "ws" / "techwatch.log").read_text(encoding="utf-8")
    assert "still logging after the other closed" in text
    assert not [n for n in logging.Logger.manager.loggerDict if n == second.log.name]


def test_import_from_the_package():
    import techwatch

    assert techwatch.Workspace is Workspace and techwatch.Card is Card
    with pytest.raises(AttributeError):
        techwatch.NoSuchThing  # noqa: B018
