"""Trend lists and trend pages in markdown, and the JSONL rows of `techwatch trends`.

Numbers come from `techwatch.trends`; this module only lays them out. Every string from a
card (labels, names) is untrusted: escaped for markdown and HTML, one line per cell.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from techwatch.publish.tables import clean_cell, one_line, render_table
from techwatch.trends.analysis import Trend, TrendReport
from techwatch.trends.cards import CardRef

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|!~])")
_URL_UNSAFE = re.compile(r"[\s<>()\"'`]")

STATE_TITLES = {
    "emerging": "Emerging",
    "strong": "Strong",
    "fading": "Fading",
    "noise": "Noise",
    "insufficient_history": "Insufficient history",
}


def md(text: str) -> str:
    """Untrusted text as inert markdown: one line, HTML escaped, markup characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(one_line(text or "").strip(), quote=False))


def md_url(url: str) -> str:
    """A link target that cannot close the link or smuggle a script scheme."""
    url = one_line(url or "").strip()
    if re.match(r"(?i)^\s*(javascript|data|vbscript):", url):
        return "#"
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)


def md_link(text: str, url: str) -> str:
    return f"[{md(text)}]({md_url(url)})" if url else md(text)


def cite(card: CardRef, link: Callable[[CardRef], str]) -> str:
    """A citation as `[id8] title`, the title linking to the card."""
    return f"\\[{card.id[:8]}\\] {md_link(card.title, link(card))}"


