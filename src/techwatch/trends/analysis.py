"""Trends as a reader sees them: members, dates, counts per period and emergence scores.

Everything here is computed from the stored memberships at query time, so `as_of` can
replay what was known by a date: items of later cards are left out, trends that had no
member yet are absent, and labels are recomputed from the members known then. (The
cluster geometry is today's; that is the one thing a backtest cannot unlearn.)
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from techwatch.store import schema as t
from techwatch.store.store import Store
from techwatch.trends.curation import Curated
from techwatch.trends.data import TREND_KINDS, fetch_rows, load_items, no_gc, normalise_name
from techwatch.trends.emergence import Emergence, EmergenceParams, score_series
from techwatch.trends.periods import PERIODS, check_period, period_key, period_range, period_start
from techwatch.trends.represent import ctfidf_terms, pick_label

KINDS: tuple[str, ...] = (*TREND_KINDS, "keywords")


class TrendsError(ValueError):
    """A request the data cannot answer (unknown kind, no cards): said plainly."""


@dataclass(slots=True)
class Member:
    key: str
    article_id: str
    name: str
    description: str
    day: date | None
    similarity: float | None = None


@dataclass
class Trend:
    id: str
    kind: str
    label: str
    terms: list[str]
    state: str
    reason: str
    first_seen: date | None
    last_seen: date | None
    periods: list[str]  # the keys of the scored period axis
    counts: dict[str, dict[str, int]]  # period kind -> period key -> articles
    emergence: Emergence
    members: list[Member] = field(default_factory=list)
    undated: int = 0
    # A person's curation (see `techwatch.trends.curation`): the computed label when
    # renamed, the trend this one was merged into, watched, and endorsements.
    auto_label: str = ""
    merged_into: str | None = None
    watched: bool = False
    confirmed: int = 0  # members whose signal a person confirmed or rated well
    rated_cards: int = 0  # its cards a person rated well

    @property
    def card_ids(self) -> list[str]:
        return sorted({m.article_id for m in self.members})

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def articles(self) -> int:
        return len(self.card_ids)

    def scores(self) -> dict[str, object]:
        e = self.emergence
        return {
            "dov": [round(x, 6) for x in e.dov],
            "dod": [round(x, 6) for x in e.dod],
            "avg_tf": round(e.avg_tf, 4),
            "avg_df": round(e.avg_df, 4),
            "dov_growth": _finite(e.dov_growth),
            "dod_growth": _finite(e.dod_growth),
            "dov_quadrant": e.dov_quadrant,
            "dod_quadrant": e.dod_quadrant,
            "burst_active": e.burst_active,
            "bursts": [
                {
                    "start": self.periods[b.start],
                    "end": self.periods[b.end],
                    "weight": round(b.weight, 4),
                }
                for b in e.bursts
            ],
            "popularity": round(e.last_popularity, 4),
            "popularity_slope": round(e.popularity_slope, 4),
            "popularity_class": e.popularity_class,
            "thresholds": {k: round(v, 6) for k, v in e.thresholds.items()},
        }


def _finite(value: float) -> float | None:
    return None if value != value or value in (float("inf"), float("-inf")) else round(value, 6)


@dataclass
class TrendReport:
    """The answer to `techwatch trends`: ranked lists and the axis they were scored on."""

    kind: str
    period: str
    as_of: date | None
    periods: list[str]
    totals: list[int]  # cards per period (NN)
    trends: list[Trend]
    undated_cards: int = 0
    message: str = ""

    def by_state(self, state: str) -> list[Trend]:
        """Trends in a state, watched first; merged ones count under their target only."""
        return [t for t in self.trends if t.state == state and not t.merged_into]

    @property
    def emerging(self) -> list[Trend]:
        return sorted(
            self.by_state("emerging"),
            key=lambda t: (
                not t.watched,
                not t.emergence.burst_active,
                -(_finite(t.emergence.dod_growth) or 0),
                t.id,
            ),
        )

    @property
    def strong(self) -> list[Trend]:
        return sorted(
            self.by_state("strong"),
            key=lambda t: (not t.watched, -t.emergence.last_popularity, t.id),
        )

    @property
    def fading(self) -> list[Trend]:
        return sorted(
            self.by_state("fading"),
            key=lambda t: (not t.watched, t.emergence.popularity_slope, t.id),
        )


def card_days(store: Store, as_of: date | None) -> tuple[dict[str, date], int]:
    """Dates of the ok cards known by `as_of`, and how many cards have no usable date."""
    from techwatch.trends.data import card_dates

    # A date after today is a data error (a typo'd year); it counts as no date.
    limit = min(as_of, date.today()) if as_of else date.today()
    days, undated = {}, 0
    for article_id, day in card_dates(store).items():
        if day is None or day > date.today():
            undated += 1
        elif day <= limit:
            days[article_id] = day
    return days, undated


def _members(store: Store, kind: str) -> dict[str, list[tuple[str, float | None]]]:
    query = select(
        t.trend_members.c.trend_id, t.trend_members.c.item_key, t.trend_members.c.similarity
    ).where(t.trend_members.c.kind == kind, t.trend_members.c.trend_id.is_not(None))
    out: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    for trend_id, key, similarity in fetch_rows(store, query):
        out[trend_id].append((key, similarity))
    return out


def _stored_trends(store: Store, kind: str) -> dict[str, dict]:
    query = select(t.trends).where(t.trends.c.kind == kind, t.trends.c.status == "active")
    with store.engine.connect() as conn:
        return {r.id: dict(r._mapping) for r in conn.execute(query)}


def build_report(
    store: Store,
    kind: str = "signals",
    period: str = "month",
    as_of: date | None = None,
    params: EmergenceParams | None = None,
    curation: Curated | None = None,
) -> TrendReport:
    """Score every trend (or keyword) of a kind; `as_of` replays what was known by then.

    With `curation`, dismissed signals leave their trends, merged trends are folded into
    their target (and kept, marked, for their own page), renamed trends carry the name a
    person gave, and watched trends come first.
    """
    with no_gc():
        return _build_report(store, kind, period, as_of, params, curation)


def _build_report(
    store: Store,
    kind: str,
    period: str,
    as_of: date | None,
    params: EmergenceParams | None,
    curation: Curated | None = None,
) -> TrendReport:
    if kind not in KINDS:
        raise TrendsError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    check_period(period)
    days, undated_cards = card_days(store, as_of)
    if not days:
        message = (
            "no dated cards yet" if undated_cards == 0 else f"{undated_cards} card(s), none dated"
        )
        if as_of is not None and undated_cards == 0:
            message = f"no cards dated on or before {as_of.isoformat()}"
        return TrendReport(kind, period, as_of, [], [], [], undated_cards, message)
    first, last = min(days.values()), as_of or max(days.values())
    starts = period_range(first, last, period)
    index = {s: i for i, s in enumerate(starts)}
    totals = [0] * len(starts)
    for day in days.values():
        totals[index[period_start(day, period)]] += 1
    groups = _groups(store, kind, days)
    if curation:
        groups = _curate_groups(groups, curation)
    series: dict[str, tuple[list[int], list[int]]] = {}
    for gid, (_, members) in groups.items():
        tf, df = [0] * len(starts), [0] * len(starts)
        seen: set[tuple[int, str]] = set()
        for m in members:
            if m.day is None:
                continue
            slot = index[period_start(m.day, period)]
            tf[slot] += 1
            if (slot, m.article_id) not in seen:
                seen.add((slot, m.article_id))
                df[slot] += 1
        series[gid] = (tf, df)
    scores = score_series(series, totals, params)
    keys = [period_key(s, period) for s in starts]
    relabel = as_of is not None and kind != "keywords"
    labels = _labels_as_of(groups) if relabel else {}
    trends: list[Trend] = []
    for gid, (stored, members) in groups.items():
        dated = sorted(m.day for m in members if m.day)
        label, terms = labels.get(gid) or (stored["label"], list(stored.get("terms") or []))
        em = scores[gid]
        trends.append(
            Trend(
                id=gid,
                kind=kind,
                label=label,
                terms=terms,
                state=em.state,
                reason=em.reason,
                first_seen=dated[0] if dated else None,
                last_seen=dated[-1] if dated else None,
                periods=keys,
                counts=_all_counts(members),
                emergence=em,
                members=sorted(members, key=lambda m: (m.day or date.min, m.key)),
                undated=sum(1 for m in members if m.day is None),
            )
        )
    if curation:
        present = {tr.id for tr in trends}
        for tr in trends:
            _mark(tr, curation, present)
    trends.sort(key=lambda t: (t.merged_into is not None, not t.watched, -t.articles, t.id))
    message = "" if trends else f"no {kind} trends yet: run `techwatch trends --update`"
    return TrendReport(kind, period, as_of, keys, totals, trends, undated_cards, message)


def _curate_groups(
    groups: dict[str, tuple[dict, list[Member]]], cur: Curated
) -> dict[str, tuple[dict, list[Member]]]:
    """Dismissed members out; a merged trend's members also counted in its target."""
    out = {
        gid: (stored, [m for m in members if m.key not in cur.dismissed])
        for gid, (stored, members) in groups.items()
    }
    for gid, target in cur.merged.items():
        if gid in out and target in out and target != gid:
            known = {m.key for m in out[target][1]}
            out[target][1].extend(m for m in out[gid][1] if m.key not in known)
    return {gid: v for gid, v in out.items() if v[1]}


