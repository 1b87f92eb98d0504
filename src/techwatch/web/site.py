"""`techwatch site`: the whole watch as a static HTML site.

Every link is relative, so the folder works from the file system and from any static host.
Rebuilds are incremental: a page is rendered only when its inputs changed (a manifest keeps
a hash of each page's inputs) and written only when its bytes changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from techwatch.progress import NoProgress, Progress
from techwatch.web import features
from techwatch.web.data import CardView, WebData, group_by_letter
from techwatch.web.render import SiteUrls, environment

if TYPE_CHECKING:
    from techwatch.workspace import Workspace

__all__ = ["SiteReport", "build_site", "PAGE_BUDGET", "CARDS_PER_PAGE"]

MARKER = ".techwatch-site.json"
CARDS_PER_PAGE = 100
TERM_PAGE_LIMIT = 300
INDEX_SPLIT = 1500
RELATED_BUDGET = 800  # postings read per card when relating cards  # more names than this: the index gets one page per initial
PAGE_BUDGET = 512 * 1024  # bytes: no HTML page of the site may be larger
MANAGED = ("cards", "issues", "sources", "keywords", "themes", "trends", "topics", "reviews")


@dataclass
class SiteReport:
    """What a build did."""

    out: Path
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    skipped: int = 0
    removed: int = 0
    elapsed: float = 0.0
    largest: tuple[str, int] = ("", 0)
    counts: Counter[str] = field(default_factory=Counter)


class _Writer:
    """Writes files only when their bytes change; remembers every path it was given."""

    def __init__(self, out: Path, report: SiteReport, manifest: dict[str, str]) -> None:
        self.out = out
        self.report = report
        self.old = manifest
        self.new: dict[str, str] = {}
        self.seen: set[str] = set()
        self.env = environment()

    def unchanged(self, rel: str, key: str) -> bool:
        """True (and the page counted) when its inputs match the last build and it exists."""
        if self.old.get(rel) == key and (self.out / rel).is_file():
            self.seen.add(rel)
            self.new[rel] = key
            self.report.pages += 1
            self.report.skipped += 1
            return True
        return False

    def page(self, rel: str, template: str, key: str | None = None, **ctx: Any) -> None:
        if key is not None and self.unchanged(rel, key):
            return
        depth = rel.count("/")
        ctx.setdefault("u", SiteUrls(depth))
        ctx.setdefault("features", {})
        text = self.env.get_template(template).render(**ctx)
        self.write(rel, text.encode("utf-8"))
        if key is not None:
            self.new[rel] = key
        self.report.pages += 1
        if len(text) > self.report.largest[1]:
            self.report.largest = (rel, len(text))

    def write(self, rel: str, data: bytes) -> None:
        self.seen.add(rel)
        path = self.out / rel
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            self.report.unchanged += 1
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        self.report.written += 1


def _key(*parts: Any) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _brief(c: CardView) -> list[Any]:
    """What a card list shows of a card (the key of list pages)."""
    return [c.id, c.title, c.date, c.card.category, c.card.type, c.card.summary[:240]]


def _related_map(cards: list[CardView], limit: int = 6) -> dict[str, list[str]]:
    """Related cards by shared keywords and themes, rarest terms first.

    Work per card is bounded (RELATED_BUDGET postings), so the cost grows linearly with the
    corpus: a theme shared by thousands of cards adds little once rarer terms were counted.
    """
    postings: dict[str, list[int]] = defaultdict(list)
    terms = [sorted(set(c.card.keywords) | set(c.card.themes)) for c in cards]
    for i, ts in enumerate(terms):
        for term in ts:
            postings[term].append(i)
    out: dict[str, list[str]] = {}
    for i, card in enumerate(cards):
        found: list[int] = []
        budget = RELATED_BUDGET
        for term in sorted(terms[i], key=lambda term: len(postings[term])):
            post = postings[term]
            if len(post) < 2:
                continue
            found.extend(post[:budget])
            budget -= len(post)
            if budget <= 0:
                break
        counts = Counter(found)  # shared terms per card; ties keep the rarer terms' cards first
        counts.pop(i, None)
        out[card.id] = [cards[j].id for j, _ in counts.most_common(limit)]
    return out


def _copy_static(writer: _Writer) -> None:
    root = resources.files("techwatch.web") / "static"
    stack = [(root, "static")]
    while stack:
        folder, rel = stack.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                stack.append((entry, f"{rel}/{entry.name}"))
            elif entry.name.endswith((".js", ".css", ".txt", ".svg")):
                writer.write(f"{rel}/{entry.name}", entry.read_bytes())


def _search_index(cards: list[CardView]) -> bytes:
    docs = [
        {
            "id": c.id,
            "t": c.title,
            "k": " ".join(c.card.keywords + c.card.themes),
            "s": c.card.summary[:200],
            "d": c.date,
            "c": c.card.category,
        }
        for c in cards
    ]
    # JSON inside a script: escape "<" so "</script>" in a title cannot end the script.
    payload = json.dumps(docs, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return ("window.TECHWATCH_INDEX=" + payload + ";\n").encode("utf-8")


def _stories(ws: Workspace) -> dict[str, list[str]]:
    """Issue date -> [title, markdown, model] of its story (one per issue: the latest)."""
    from sqlalchemy.exc import SQLAlchemyError

    from techwatch.outputs.records import list_stories

    try:
        rows = list_stories(ws.store)
    except SQLAlchemyError:  # a store without the outputs tables
        return {}
    return {r["issue_date"]: [r["title"], r["text"], r["model"]] for r in rows}


def _story_view(story: list[str] | None) -> dict[str, Any] | None:
    """A story for the issue page: the model's markdown made inert (raw HTML shown as text)."""
    if story is None:
        return None
    from techwatch.web.render import markdown

    title, text, model = story
    return {"title": title, "html": markdown(text), "model": model}