def number(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "n/a"
    return f"{value:.{digits}f}"


# -- JSONL --------------------------------------------------------------------------------


def trend_json(trend: Trend) -> dict[str, Any]:
    """One JSONL row: everything a script needs to rank, plot or cite a trend."""
    return {
        "id": trend.id,
        "kind": trend.kind,
        "label": trend.label,
        "terms": trend.terms,
        "state": trend.state,
        "reason": trend.reason,
        "first_seen": trend.first_seen.isoformat() if trend.first_seen else None,
        "last_seen": trend.last_seen.isoformat() if trend.last_seen else None,
        "size": trend.size,
        "articles": trend.articles,
        "periods": trend.periods,
        "tf": trend.emergence.tf,
        "df": trend.emergence.df,
        "counts": trend.counts,
        "scores": trend.scores(),
        "card_ids": trend.card_ids,
        "members": [m.name for m in trend.members],
        "curation": {
            "auto_label": trend.auto_label or trend.label,
            "merged_into": trend.merged_into,
            "watched": trend.watched,
            "confirmed": trend.confirmed,
            "rated_cards": trend.rated_cards,
        },
    }


def curation_marks(watched: bool, confirmed: int, rated_cards: int) -> str:
    """The marks a person's curation puts next to a trend's name (empty when none)."""
    marks = []
    if watched:
        marks.append("★ watched")
    if confirmed:
        marks.append(f"✓ {confirmed} confirmed")
    if rated_cards:
        marks.append(f"{rated_cards} rated well")
    return f" ({', '.join(marks)})" if marks else ""


# -- markdown -----------------------------------------------------------------------------


def _table(trends: list[Trend], link: Callable[[Trend], str] | None) -> str:
    headers = [
        "Trend",
        "Articles",
        "First",
        "Last",
        "DoD growth",
        "Quadrant",
        "Burst",
        "Popularity",
    ]
    rows = []
    for tr in trends:
        e = tr.emergence
        name = md_link(tr.label or tr.id, link(tr)) if link else md(tr.label or tr.id)
        name = clean_cell(name + curation_marks(tr.watched, tr.confirmed, tr.rated_cards))
        rows.append(
            [
                name,
                str(tr.articles),
                tr.first_seen.isoformat() if tr.first_seen else "",
                tr.last_seen.isoformat() if tr.last_seen else "",
                number(e.dod_growth),
                e.dod_quadrant.replace("_", " "),
                "active" if e.burst_active else ("past" if e.bursts else ""),
                f"{number(e.last_popularity, 2)} ({e.popularity_class or '-'})",
            ]
        )
    return render_table(headers, rows, [False, True, False, False, True, False, False, True])


def _groups_shown(report: TrendReport) -> list[list[Trend]]:
    """The lists of a trends page, in the order of STATE_TITLES."""
    return [
        report.emerging,
        report.strong,
        report.fading,
        sorted(report.by_state("noise"), key=lambda t: (-t.articles, t.id)),
        report.by_state("insufficient_history"),
    ]


def render_trends(
    report: TrendReport, *, limit: int = 20, link: Callable[[Trend], str] | None = None
) -> str:
    title = f"# Trends: {report.kind} by {report.period}"
    lines = [title, ""]
    if report.as_of:
        lines += [f"As known on {report.as_of.isoformat()} (later cards left out).", ""]
    if report.message:
        return "\n".join([*lines, report.message, ""])
    lines.append(
        f"{len(report.trends)} trends over {len(report.periods)} periods "
        f"({report.periods[0]} to {report.periods[-1]}), {sum(report.totals)} dated cards"
        + (f", {report.undated_cards} undated." if report.undated_cards else ".")
    )
    lines.append("")
    for name, group in zip(STATE_TITLES, _groups_shown(report), strict=True):
        if not group:
            continue
        lines += [f"## {STATE_TITLES[name]} ({len(group)})", "", _table(group[:limit], link), ""]
    merged = [t for t in report.trends if t.merged_into]
    if merged:
        names = {t.id: t.label or t.id for t in report.trends}
        lines += ["## Merged by you", ""]
        lines += [
            f"- {md(t.label or t.id)} (`{t.id}`) into {md(names.get(t.merged_into, ''))} "
            f"(`{t.merged_into}`)"
            for t in merged
        ]
        lines.append("")
    thresholds = next((t.emergence.thresholds for t in report.trends if t.emergence.thresholds), {})
    if thresholds:
        lines += ["## How the states are set", ""]
        lines += [
            f"- Popularity (BERTrend): noise below {number(thresholds['popularity_low'], 2)}, "
            f"strong above {number(thresholds['popularity_high'], 2)} (the corpus's percentiles).",
            f"- Yoon's map: medians of average articles {number(thresholds['median_avg_df'], 2)} "
            f"and of DoD growth {number(thresholds['median_dod_growth'])}.",
            "- Bursts: Kleinberg's two-state automaton over articles per period.",
            "",
        ]
    return "\n".join(lines)


def render_trend_page(
    trend: Trend, cards: dict[str, CardRef], link: Callable[[CardRef], str]
) -> str:
    """One trend: its state and why, its numbers period by period, its members with citations."""
    e = trend.emergence
    lines = [
        f"# *Trend*: {md(trend.label or trend.id)}",
        "",
        f"- Id: `{trend.id}` ({trend.kind})",
        *_curation_lines(trend),
        f"- State: **{STATE_TITLES.get(trend.state, trend.state)}**: {md(trend.reason)}",
        f"- Terms: {', '.join(md(x) for x in trend.terms)}",
        f"- First seen {trend.first_seen or 'n/a'}, last seen {trend.last_seen or 'n/a'}; "
        f"{trend.size} items in {trend.articles} articles",
        "",
        "## Period by period",
        "",
    ]
    offset = len(trend.periods) - len(e.dov)
    rows = []
    for i, key in enumerate(trend.periods):
        j = i - offset
        rows.append(
            [
                key,
                str(e.tf[i]),
                str(e.df[i]),
                number(e.dov[j], 4) if j >= 0 else "",
                number(e.dod[j], 4) if j >= 0 else "",
                number(e.popularity[i], 2),
                "burst" if e.burst_states and e.burst_states[i] else "",
            ]
        )
    lines.append(
        render_table(
            ["Period", "Items", "Articles", "DoV", "DoD", "Popularity", "Kleinberg"],
            rows,
            [False, True, True, True, True, True, False],
        )
    )
    lines += [
        "",
        f"DoV growth {number(e.dov_growth)} ({e.dov_quadrant.replace('_', ' ')}), "
        f"DoD growth {number(e.dod_growth)} ({e.dod_quadrant.replace('_', ' ')}), "
        f"popularity {number(e.last_popularity, 2)} ({e.popularity_class or 'n/a'}).",
        "",
        "## Members",
        "",
    ]
    for m in trend.members:
        card = cards.get(m.article_id)
        source = cite(card, link) if card else f"\\[{m.article_id[:8]}\\]"
        lines.append(f"- {md(m.name)} ({m.day or 'undated'}): {source}")
    lines.append("")
    shown = [cards[c] for c in trend.card_ids if c in cards]
    if shown:
        from techwatch.publish.topic import card_grid

        lines += ["## Cards", "", card_grid(shown, link), ""]
    return "\n".join(lines)


def _curation_lines(trend: Trend) -> list[str]:
    lines = []
    if trend.auto_label and trend.auto_label != trend.label:
        lines.append(f"- Renamed by you (computed name: {md(trend.auto_label)})")
    if trend.merged_into:
        lines.append(f"- Merged by you into `{trend.merged_into}`")
    marks = curation_marks(trend.watched, trend.confirmed, trend.rated_cards)
    if marks:
        lines.append(f"- Curation: {marks.strip()[1:-1]}")
    return lines


# -- the pages of `techwatch pages` -------------------------------------------------------


@dataclass
class PageFile:
    """A page to write: its path under the pages folder, its title and its text."""

    path: str
    title: str
    text: str
    listed: bool = False  # linked from the index


def _has_trends(store: Any) -> bool:
    from sqlalchemy import func, select

    from techwatch.store import schema as t

    with store.engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(t.trends)).scalar_one())


