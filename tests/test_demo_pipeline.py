"""The demo end to end: every source kind over real HTTP, statuses, cards, pages, reruns."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rich.console import Console

from techwatch.card import CATEGORIES, TYPES, Card
from techwatch.demo.run import run_demo
from techwatch.publish.markdown import parse_page, render_page


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    console = Console(file=io.StringIO(), width=200)
    ws = run_demo(root, console=console)
    yield ws, root, console.file.getvalue()
    ws.close()


def by_url(ws) -> dict[str, dict]:
    return {row["url"]: row for row in ws.store.list_articles()}


def test_every_demo_url_ends_with_its_expected_status(demo):
    from techwatch.demo.corpus import write_demo_site

    ws, root, output = demo
    site = write_demo_site(root / "site")
    rows = by_url(ws)
    base = next(iter(rows)).split("/", 3)[:3]
    base = "/".join(base)
    for path in site.expected:
        row = rows.get(base + path)
        assert row is not None, path
        assert site.accepts(path, row["status"]), (path, row["status"], row["reason"])
    # Click-tracker links from the issues were followed to their articles.
    assert not any("/redirect/" in url and r["status"] == "pending" for url, r in rows.items())
    # The status table ends the demo.
    assert "articles by status" in output and "latest problems" in output


def test_origins_dates_and_urls_are_recorded(demo):
    ws, _, _ = demo
    rows = [r for r in ws.store.list_articles() if r["status"] == "ok"]
    from_issues = [r for r in rows if r["origin_kind"] == "newsletter"]
    assert len(from_issues) >= 25
    for row in from_issues:
        assert row["origin_url"].rsplit("/", 1)[-1] == row["origin_date"].replace("-", "")
        assert row["title"] and row["text"]
    dated = [r for r in rows if r["published"]]
    assert len(dated) >= len(rows) - 2
    assert {r["published_from"] for r in dated} <= {"page metadata", "feed", "url"}
    languages = {r["language"] for r in rows}
    assert {"en", "fr", "de"} <= languages
    # The syndicated copy was folded into its original, with both URLs kept.
    duplicates = [r for r in ws.store.list_articles() if r["status"] == "duplicate"]
    near = [
        r for r in duplicates if "near-duplicate" in r["reason"] or "same content" in r["reason"]
    ]
    assert len(near) == 1
    kept_urls = ws.store.urls_of(near[0]["duplicate_of"])
    assert near[0]["url"] in kept_urls and len(kept_urls) >= 2


def test_cards_and_pages_are_made_offline(demo):
    ws, _, _ = demo
    cards = ws.store.list_cards()
    assert len(cards) == ws.store.status_counts()["ok"]
    pages_dir = ws.root / "pages"
    for row in cards:
        card = Card.model_validate(row["card"])
        assert row["analyzer"] == "extractive"
        assert card.category in CATEGORIES and card.type in TYPES
        assert card.keywords and card.summary
        page = (pages_dir / f"{row['article_id']}.md").read_text(encoding="utf-8")
        parsed = parse_page(page)
        assert parsed.meta.url == row["url"]
        assert render_page(parsed.card, parsed.meta) == page  # the page format round-trips
    index = (pages_dir / "index.md").read_text(encoding="utf-8")
    assert all(f"{row['article_id']}.md" in index for row in cards)


def test_rerun_is_idempotent(demo):
    ws, _, _ = demo
    before = ws.store.status_counts()
    assert ws.fetch(discover=False).processed == 0
    assert ws.analyze().processed == 0
    report = ws.pages()
    # a page per card, the index, and the trend, topic and review pages: none rewritten
    assert report.written == 0 and report.unchanged >= len(ws.store.list_cards()) + 1
    assert ws.pages().unchanged == report.unchanged
    assert ws.store.status_counts() == before


def test_exports_carry_every_required_field(demo):
    ws, _, _ = demo
    out = io.StringIO()
    count = ws.export_articles("jsonl", out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == len(rows) == sum(ws.store.status_counts().values())
    for row in rows:
        for key in (
            "id",
            "url",
            "urls",
            "status",
            "reason",
            "origin",
            "title",
            "published",
            "text",
        ):
            assert key in row
        assert isinstance(row["urls"], list)
    out = io.StringIO()
    ws.export_articles("csv", out)
    assert len(list(csv.DictReader(io.StringIO(out.getvalue())))) == count

    out = io.StringIO()
    n_cards = ws.export_cards("jsonl", out)
    cards = [json.loads(line) for line in out.getvalue().splitlines()]
    assert n_cards == len(cards) > 0
    assert all(c["url"].startswith("http") and "signals" in c for c in cards)
    out = io.StringIO()
    ws.export_cards("md", out)
    assert out.getvalue().count("__[External link](") == n_cards


def test_full_text_search(demo):
    ws, _, _ = demo
    hits = ws.store.search_articles("sodium")
    assert hits and all("sodium" in (h["snippet"] + h["title"]).lower() for h in hits)
    assert ws.store.search_cards("battery")
