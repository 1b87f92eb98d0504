"""A review page: new, rising, fading and strongest trends, with deltas and citations."""

from __future__ import annotations

from collections.abc import Callable

from techwatch.publish.tables import clean_cell, render_table
from techwatch.publish.topic import article_link
from techwatch.publish.trends import STATE_TITLES, cite, curation_marks, md
from techwatch.trends.cards import CardRef
from techwatch.trends.review import Review, ReviewTrend

SECTION_TITLES = {
    "signals": "Weak signals",
    "concerns": "Concerns",
    "technologies": "Technologies",
    "behaviors": "Behaviors",
}


def _delta(r: ReviewTrend) -> str:
    return f"{r.delta:+d}"


def _marks(r: ReviewTrend) -> str:
    return curation_marks(r.watched, r.confirmed, r.rated_cards)


def _table(rows: list[ReviewTrend], limit: int = 10) -> str:
    body = [
        [
            clean_cell(md(r.label or r.id) + _marks(r)),
            str(r.articles),
            str(r.previous),
            _delta(r),
            STATE_TITLES.get(r.state, r.state),
        ]
        for r in rows[:limit]
    ]
    return render_table(
        ["Trend", "Articles", "Before", "Change", "State"], body, [False, True, True, True, False]
    )


def render_review(review: Review, link: Callable[[CardRef], str] = article_link) -> str:
    title = {"week": "Weekly", "month": "Monthly", "quarter": "Quarterly", "year": "Yearly"}[
        review.period
    ]
    lines = [f"# *{title} review*: {review.key}", ""]
    if review.message:
        return "\n".join([*lines, md(review.message) + ".", ""])
    change = review.articles - review.previous_articles
    lines += [
        f"{review.articles} articles from {review.start} to {review.end} "
        f"({change:+d} against {review.previous_key}).",
        "",
    ]
    for name, rows in (
        ("New", review.new),
        ("Rising", review.rising),
        ("Fading", review.fading),
        ("Strongest", review.strongest),
    ):
        if rows:
            lines += [f"## {name} ({len(rows)})", "", _table(rows), ""]
    if review.trends:
        lines += [f"## The {len(review.trends)} trends of {review.key}", ""]
    for n, r in enumerate(review.trends, start=1):
        lines += [
            f"### {n}. {md(r.label or r.id)}{_marks(r)}",
            "",
            f"`{r.id}`: {r.articles} articles ({_delta(r)} against {review.previous_key}), "
            f"{STATE_TITLES.get(r.state, r.state).lower()}.",
            "",
        ]
        for kind, heading in SECTION_TITLES.items():
            items = r.sections.get(kind) or []
            if not items:
                continue
            lines.append(f"**{heading}**")
            lines.append("")
            for item in items:
                sources = "; ".join(
                    cite(review.cards[c], link) for c in item.card_ids if c in review.cards
                )
                confirmed = " ✓ confirmed" if item.detail.get("confirmed") else ""
                lines.append(f"- {md(item.text)}{confirmed} ({sources})")
            lines.append("")
        cards = [review.cards[c] for c in r.cards if c in review.cards]
        if cards:
            lines += ["Articles: " + "; ".join(cite(c, link) for c in cards), ""]
    return "\n".join(lines)