def trend_pages(
    store: Any, settings: Any, root: Any, *, topics: int = 5, per_state: int = 20
) -> list[PageFile]:
    """Trend lists and pages per kind, the emergence map and timelines (SVG), topic pages
    for the leading signal trends, and reviews (every year, the latest quarter and month).

    Renders the stored trends as they are (`techwatch run` and `techwatch trends` update
    them); returns nothing before the first trend update.
    """
    if not _has_trends(store):
        return []
    from techwatch.publish.charts import emergence_map_svg, timelines_svg
    from techwatch.publish.markdown import page_filename
    from techwatch.publish.review import render_review
    from techwatch.publish.topic import render_topic
    from techwatch.trends.analysis import build_report
    from techwatch.trends.cards import load_cards
    from techwatch.trends.curation import load_curated
    from techwatch.trends.data import TREND_KINDS
    from techwatch.trends.review import build_review
    from techwatch.trends.service import emergence_params
    from techwatch.trends.topic import build_topic

    params = emergence_params(settings)
    curation = load_curated(store)
    period = settings.trends.period if getattr(settings, "trends", None) else "month"

    def card_link(card: CardRef) -> str:
        return f"../{page_filename(card.id)}"

    def trend_link(tr: Trend) -> str:
        return f"{tr.id}.md"

    pages: list[PageFile] = []
    signals = None
    for kind in TREND_KINDS:
        report = build_report(store, kind, period, None, params, curation)
        if kind == "signals":
            signals = report
        if not report.trends:
            continue
        shown = {tr.id: tr for group in _groups_shown(report) for tr in group[:per_state]}
        cards = load_cards(store, {c for tr in shown.values() for c in tr.card_ids})
        for tr in shown.values():
            pages.append(
                PageFile(f"trends/{tr.id}.md", tr.label, render_trend_page(tr, cards, card_link))
            )
        text = render_trends(report, limit=per_state, link=trend_link)
        if kind == "signals":
            pages.append(PageFile("trends/emergence-signals.svg", "", emergence_map_svg(report)))
            pages.append(PageFile("trends/timelines-signals.svg", "", timelines_svg(report)))
            text += (
                "\n![Emergence map](emergence-signals.svg)\n\n![Timelines](timelines-signals.svg)\n"
            )
        pages.append(PageFile(f"trends/{kind}.md", f"Trends: {kind}", text, listed=True))
    if signals is not None and signals.trends:
        from techwatch.embed import get_embedder

        embedder = get_embedder(settings, root)
        # The strongest and emerging trends, then the largest, as the topics worth a page.
        leading = list(
            {t.id: t for t in signals.strong + signals.emerging + signals.trends}.values()
        )
        leading = leading[:topics]
        for tr in leading:
            page = build_topic(store, embedder, tr.label)
            pages.append(
                PageFile(
                    f"topics/{_slug(tr.label)}.md",
                    f"Topic: {tr.label}",
                    render_topic(page, card_link),
                    listed=True,
                )
            )
        years = sorted({p[:4] for p in signals.periods})
        from datetime import date

        reviews = [("year", date(int(y), 1, 1)) for y in years]
        last = max((tr.last_seen for tr in signals.trends if tr.last_seen), default=None)
        if last:
            reviews += [("quarter", last), ("month", last)]
        for per, day in reviews:
            review = build_review(store, per, day, params=params, curation=curation)
            if review.trends:
                pages.append(
                    PageFile(
                        f"reviews/{per}-{review.key}.md",
                        f"Review: {review.key}",
                        render_review(review, card_link),
                        listed=True,
                    )
                )
    return pages


def _slug(text: str, limit: int = 60) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:limit].strip("-")
    return value or "topic"