def _mark(trend: Trend, cur: Curated, present: set[str]) -> None:
    trend.auto_label = trend.label
    trend.label = cur.labels.get(trend.id) or trend.label
    target = cur.merged.get(trend.id)
    # A merge into a trend absent from this report (none of its cards known yet) is moot.
    trend.merged_into = target if target in present and target != trend.id else None
    trend.watched = trend.id in cur.watched
    trend.confirmed = sum(1 for m in trend.members if m.key in cur.confirmed)
    trend.rated_cards = sum(1 for c in trend.card_ids if c in cur.rated_cards)


def _groups(store: Store, kind: str, days: dict[str, date]) -> dict[str, tuple[dict, list[Member]]]:
    """Trend id -> (stored row, members known by then); keywords group by their name."""
    items = load_items(store, kind)
    groups: dict[str, tuple[dict, list[Member]]] = {}
    if kind == "keywords":
        for item in items:
            if item.article_id not in days:
                continue
            norm = normalise_name(item.name)
            gid = "kw-" + hashlib.sha1(norm.encode()).hexdigest()[:10]
            if gid not in groups:
                groups[gid] = ({"label": norm, "terms": [norm]}, [])
            groups[gid][1].append(
                Member(item.key, item.article_id, item.name, "", days[item.article_id])
            )
        return {g: v for g, v in groups.items() if len({m.article_id for m in v[1]}) >= 2}
    by_key = {i.key: i for i in items}
    stored = _stored_trends(store, kind)
    for tid, rows in _members(store, kind).items():
        if tid not in stored:
            continue
        members = [
            Member(
                k,
                by_key[k].article_id,
                by_key[k].name,
                by_key[k].description,
                days[by_key[k].article_id],
                s,
            )
            for k, s in rows
            if k in by_key and by_key[k].article_id in days
        ]
        if members:
            groups[tid] = (stored[tid], members)
    return groups