def build_site(
    ws: Workspace, out: Path | str | None = None, progress: Progress | None = None
) -> SiteReport:
    """Build (or refresh) the static site in `out` (default: the workspace's `site/`)."""
    started = time.perf_counter()
    progress = progress or NoProgress()
    out = Path(out) if out else ws.root / ws.settings.web.site_out
    out.mkdir(parents=True, exist_ok=True)
    marker = out / MARKER
    manifest: dict[str, str] = {}
    if marker.is_file():
        try:
            manifest = json.loads(marker.read_text(encoding="utf-8")).get("pages", {})
        except (ValueError, OSError):
            manifest = {}
    elif any(out.iterdir()):
        raise ValueError(
            f"{out} is not empty and was not built by techwatch: choose an empty folder"
        )
    report = SiteReport(out=out)
    w = _Writer(out, report, manifest)
    data = WebData(ws)
    cards = data.cards()
    extras = features.collect(ws)
    feats = extras.flags()
    progress.start("site", len(cards))

    _copy_static(w)
    issues = data.issues(cards)
    sources = data.sources()
    w.page(
        "index.html",
        "home.html",
        title="Home",
        latest=cards[:20],
        total=len(cards),
        issues=len(issues),
        trends=extras.emerging[:10],
        review=extras.reviews[0] if extras.reviews else None,
        topics=extras.topics,
        features=feats,
    )
    # All cards, paginated.
    pages = max(1, -(-len(cards) // CARDS_PER_PAGE))
    for n in range(1, pages + 1):
        chunk = cards[(n - 1) * CARDS_PER_PAGE : n * CARDS_PER_PAGE]
        rel = "cards/index.html" if n == 1 else f"cards/page-{n}.html"
        w.page(
            rel,
            "cards.html",
            key=_key("cards", n, pages, feats, [_brief(c) for c in chunk]),
            title="All cards",
            cards=chunk,
            page=n,
            pages=pages,
            features=feats,
            empty="No cards yet: add a source and run `techwatch run`.",
        )
    # One page per card.
    related = _related_map(cards)
    by_id = {c.id: c for c in cards}
    for card in cards:
        rel_cards = [by_id[i] for i in related.get(card.id, [])]
        w.page(
            f"cards/{card.id}.html",
            "card.html",
            key=_key(
                "card",
                feats,
                card.card.model_dump(mode="json"),
                [card.url, card.date, card.origin_title, card.origin_url, card.source_id],
                [_brief(c) for c in rel_cards],
            ),
            title=card.title,
            c=card,
            related=rel_cards,
            features=feats,
        )
        progress.advance("ok")
    # Issues, each with its stored story (outputs: `techwatch story`), when there is one.
    w.page("issues/index.html", "issues.html", title="Issues", issues=issues, features=feats)
    stories = _stories(ws)
    for issue in issues:
        story = stories.get(issue.date)
        w.page(
            f"issues/{issue.slug}.html",
            "cards.html",
            key=_key(
                "issue", feats, issue.title, issue.url, [_brief(c) for c in issue.cards], story
            ),
            story=_story_view(story),
            title=issue.title,
            intro=f"{len(issue.cards)} cards" + (f", {issue.date}" if issue.date else ""),
            external=_safe(issue.url),
            cards=issue.cards,
            features=feats,
            empty="No cards from this issue yet.",
        )
    # Sources.
    w.page("sources/index.html", "sources.html", title="Sources", sources=sources, features=feats)
    by_source: dict[int, list[CardView]] = defaultdict(list)
    for c in cards:
        if c.source_id is not None:
            by_source[c.source_id].append(c)
    for source in sources:
        w.page(
            f"sources/{source['id']}.html",
            "source.html",
            title=source["title"] or source["location"],
            source=source,
            cards=by_source.get(source["id"], [])[:TERM_PAGE_LIMIT],
            features=feats,
        )
    # Keyword and theme indexes.
    for kind, section, label in (
        ("keyword", "keywords", "Keywords"),
        ("theme", "themes", "Themes"),
    ):
        names = data.item_counts(kind)
        u = SiteUrls(1)
        link = u.keyword if kind == "keyword" else u.theme
        groups = group_by_letter(names)
        if len(names) <= INDEX_SPLIT:
            w.page(
                f"{section}/index.html",
                "index_list.html",
                key=_key(section, feats, names),
                title=label,
                groups=groups,
                link=link,
                features=feats,
                empty=f"No {section} yet: they come with the cards.",
            )
        else:  # one page per initial, so no index page outgrows the budget
            letters = [(k, f"letter-{i}.html", len(v)) for i, (k, v) in enumerate(groups.items())]
            w.page(
                f"{section}/index.html",
                "index_list.html",
                key=_key(section, feats, letters, names[:100]),
                title=label,
                groups={"Most used": names[:100]},
                letters=letters,
                link=link,
                features=feats,
            )
            for (letter, href, _count), group in zip(letters, groups.values(), strict=True):
                w.page(
                    f"{section}/{href}",
                    "index_list.html",
                    key=_key(section, feats, letter, group),
                    title=f"{label}: {letter}",
                    groups={letter: group},
                    link=link,
                    features=feats,
                )
        members: dict[str, list[CardView]] = defaultdict(list)
        for c in cards:
            for name in set(c.card.keywords if kind == "keyword" else c.card.themes):
                members[name].append(c)
        for name, _n in names:
            group = members.get(name, [])
            shown = group[:TERM_PAGE_LIMIT]
            more = len(group) - len(shown)
            w.page(
                link(name)[len(u.root) :],
                "cards.html",
                key=_key(kind, feats, name, len(group), [_brief(c) for c in shown]),
                title=f"{label[:-1]}: {name}",
                intro=f"{len(group)} cards"
                + (f"; the {len(shown)} newest are listed, search finds the rest" if more else ""),
                cards=shown,
                features=feats,
                empty="No cards.",
            )
    # Search and feed.
    w.page(
        "search.html",
        "search_static.html",
        title="Search",
        total=len(cards),
        categories=sorted({c.card.category for c in cards if c.card.category}),
        features=feats,
    )
    w.write("search-index.js", _search_index(cards))
    w.page(
        "feed.atom",
        "feed.atom",
        cards=cards[:50],
        reviews=extras.reviews[:10],
        updated=_updated(cards),
    )
    extras.write_site(w, ws)
    report.removed = _remove_stale(out, w.seen)
    state = json.dumps({"generator": "techwatch", "pages": w.new}, sort_keys=True)
    if not marker.is_file() or marker.read_text(encoding="utf-8") != state:
        marker.write_text(state, encoding="utf-8")
    progress.finish()
    report.elapsed = time.perf_counter() - started
    return report


def _safe(url: str) -> str:
    from techwatch.web.render import safe_url

    return safe_url(url)


def _updated(cards: list[CardView]) -> str:
    dates = [c.updated for c in cards if c.updated]
    return max(dates) if dates else "1970-01-01T00:00:00+00:00"


def _remove_stale(out: Path, seen: set[str]) -> int:
    """Delete pages of a previous build that this build no longer has (cards removed)."""
    removed = 0
    for section in MANAGED:
        folder = out / section
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in (".html", ".svg", ".png"):
                rel = path.relative_to(out).as_posix()
                if rel not in seen:
                    path.unlink()
                    removed += 1
    return removed
