"""Trend lists and trend pages in markdown, and the JSONL rows of `techwatch trends`.

Numbers come from `techwatch.trends`; this module only lays them out. Every string from a
card (labels, names) is untrusted: escaped for markdown and HTML, one line per cell.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
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
    }


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
        name = clean_cell(md_link(tr.label or tr.id, link(tr)) if link else md(tr.label or tr.id))
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
    for name, group in (
        ("emerging", report.emerging),
        ("strong", report.strong),
        ("fading", report.fading),
        ("insufficient_history", report.by_state("insufficient_history")),
    ):
        if not group:
            continue
        lines += [f"## {STATE_TITLES[name]} ({len(group)})", "", _table(group[:limit], link), ""]
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
    return "\n".join(lines)