def _labels_as_of(groups: dict[str, tuple[dict, list[Member]]]) -> dict[str, tuple[str, list[str]]]:
    ids = sorted(groups)
    docs = [" \n".join(f"{m.name}. {m.description}" for m in groups[g][1]) for g in ids]
    out = {}
    for gid, terms in zip(ids, ctfidf_terms(docs), strict=True):
        stored = groups[gid][0]
        if stored.get("label_pinned"):
            out[gid] = (stored["label"], [x for x, _ in terms])
            continue
        out[gid] = (pick_label([m.name for m in groups[gid][1]], terms), [x for x, _ in terms])
    return out


def _all_counts(members: list[Member]) -> dict[str, dict[str, int]]:
    """Articles per week, month, quarter and year (periods with none are left out)."""
    out: dict[str, dict[str, int]] = {}
    for period in PERIODS:
        cards: dict[str, set[str]] = defaultdict(set)
        for m in members:
            if m.day is not None:
                cards[period_key(m.day, period)].add(m.article_id)
        out[period] = {k: len(v) for k, v in sorted(cards.items())}
    return out


def top_terms(members: list[Member], n: int = 5) -> list[str]:
    counts = Counter(normalise_name(m.name) for m in members)
    return [name for name, _ in counts.most_common(n)]
