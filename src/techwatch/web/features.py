"""The parts of the watch built by later steps (trends, topics, reviews, ask, decks).

Pages for what a workspace cannot give yet are simply absent: each probe asks the
Workspace for its method and, when it is missing, fails or has nothing, contributes nothing.
Trends are read as last computed (`update=False`): the pipeline and `techwatch trends`
compute them; a page view never starts a clustering.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    from techwatch.workspace import Workspace

__all__ = ["Extras", "TrendLink", "ReviewLink", "collect", "has"]

log = logging.getLogger(__name__)
LIST_LIMIT = 25


@dataclass
class TrendLink:
    """A trend as listed: curated name applied, merged trends pointing at their target."""

    id: str
    label: str
    state: str = ""
    articles: int = 0
    first_seen: str = ""
    last_seen: str = ""
    popularity: float = 0.0
    merged_into: str | None = None
    watched: bool = False


@dataclass
class ReviewLink:
    key: str
    title: str


@dataclass
class Extras:
    """What the later steps offer, for the home page, the nav and the site builder."""

    trends: bool = False
    ask: bool = False
    deck: bool = False
    topic: bool = False
    emerging: list[TrendLink] = field(default_factory=list)
    strong: list[TrendLink] = field(default_factory=list)
    fading: list[TrendLink] = field(default_factory=list)
    others: list[TrendLink] = field(default_factory=list)  # insufficient history, stable...
    reviews: list[ReviewLink] = field(default_factory=list)
    topics: list[ReviewLink] = field(default_factory=list)  # watched queries (key = query)
    report: Any = None
    review: Any = None
    edits: dict[str, dict[str, Any]] = field(default_factory=dict)

    def flags(self) -> dict[str, bool]:
        return {"trends": self.trends, "ask": self.ask, "deck": self.deck, "topic": self.topic}

    def trend(self, trend_id: str) -> Any:
        if self.report is None:
            return None
        return next((t for t in self.report.trends if t.id == trend_id), None)

    def label(self, trend: Any) -> str:
        edit = self.edits.get(trend.id) or {}
        return edit.get("label") or trend.label or trend.id

    def write_site(self, writer: Any, ws: Workspace) -> None:
        """Pages of trends, reviews and watched topics, when those exist."""
        from techwatch.web.render import SiteUrls, markdown
        from techwatch.web.site import _key

        feats = self.flags()
        if self.trends and self.report is not None:
            writer.write("trends/emergence-map.svg", emergence_svg(self.report))
            writer.write("trends/timelines.svg", timelines_svg(self.report))
            writer.page("trends/index.html", "trends.html", title="Trends", x=self, features=feats)
            u = SiteUrls(1)
            cards = _cards_of(ws, [t for t in self.report.trends])
            for trend in self.report.trends:
                rel = u.trend(trend.id)[len(u.root) :]
                text = trend_markdown(trend, cards, u, self)
                key = _key(feats, self.label(trend), text)
                if writer.unchanged(rel, key):
                    continue
                writer.page(
                    rel,
                    "doc.html",
                    key=key,
                    title=self.label(trend),
                    body=markdown(text),
                    features=feats,
                    trend_id=trend.id,
                )
        if self.topic:
            u = SiteUrls(1)
            for item in self.topics:
                try:
                    page = ws.topic(item.key)
                except Exception as exc:
                    log.warning("topic %r left out: %s", item.key, exc)
                    continue
                writer.page(
                    u.topic(item.key)[len(u.root) :],
                    "doc.html",
                    title=item.title,
                    body=topic_html(page, u),
                    features=feats,
                )
        if self.review is not None and self.reviews:
            u = SiteUrls(1)
            key = self.reviews[0].key
            writer.page(
                u.review(key)[len(u.root) :],
                "doc.html",
                title=self.reviews[0].title,
                body=review_html(self.review, u),
                features=feats,
            )


def has(ws: Workspace, name: str) -> bool:
    return callable(getattr(ws, name, None))


def _link(t: Any, x: Extras, watched: set[str]) -> TrendLink:
    edit = x.edits.get(t.id) or {}
    return TrendLink(
        id=t.id,
        label=x.label(t),
        state=t.state,
        articles=t.articles,
        first_seen=str(t.first_seen or ""),
        last_seen=str(t.last_seen or ""),
        popularity=round(float(t.emergence.last_popularity), 2),
        merged_into=edit.get("merged_into"),
        watched=t.id in watched,
    )


def collect(ws: Workspace, *, reviews: bool = True) -> Extras:
    """Probe the workspace; a failing part is logged and left out, never shown broken."""
    x = Extras(ask=has(ws, "ask"), deck=has(ws, "deck"), topic=has(ws, "topic"))
    try:
        curation = ws.curation().for_ranking()
    except Exception:  # the web tables are missing on an old store: no curation
        curation = {"trend_edits": {}, "watched_trends": []}
    x.edits = curation["trend_edits"]
    watched = set(curation["watched_trends"])
    if x.topic:
        x.topics = [ReviewLink(q, f"Topic: {q}") for q in curation.get("watched_queries", [])]
    if has(ws, "trend_report"):
        try:
            report = ws.trend_report("signals", update=False)
        except Exception as exc:
            log.warning("trends left out of the pages: %s", exc)
            report = None
        if report is not None and report.trends:
            x.trends, x.report = True, report

            def listed(group: list[Any]) -> list[TrendLink]:
                links = [_link(t, x, watched) for t in group]
                # Watched trends first; merged ones are shown under their target only.
                links = [t for t in links if not t.merged_into]
                return sorted(links, key=lambda t: not t.watched)[:LIST_LIMIT]

            x.emerging = listed(report.emerging)
            x.strong = listed(report.strong)
            x.fading = listed(report.fading)
            shown = {t.id for t in report.emerging + report.strong + report.fading}
            x.others = listed([t for t in report.trends if t.id not in shown])
    if reviews and x.trends and has(ws, "review"):
        try:
            review = ws.review("month")
        except Exception as exc:
            log.warning("review left out of the pages: %s", exc)
            review = None
        if review is not None and (review.trends or review.articles):
            x.review = review
            x.reviews = [ReviewLink(f"month-{review.key}", f"Monthly review {review.key}")]
    return x


def timelines_svg(report: Any) -> bytes:
    """Articles per period of the emerging, then strong, trends (SVG bytes)."""
    from techwatch.publish.charts import timelines

    with tempfile.TemporaryDirectory() as tmp:
        paths = timelines(report, Path(tmp) / "timelines")
        return next(p for p in paths if p.suffix == ".svg").read_bytes()


def emergence_svg(report: Any) -> bytes:
    """The emergence map as SVG bytes (matplotlib, deterministic output)."""
    from techwatch.publish.charts import emergence_map

    with tempfile.TemporaryDirectory() as tmp:
        paths = emergence_map(report, Path(tmp) / "map")
        svg = next(p for p in paths if p.suffix == ".svg")
        return svg.read_bytes()


def _cards_of(ws: Workspace, trends: list[Any]) -> dict[str, Any]:
    from techwatch.trends.cards import load_cards

    ids: set[str] = set()
    for t in trends:
        ids.update(t.card_ids)
    return load_cards(ws.store, ids)


def trend_html(trend: Any, cards: dict[str, Any], u: Any, x: Extras) -> Markup:
    """A trend page: the publish/ markdown, rendered safely, linking to card pages."""
    from techwatch.web.render import markdown

    return markdown(trend_markdown(trend, cards, u, x))


def trend_markdown(trend: Any, cards: dict[str, Any], u: Any, x: Extras) -> str:
    from techwatch.publish.trends import render_trend_page

    text = render_trend_page(trend, cards, lambda c: u.card(c.id))
    edit = x.edits.get(trend.id) or {}
    note = ""
    if edit.get("label"):
        note += f"Renamed by you: **{_md_escape(edit['label'])}**. "
    if edit.get("merged_into"):
        target = x.trend(edit["merged_into"])
        name = x.label(target) if target is not None else edit["merged_into"]
        note += f"Merged by you into [{_md_escape(name)}]({u.trend(edit['merged_into'])})."
    return (note + "\n\n" if note else "") + text


def review_html(review: Any, u: Any) -> Markup:
    from techwatch.publish.review import render_review
    from techwatch.web.render import markdown

    return markdown(render_review(review, lambda c: u.card(c.id)))


def topic_html(page: Any, u: Any) -> Markup:
    from techwatch.publish.topic import render_topic
    from techwatch.web.render import markdown

    return markdown(render_topic(page, lambda c: u.card(c.id)))


def _md_escape(text: str) -> str:
    import re

    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|])", r"\\\1", " ".join(str(text).split()))
