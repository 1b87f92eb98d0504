"""Topic pages over a real workspace: every statement cites cards that exist and say it."""

from __future__ import annotations

import re

import pytest

from techwatch.publish.topic import render_topic
from techwatch.workspace import Workspace
from test_trends_corpus import TOPICS, seed_topics

CITATION = re.compile(r"\\\[([0-9a-f]{8})\\\]")


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace.init(tmp_path / "ws", overrides={"trends": {"similarity": 0.3}})
    seed_topics(workspace.store)
    yield workspace
    workspace.close()


def _cards(ws):
    return {row.article_id: row for row in ws.cards.list()}


def test_topic_finds_the_subject_and_cites_every_statement(ws):
    ws.update_trends()
    page = ws.topic("sodium battery grid storage")
    assert page.cards, page.message
    battery = {p.casefold() for p in TOPICS["battery"]}
    # The best cards are the battery ones.
    assert all(c.title.startswith("Battery") for c in page.cards[:3])
    stored = {c.id: c for c in page.cards}
    for line in page.digest:
        assert len(line.card_ids) == 1
        card = stored[line.card_ids[0]]
        assert line.text in card.summary  # verbatim from the card it cites
    for row in page.signals[:4]:
        names = [s["name"] for s in stored[row.card_id].card["signals"]]
        assert row.name in names
    assert any(row.name.casefold() in battery for row in page.signals)
    for kind, items in page.items.items():
        for item in items:
            for cid in item.card_ids:
                assert item.text in [x["name"] for x in stored[cid].card.get(kind, [])]
    text = render_topic(page)
    assert text.startswith("# *Topic*: sodium battery grid storage\n")
    for heading in (
        "## Digest",
        "## Top weak signals",
        "## Technologies",
        "## Cards",
        "## Articles",
    ):
        assert heading in text
    assert "| Name" in text and "Driving force" in text
    cited = set(CITATION.findall(text))
    ids = {cid[:8] for cid in _cards(ws)}
    assert cited and cited <= ids
    assert page.trends and page.trends[0]["kind"] in ("signals", "technologies")


def test_empty_query_is_refused_and_an_unknown_subject_says_so(ws):
    with pytest.raises(ValueError, match="empty"):
        ws.topic("   ")
    page = ws.topic("zzqx wvvy")
    assert page.cards == [] and "nothing" in page.message
    assert "nothing" in render_topic(page)


def test_hostile_card_text_is_inert_in_the_page(tmp_path):
    from datetime import date

    from test_trends_corpus import add_card

    ws = Workspace.init(tmp_path / "ws2")
    try:
        add_card(
            ws.store,
            "evil",
            date(2024, 1, 5),
            title="Sodium <script>alert(1)</script> batteries](javascript:alert(1))",
            signals=["Sodium battery | pipes <img src=x onerror=alert(1)>"],
            summary="Sodium batteries store grid power <script>x</script> cheaply today.",
        )
        text = render_topic(ws.topic("sodium batteries"))
    finally:
        ws.close()
    assert "<script>" not in text and "<img" not in text
    # The bracket is escaped: no link to a script can form.
    assert not re.search(r"(?<!\\)\]\(javascript:", text)
    assert "\\](javascript:" in text
    assert "&lt;script&gt;" in text


def test_topic_and_trend_pages_have_card_grids(ws, tmp_path):
    """A markdown grid of the cards (title links) and, with --out, the deck's grid PNG."""
    from PIL import Image
    from typer.testing import CliRunner

    from techwatch.cli import app
    from techwatch.publish.trends import render_trend_page
    from techwatch.trends.cards import load_cards

    report = ws.trend_report("signals")
    trend = report.trends[0]
    cards = load_cards(ws.store, trend.card_ids)
    page = render_trend_page(trend, cards, lambda c: f"cards/{c.id}.md")
    grid = page.split("## Cards", 1)[1]
    for card_id in trend.card_ids:
        assert f"(cards/{card_id}.md)" in grid  # every card of the trend, linked
    assert grid.count("\n|") >= 2 + len(trend.card_ids) // 3  # header, rule, rows of 3
    root = ws.root
    ws.close()
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["-w", str(root), "topic", "sodium battery", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = (out / "topic-sodium-battery.md").read_text(encoding="utf-8")
    cards_part = text.split("## Cards", 1)[1].split("## Articles", 1)[0]
    assert "](https://news.example/" in cards_part  # title links in the markdown grid
    image = re.search(r"!\[Card grid of sodium battery\]\(([^)]+)\)", cards_part)
    assert image is not None
    png = out / image.group(1)
    with Image.open(png) as grid_png:
        assert grid_png.format == "PNG" and grid_png.width > 300 and grid_png.height > 300
        assert len(grid_png.convert("L").getcolors(1 << 16) or []) > 2  # drawn, not blank
