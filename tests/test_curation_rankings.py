"""A person's curation (kept by the web app) shapes the trend rankings, reviews and pages."""

from __future__ import annotations

from datetime import date

import pytest

from techwatch.publish.review import render_review
from techwatch.publish.trends import render_trend_page, render_trends, trend_json, trend_pages
from techwatch.trends.cards import load_cards
from techwatch.trends.data import normalise_name
from techwatch.workspace import Workspace
from test_trends_corpus import add_card, seed_topics


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace.init(tmp_path / "ws", overrides={"trends": {"similarity": 0.3}})
    seed_topics(workspace.store, start=date(2024, 1, 1), months=6)
    for n, day in enumerate([date(2024, 5, 12), date(2024, 6, 3), date(2024, 6, 18)]):
        add_card(
            workspace.store,
            f"hydrogen-{n}",
            day,
            title=f"Hydrogen news {n}",
            signals=["Green hydrogen electrolysers scale up", "Electrolysers for green hydrogen"],
        )
    yield workspace
    workspace.close()


def _position(ws: Workspace, article_id: str, name: str) -> int:
    signals = load_cards(ws.store, [article_id])[article_id].card["signals"]
    names = [normalise_name(s["name"]) for s in signals]
    return names.index(normalise_name(name))


def test_renamed_watched_trend_leads_the_ranking_under_its_new_name(ws):
    before = ws.trend_report("signals")
    assert len(before.trends) >= 2
    last = before.trends[-1]
    assert before.trends[0].id != last.id
    ws.curation().edit_trend(last.id, label="My <b>own</b> name")
    ws.curation().watch("trend", last.id)
    after = ws.trend_report("signals", update=False)
    top = after.trends[0]
    assert top.id == last.id and top.watched
    assert top.label == "My <b>own</b> name" and top.auto_label == last.label
    listed = [t.id for t in after.by_state(top.state)]
    assert listed[0] == top.id
    text = render_trends(after)
    assert "My &lt;b&gt;own&lt;/b&gt; name (★ watched)" in text
    row = trend_json(top)
    assert row["label"] == "My <b>own</b> name" and row["curation"]["watched"] is True
    page = render_trend_page(top, load_cards(ws.store, top.card_ids), lambda c: c.url)
    assert "Renamed by you" in page and "★ watched" in page


def test_a_merged_trend_is_folded_into_its_target(ws):
    before = ws.trend_report("signals")
    target, merged = before.trends[0], before.trends[1]
    ws.curation().edit_trend(merged.id, merged_into=target.id)
    after = ws.trend_report("signals", update=False)
    by_id = {t.id: t for t in after.trends}
    assert set(by_id[target.id].card_ids) == set(target.card_ids) | set(merged.card_ids)
    assert by_id[target.id].size == target.size + merged.size
    assert by_id[merged.id].merged_into == target.id  # kept, marked, for its own page
    ranked = after.emerging + after.strong + after.fading
    ranked += [t for s in ("noise", "insufficient_history") for t in after.by_state(s)]
    assert merged.id not in {t.id for t in ranked} and target.id in {t.id for t in ranked}
    assert "## Merged by you" in render_trends(after)
    review = ws.review("year", date(2024, 3, 1))
    ids = {r.id for r in review.trends + review.new + review.rising + review.strongest}
    assert merged.id not in ids
    row = next(r for r in review.trends if r.id == target.id)
    assert set(row.cards) == set(target.card_ids) | set(merged.card_ids)


def test_a_dismissed_signal_leaves_its_trend_and_the_review(ws):
    report = ws.trend_report("signals")
    trend = report.trends[0]
    member = trend.members[0]
    ws.curation().set_signal(
        member.article_id, _position(ws, member.article_id, member.name), "dismissed"
    )
    after = ws.trend_report("signals", update=False)
    assert member.key not in {m.key for t in after.trends for m in t.members}
    assert next(t for t in after.trends if t.id == trend.id).size == trend.size - 1
    review = ws.review("year", date(2024, 3, 1))
    for r in review.trends:
        for item in r.sections["signals"]:
            same = normalise_name(item.text) == normalise_name(member.name)
            assert not (same and member.article_id in item.card_ids)
    # Before the verdict the same review cited it: the check above can fail.
    ws.curation().set_signal(
        member.article_id, _position(ws, member.article_id, member.name), "confirmed"
    )
    review = ws.review("year", date(2024, 3, 1))
    cited = [
        item
        for r in review.trends
        for item in r.sections["signals"]
        if normalise_name(item.text) == normalise_name(member.name)
        and member.article_id in item.card_ids
    ]
    assert cited and cited[0].detail.get("confirmed") == "yes"


def test_confirmed_signals_and_rated_cards_are_marked(ws):
    report = ws.trend_report("signals")
    trend = report.trends[0]
    member = trend.members[0]
    ws.curation().set_signal(
        member.article_id, _position(ws, member.article_id, member.name), "confirmed"
    )
    ws.curation().rate("card", trend.card_ids[-1], 5)
    ws.curation().rate("card", trend.card_ids[0], 2)  # a poor rating is no endorsement
    after = ws.trend_report("signals", update=False)
    marked = next(t for t in after.trends if t.id == trend.id)
    assert marked.confirmed == 1 and marked.rated_cards == 1
    assert "✓ 1 confirmed, 1 rated well" in render_trends(after)
    review = ws.review("year", date(2024, 3, 1))
    assert "✓ confirmed" in render_review(review)


def test_pages_use_the_curated_names(ws):
    report = ws.trend_report("signals")
    trend = report.trends[0]
    ws.curation().edit_trend(trend.id, label="Named by a person")
    pages = {p.path: p for p in trend_pages(ws.store, ws.settings, ws.root, topics=0)}
    assert "Named by a person" in pages["trends/signals.md"].text
    assert pages[f"trends/{trend.id}.md"].title == "Named by a person"


def test_the_trends_command_shows_the_curated_ranking(ws):
    from typer.testing import CliRunner

    from techwatch.cli import app

    report = ws.trend_report("signals")
    shown = report.emerging + report.strong + report.fading
    assert shown, "the corpus has ranked trends"
    last = shown[-1]
    ws.curation().edit_trend(last.id, label="Picked [bold]by[/bold] me")
    ws.curation().watch("trend", last.id)
    root = ws.root
    ws.close()
    result = CliRunner().invoke(
        app, ["-w", str(root), "trends", "--no-update"], catch_exceptions=False, terminal_width=200
    )
    assert result.exit_code == 0, result.output
    section = next(s for s in ("Emerging", "Strong", "Fading") if last.state == s.lower())
    table = result.output.split(f"{section} (", 1)[1].split("└", 1)[0]
    # The trend column, wrapped over lines by the table: joined without spaces.
    cells = [line.split("│")[1] for line in table.splitlines() if "│" in line]
    column = "".join("".join(cells).split())
    assert "Picked[bold]by[/bold]me(★watched)" in column  # escaped, not styled
    assert column.startswith("Picked")  # watched first
