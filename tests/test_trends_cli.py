"""`techwatch trends`, `topic` and `review` through the CLI, and the `--as-of` backtest."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from techwatch.cli import app
from techwatch.workspace import Workspace
from test_trends_corpus import add_card, seed_topics

runner = CliRunner()
FIELDS = {
    "id",
    "label",
    "terms",
    "state",
    "first_seen",
    "last_seen",
    "counts",
    "scores",
    "card_ids",
}


@pytest.fixture
def root(tmp_path):
    ws = Workspace.init(tmp_path / "ws", overrides={"trends": {"similarity": 0.3}})
    seed_topics(ws.store, start=date(2024, 1, 1), months=6)
    for n, day in enumerate([date(2024, 5, 12), date(2024, 6, 3), date(2024, 6, 18)]):
        add_card(ws.store, f"hydrogen-{n}", day, signals=["Green hydrogen electrolysers scale up"])
    ws.close()
    (tmp_path / "ws" / "techwatch.toml").write_text(
        "[trends]\nsimilarity = 0.3\n", encoding="utf-8"
    )
    return tmp_path / "ws"


def tw(root, *args):
    return runner.invoke(app, ["-w", str(root), *args], catch_exceptions=False)


def test_jsonl_rows_carry_the_fields_and_real_card_ids(root):
    result = tw(root, "trends", "--format", "jsonl", "--period", "month")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(rows) >= 3
    with Workspace.open(root) as ws:
        known = {c.article_id for c in ws.cards.list()}
    for row in rows:
        assert set(row) >= FIELDS
        assert set(row["counts"]) == {"week", "month", "quarter", "year"}
        assert sum(row["counts"]["month"].values()) == len(row["card_ids"])
        assert set(row["card_ids"]) <= known
        assert {"dov", "dod", "dod_growth", "dod_quadrant", "bursts", "popularity"} <= set(
            row["scores"]
        )
        assert row["state"] in {"emerging", "strong", "fading", "noise", "insufficient_history"}


def test_as_of_leaves_out_later_cards(root):
    result = tw(root, "trends", "--format", "jsonl", "--as-of", "2024-04-30")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert rows and all(r["last_seen"] <= "2024-04-30" for r in rows)
    assert not any("ydrogen" in r["label"] for r in rows)  # it started in May
    assert all(max(r["periods"]) == "2024-04" for r in rows)
    later = tw(root, "trends", "--format", "jsonl")
    assert any("ydrogen" in json.loads(x)["label"] for x in later.stdout.splitlines() if x.strip())


def test_table_md_charts_topic_and_review(root, tmp_path):
    table = tw(root, "trends", "--period", "month")
    assert table.exit_code == 0 and "signals by month" in table.output
    md = tw(root, "trends", "--format", "md", "--charts", str(tmp_path / "charts"))
    assert md.exit_code == 0 and md.stdout.startswith("# Trends: signals by month")
    for name in ("emergence-signals-month", "timelines-signals-month"):
        assert (tmp_path / "charts" / f"{name}.svg").read_text().startswith("<?xml")
        assert (tmp_path / "charts" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    topic = tw(root, "topic", "quantum error correction", "--out", str(tmp_path / "out"))
    assert topic.exit_code == 0, topic.output
    page = (tmp_path / "out" / "topic-quantum-error-correction.md").read_text()
    assert page.startswith("# *Topic*: quantum error correction")
    review = tw(root, "review", "--period", "month", "--date", "2024-06-10")
    assert review.exit_code == 0 and review.stdout.startswith("# *Monthly review*: 2024-06")


def test_bad_options_are_clear_errors(root):
    bad_date = tw(root, "trends", "--as-of", "May 2024")
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output
    bad_kind = tw(root, "trends", "--kind", "vibes")
    assert bad_kind.exit_code == 2 and "unknown kind" in bad_kind.output
    bad_period = tw(root, "trends", "--period", "decade")
    assert bad_period.exit_code == 2 and "unknown period" in bad_period.output
    bad_format = tw(root, "trends", "--format", "xml")
    assert bad_format.exit_code == 2
