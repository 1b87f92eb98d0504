"""A review of one period: what is new, rising, fading and strongest, against the one before.

For a year it also follows the earlier system's yearly review: about twenty trends, each
with its article count and the weak signals, concerns, technologies and behaviors of its
cards, every line citing the cards. `publish.review` renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from techwatch.store.store import Store
from techwatch.trends.analysis import Trend, TrendReport, build_report, card_days
from techwatch.trends.cards import CardRef, Cited, load_cards
from techwatch.trends.curation import Curated, without_dismissed
from techwatch.trends.data import item_key
from techwatch.trends.emergence import EmergenceParams
from techwatch.trends.periods import check_period, next_start, period_key, period_start
from techwatch.trends.topic import gather_items

SECTION_KINDS: tuple[str, ...] = ("signals", "concerns", "technologies", "behaviors")


@dataclass
class ReviewTrend:
    id: str
    label: str
    state: str
    articles: int  # in the period
    previous: int  # in the period before
    popularity: float
    first_seen: date | None
    cards: list[str]  # the trend's cards in the period
    sections: dict[str, list[Cited]] = field(default_factory=dict)
    watched: bool = False  # on a person's watchlist
    confirmed: int = 0  # its signals a person confirmed or rated well
    rated_cards: int = 0  # its cards a person rated well

    @property
    def delta(self) -> int:
        return self.articles - self.previous


@dataclass
class Review:
    period: str
    key: str
    previous_key: str
    start: date
    end: date  # inclusive
    articles: int
    previous_articles: int
    new: list[ReviewTrend] = field(default_factory=list)
    rising: list[ReviewTrend] = field(default_factory=list)
    fading: list[ReviewTrend] = field(default_factory=list)
    strongest: list[ReviewTrend] = field(default_factory=list)
    trends: list[ReviewTrend] = field(default_factory=list)  # the detailed list
    cards: dict[str, CardRef] = field(default_factory=dict)
    message: str = ""


def build_review(
    store: Store,
    period: str = "month",
    day: date | None = None,
    *,
    params: EmergenceParams | None = None,
    top: int | None = None,
    curation: Curated | None = None,
) -> Review:
    """Review the period holding `day` (default: the latest card's date).

    With `curation`: trends under the names a person gave, merged ones folded into their
    target, dismissed signals left out, watched trends first, endorsed ones marked.
    """
    check_period(period)
    if day is None:
        days, _ = card_days(store, None)
        day = max(days.values()) if days else date.today()
    start = period_start(day, period)
    end = next_start(start, period) - timedelta(days=1)
    report = build_report(store, "signals", period, end, params, curation)
    prev_start = period_start(start - timedelta(days=1), period)
    review = Review(
        period=period,
        key=period_key(start, period),
        previous_key=period_key(prev_start, period),
        start=start,
        end=end,
        articles=0,
        previous_articles=0,
        message=report.message,
    )
    if not report.periods or report.periods[-1] != review.key:
        review.message = review.message or f"no cards in {review.key}"
        return review
    review.articles = report.totals[-1]
    review.previous_articles = report.totals[-2] if len(report.totals) > 1 else 0
    rows = [_row(tr, report, start, end) for tr in report.trends if not tr.merged_into]
    in_period = [r for r in rows if r.articles > 0]
    review.new = sorted(
        [r for r in in_period if r.first_seen and r.first_seen >= start],
        key=lambda r: (-r.articles, r.id),
    )
    review.rising = sorted(
        [r for r in in_period if r.delta > 0 and r not in review.new],
        key=lambda r: (-r.delta, r.id),
    )
    review.fading = sorted([r for r in rows if r.delta < 0], key=lambda r: (r.delta, r.id))
    review.strongest = sorted(in_period, key=lambda r: (-r.popularity, r.id))[:10]
    limit = top or (20 if period == "year" else 10)
    # Watched trends first; among equals, those a person endorsed.
    review.trends = sorted(
        in_period,
        key=lambda r: (
            not r.watched,
            -r.articles,
            -(r.confirmed + r.rated_cards),
            -r.popularity,
            r.id,
        ),
    )[:limit]
    wanted = {c for r in rows for c in r.cards}
    review.cards = load_cards(store, wanted)
    if curation:
        for ref in review.cards.values():
            ref.card = without_dismissed(ref.card, ref.id, curation)
    for r in review.trends:
        cards = [review.cards[c] for c in r.cards if c in review.cards]
        r.sections = {kind: gather_items(cards, kind, limit=6) for kind in SECTION_KINDS}
        if curation:
            for item in r.sections["signals"]:
                if any(
                    item_key(c, "signals", item.text) in curation.confirmed for c in item.card_ids
                ):
                    item.detail["confirmed"] = "yes"
    return review


def _row(trend: Trend, report: TrendReport, start: date, end: date) -> ReviewTrend:
    df = trend.emergence.df
    cards = sorted({m.article_id for m in trend.members if m.day and start <= m.day <= end})
    return ReviewTrend(
        id=trend.id,
        label=trend.label,
        state=trend.state,
        articles=df[-1] if df else 0,
        previous=df[-2] if len(df) > 1 else 0,
        popularity=trend.emergence.last_popularity,
        first_seen=trend.first_seen,
        cards=cards,
        watched=trend.watched,
        confirmed=trend.confirmed,
        rated_cards=trend.rated_cards,
    )
