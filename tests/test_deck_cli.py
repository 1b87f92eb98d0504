"""`techwatch deck` and `Workspace.deck` on real workspaces (and on the shared corpus)."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from techwatch.card import Card, Item, Signal
from techwatch.cli import app
from techwatch.outputs.decks import EmptyDeckError
from techwatch.store.store import NewArticle


def _fill(ws) -> str:
    article_id, _ = ws.store.discover(
        NewArticle(url="https://news.example/heat", origin_kind="issue", origin_date="2025-03-10")
    )
    card = Card(
        title="Heat pumps boom",
        summary="Heat pumps outsell gas boilers.",
        signals=[Signal(name="Heat pumps overtake boilers", change="already outselling boilers")],
        technologies=[Item(name="Heat pump", description="Electric heating for homes.")],
        concerns=[Item(name="Installer shortage 🔧 施工", description="Waiting lists grow.")],
    )
    ws.store.save_card(article_id, status="ok", card=card, provenance={"analyzer": "extractive"})
    return article_id


def test_deck_of_one_card_from_the_command_line(workspace, tmp_path):
    article_id = _fill(workspace)
    out = tmp_path / "deck"
    result = CliRunner().invoke(
        app,
        [
            "-w",
            str(workspace.root),
            "deck",
            "--card",
            article_id[:8],
            "--paper",
            "letter",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    # signal: "already" in its change, NOW; technology NOW and concern NEAR by default
    assert "3 cards (NEAR 1, NOW 2)" in result.output
    pngs = sorted(out.glob("card-*-0*.png"))
    assert len(pngs) == 3
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(pngs[0]))] == [
        "https://news.example/heat"
    ]
    pdf = next(out.glob("*.pdf"))
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1 and round(float(reader.pages[0].mediabox.width)) == 612


def test_topic_deck_through_the_workspace(workspace, tmp_path):
    _fill(workspace)
    result = workspace.deck(topic="heat pumps", out=tmp_path / "t")
    assert result.cards >= 1 and result.pdf.is_file() and result.grid.is_file()
    assert Image.open(result.grid).width > 0


def test_bad_deck_requests_are_clear(workspace, tmp_path):
    runner = CliRunner()
    base = ["-w", str(workspace.root), "deck"]
    none = runner.invoke(app, base)
    assert none.exit_code == 2 and "exactly one" in none.output
    two = runner.invoke(app, [*base, "--card", "x", "--topic", "y"])
    assert two.exit_code == 2
    paper = runner.invoke(app, [*base, "--card", "abcdef12", "--paper", "a3"])
    assert paper.exit_code == 2 and "a4 or letter" in paper.output
    missing = runner.invoke(app, [*base, "--card", "abcdef12"])
    assert missing.exit_code == 1 and "no card matches" in missing.output
    # An empty corpus: a deck of zero cards is a message, and no files are written.
    with pytest.raises(EmptyDeckError):
        workspace.deck(topic="anything at all", out=tmp_path / "zero")
    assert not (tmp_path / "zero").exists()
    empty = runner.invoke(app, [*base, "--topic", "anything", "--out", str(tmp_path / "z2")])
    assert empty.exit_code == 1 and "nothing to draw" in empty.output


def test_trend_and_review_decks_on_the_shared_corpus(tmp_path, corpus_pages):
    from techwatch.workspace import Workspace

    with Workspace.init(tmp_path / "ws") as ws:
        ws.import_pages(corpus_pages)
        trends = ws.trends("signals")
        assert trends
        trend = max(trends, key=lambda t: len(t.members))
        deck = ws.deck(trend=trend.id, out=tmp_path / "trend", limit=12)
        assert 1 <= deck.cards <= 12
        states = {"strong": "NOW", "fading": "NOW", "emerging": "NEXT"}
        if trend.state in states:  # cards without their own horizon take the trend's
            assert states[trend.state] in deck.horizons
        review = ws.deck(review="year", out=tmp_path / "review", limit=9)
        assert review.cards >= 1 and len(PdfReader(review.pdf).pages) == 1
