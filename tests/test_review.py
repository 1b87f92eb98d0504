"""Reviews of a period: new, rising, fading and strongest, with deltas and valid citations."""

from __future__ import annotations

import re
from datetime import date

import pytest

from techwatch.publish.review import render_review
from techwatch.workspace import Workspace
from test_trends_corpus import add_card, seed_topics

CITATION = re.compile(r"\\\[([0-9a-f]{8})\\\]")


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace.init(tmp_path / "ws", overrides={"trends": {"similarity": 0.3}})
    seed_topics(workspace.store, start=date(2024, 1, 1), months=6)
    # A subject that arrives in May and doubles in June.
    for n, day in enumerate([date(2024, 5, 12), date(2024, 6, 3), date(2024, 6, 18)]):
        add_card(
            workspace.store,
            f"hydrogen-{n}",
            day,
            title=f"Hydrogen news {n}",
            signals=["Green hydrogen electrolysers scale up", "Electrolysers for green hydrogen"],
            concerns=["Water use of electrolysers"],
            technologies=["PEM electrolyser"],
            behaviors=["Utilities sign hydrogen contracts"],
        )
    yield workspace
    workspace.close()


def test_monthly_review_counts_and_deltas(ws):
    review = ws.review("month", date(2024, 6, 20))
    assert review.key == "2024-06" and review.previous_key == "2024-05"
    assert review.articles == 5 and review.previous_articles == 4  # 3 subjects + hydrogen
    hydrogen = next(r for r in review.trends if "ydrogen" in r.label or "lectroly" in r.label)
    assert (hydrogen.articles, hydrogen.previous, hydrogen.delta) == (2, 1, 1)
    assert hydrogen in review.rising
    for r in review.trends:
        # The cards listed for a trend are its cards inside the period.
        assert len(r.cards) == r.articles
        assert all(
            date(2024, 6, 1) <= date.fromisoformat(review.cards[c].date) <= date(2024, 6, 30)
            for c in r.cards
        )


def test_review_sections_cite_the_cards_that_name_them(ws):
    review = ws.review("year", date(2024, 3, 1))
    assert review.key == "2024" and len(review.trends) <= 20
    for r in review.trends:
        for kind, items in r.sections.items():
            for item in items:
                for cid in item.card_ids:
                    names = [x["name"] for x in review.cards[cid].card.get(kind, [])]
                    assert item.text in names
    text = render_review(review)
    assert text.startswith("# *Yearly review*: 2024")
    assert "Weak signals" in text and "Concerns" in text
    known = {c.article_id[:8] for c in ws.cards.list()}
    cited = set(CITATION.findall(text))
    assert cited and cited <= known


def test_a_period_without_cards_says_so(ws):
    review = ws.review("month", date(2023, 1, 15))
    assert review.trends == [] and review.message
    assert "no cards" in render_review(review) or "no " in render_review(review)
    with pytest.raises(ValueError, match="period"):
        ws.review("fortnight", date(2024, 1, 1))
