"""Bad input: an empty corpus, one card, no dates, one period, many languages, one huge
cluster. Each gets a clear message or a sensible result, never a traceback."""

from __future__ import annotations

import math
from datetime import date

import pytest

from techwatch.publish.review import render_review
from techwatch.publish.trends import render_trends, trend_json
from techwatch.trends.emergence import INSUFFICIENT
from techwatch.workspace import Workspace
from test_trends_corpus import add_card, seed_topics


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace.init(tmp_path / "ws", overrides={"trends": {"similarity": 0.3}})
    yield workspace
    workspace.close()


def _finite(report) -> None:
    for tr in report.trends:
        row = trend_json(tr)
        scores = row["scores"]
        for key in ("avg_tf", "avg_df", "popularity", "popularity_slope"):
            assert math.isfinite(scores[key])
        assert all(math.isfinite(x) for x in scores["dov"] + scores["dod"])


def test_empty_corpus(ws):
    reports = ws.update_trends()
    assert all(r.items == 0 and r.trends == 0 for r in reports)
    report = ws.trend_report("signals")
    assert report.trends == [] and report.message == "no dated cards yet"
    assert "no dated cards yet" in render_trends(report)
    assert ws.topic("anything").message
    review = ws.review("month")
    assert review.trends == [] and review.message
    assert render_review(review)


def test_one_card(ws):
    add_card(ws.store, "solo", date(2024, 3, 1), signals=["Sodium battery storage"])
    report = ws.trend_report("signals")
    assert report.trends == []  # one item is below min_size: in the residue, not a trend
    assert "no signals trends yet" in report.message
    assert ws.trend_report("keywords").trends == []
    page = ws.topic("sodium battery")
    assert [c.title for c in page.cards] == ["solo"]


def test_cards_without_dates(ws):
    for n in range(4):
        add_card(ws.store, f"undated-{n}", None, signals=["Sodium battery storage for grids"])
    report = ws.trend_report("signals")
    assert report.trends == [] and report.message == "4 card(s), none dated"
    # A date after today is a typo, counted with the undated.
    add_card(ws.store, "future", date(2999, 1, 1), signals=["Sodium battery storage"])
    assert ws.trend_report("signals").undated_cards == 5


def test_a_single_period_is_insufficient_history_with_its_reason(ws):
    for n in range(5):
        add_card(
            ws.store,
            f"same-month-{n}",
            date(2024, 3, 1 + n),
            signals=["Sodium battery grid storage"],
        )
    report = ws.trend_report("signals", period="month")
    assert len(report.trends) == 1 and report.periods == ["2024-03"]
    tr = report.trends[0]
    assert tr.state == INSUFFICIENT and "1 period" in tr.reason
    _finite(report)


def test_several_languages(ws):
    phrases = {
        "fr": [
            "Stockage par batteries au sodium",
            "Batteries au sodium pour le réseau",
            "Le stockage au sodium",
        ],
        "ja": ["ナトリウム電池による蓄電", "ナトリウム電池の蓄電網", "ナトリウム電池"],
        "en": ["Sodium battery storage", "Grid sodium batteries", "Sodium storage grids"],
    }
    n = 0
    for month in range(1, 7):
        for lang, names in phrases.items():
            add_card(ws.store, f"{lang}-{month}", date(2024, month, 5), signals=[names[month % 3]])
            n += 1
    ws.update_trends(kinds=("signals",))
    report = ws.trend_report("signals", update=False)
    assert report.trends, report.message
    labels = " ".join(t.label for t in report.trends)
    assert "ナトリウム" in labels or "sodium" in labels.casefold()
    assert sum(len(t.members) for t in report.trends) <= n
    _finite(report)


def test_one_huge_cluster(ws):
    for n in range(60):
        add_card(
            ws.store,
            f"same-{n}",
            date(2024, 1 + n % 12, 1 + n % 27),
            signals=["Sodium battery storage"],
        )
    report = ws.trend_report("signals", period="month")
    assert len(report.trends) == 1
    tr = report.trends[0]
    assert tr.articles == 60 and tr.state != INSUFFICIENT
    _finite(report)
    review = ws.review("year", date(2024, 6, 1))
    assert len(review.trends) == 1 and review.trends[0].articles == 60


def test_seeded_corpus_scores_are_finite(ws):
    seed_topics(ws.store)
    _finite(ws.trend_report("signals", period="week"))
    _finite(ws.trend_report("keywords", period="quarter"))
