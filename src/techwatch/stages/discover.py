"""Discovery: read a source (issue, archive, feed, OPML, URL list, folder, file) into articles."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from techwatch.fetch.cache import BodyHashes
from techwatch.fetch.client import Fetcher, FetchResult
from techwatch.fetch.decode import decode
from techwatch.sources.archive import (
    parse_archive,
    parse_substack_archive_api,
    substack_archive_api,
)
from techwatch.sources.feeds import FeedError, parse_feed, parse_opml
from techwatch.sources.files import (
    display_name,
    file_date,
    is_local,
    local_path,
    read_local,
    scan_folder,
)
from techwatch.sources.model import Discovery, Link, Origin
from techwatch.sources.newsletter import parse_issue
from techwatch.sources.urllist import parse_url_list
from techwatch.sources.urls import canonicalize, file_url
from techwatch.stages.context import StageContext
from techwatch.store.store import NewArticle, now

# When a URL is found again, the newsletter issue that cited it is the better origin.
ORIGIN_RANK = {"newsletter": 3, "feed": 2, "archive": 2, "urllist": 1, "folder": 1, "file": 1}
MAX_ARCHIVE_API_PAGES = 40


@dataclass
class DiscoverReport:
    source_id: int
    kind: str
    status: str = "ok"
    reason: str = ""
    found: int = 0
    new: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    sources_added: int = 0


RECORD_CHUNK = 500  # links per transaction: few commits, short write locks


def record(ctx: StageContext, source_id: int, discovery: Discovery, report: DiscoverReport) -> None:
    """Store every link of a discovery as an article (one per canonical URL).

    URLs already recorded are looked up in bulk and left alone unless this origin ranks
    higher; new ones are written in transactions of RECORD_CHUNK links.
    """
    origin = discovery.origin
    store = ctx.store
    links = [
        (link, canonicalize(link.url) if link.url.startswith(("http", "file")) else link.url)
        for link in discovery.links
    ]
    known = store.known_urls(list({u for link, url in links for u in (url, link.url)}))
    rank = ORIGIN_RANK.get(origin.kind, 0)
    for start in range(0, len(links), RECORD_CHUNK):
        with store.transaction():
            for link, url in links[start : start + RECORD_CHUNK]:
                _record_link(ctx, source_id, origin, link, url, known, rank, report)
    for what, why in discovery.skipped:
        report.skipped.append((what, why))
        ctx.log.info("source %s skipped %s: %s", source_id, what, why)


def _record_link(
    ctx: StageContext,
    source_id: int,
    origin: Origin,
    link: Link,
    url: str,
    aliases: dict[str, tuple[str, str]],
    rank: int,
    report: DiscoverReport,
) -> None:
    store = ctx.store
    report.found += 1
    known = aliases.get(url)
    if known is not None and rank <= ORIGIN_RANK.get(known[1], 0) and link.url in aliases:
        return  # seen before (as given, too), from as good an origin: nothing to write
    article_id, created = store.discover(
        NewArticle(
            url=url,
            source_id=source_id,
            origin_kind=origin.kind,
            origin_url=origin.url,
            origin_title=origin.title,
            origin_date=origin.date,
            link_text=link.text[:500],
            title=link.title[:500],
            author=link.author[:200],
            published=link.published,
            published_from="feed" if link.published else "",
        )
    )
    if link.url != url:
        store.add_url(article_id, link.url)
    if created:
        report.new += 1
        return
    existing = store.get_article(article_id)
    if existing and rank > ORIGIN_RANK.get(existing["origin_kind"], 0):
        store.save_article(
            article_id,
            source_id=source_id,
            origin_kind=origin.kind,
            origin_url=origin.url,
            origin_title=origin.title,
            origin_date=origin.date,
            link_text=link.text[:500] or existing["link_text"],
        )


async def _get(ctx: StageContext, fetcher: Fetcher, url: str, source: dict) -> FetchResult:
    return await fetcher.fetch(
        url, etag=source.get("etag"), last_modified=source.get("last_modified")
    )


def _text(result: FetchResult) -> str:
    return decode(result.content or b"", result.charset)[0]


async def discover_source(
    ctx: StageContext, fetcher: Fetcher, source: dict, *, done: set[int] | None = None
) -> DiscoverReport:
    """Read one source and record what it links to. Never raises for a bad source.

    `done` holds the ids of sources already read in this run: a feed listed in an OPML
    file (or added twice) is read once per run, however it is reached.
    """
    done = set() if done is None else done
    done.add(source["id"])
    report = DiscoverReport(source_id=source["id"], kind=source["kind"])
    try:
        await _discover(ctx, fetcher, source, report, done)
    except Exception as exc:  # a broken source must not stop the run
        report.status, report.reason = "failed", f"{type(exc).__name__}: {exc}"
    ctx.store.update_source(
        source["id"],
        status=report.status,
        reason=report.reason,
        checked_at=now(),
        links_found=report.found if report.status == "ok" else source.get("links_found", 0),
    )
    if report.status != "ok":
        ctx.log.warning(
            "source %s %s %s: %s", source["id"], source["location"], report.status, report.reason
        )
    return report


async def _discover(
    ctx: StageContext, fetcher: Fetcher, source: dict, report: DiscoverReport, done: set[int]
) -> None:
    kind, location = source["kind"], source["location"]
    max_bytes = ctx.settings.fetch.max_bytes
    if kind == "folder":
        files, skipped = scan_folder(local_path(location))
        folder = local_path(location)
        origin = Origin(
            kind="folder", url=file_url(folder.resolve()), title=display_name(folder.name)
        )
        links = [Link(url=file_url(p.resolve()), text=display_name(p.name)) for p in files]
        discovery = Discovery(origin=origin, links=links, skipped=list(skipped))
        record(ctx, source["id"], discovery, report)
        return
    if kind == "file":
        path = local_path(location).resolve()
        name = display_name(path.name)
        origin = Origin(kind="file", url=file_url(path), title=name, date=file_date(path))
        discovery = Discovery(origin=origin, links=[Link(url=file_url(path), text=name)])
        record(ctx, source["id"], discovery, report)
        return
    if kind == "article":  # one URL to read as an article (a bookmark), not harvested
        origin = Origin(kind="urllist", url=location, title=source.get("title") or "")
        record(ctx, source["id"], Discovery(origin=origin, links=[Link(url=location)]), report)
        return

    # Everything else is read from a local file or fetched.
    if is_local(location):
        path = local_path(location).resolve()
        content = read_local(path, max_bytes)
        url, charset, result = file_url(path), None, None
    else:
        result = await _get(ctx, fetcher, location, source)
        if result.outcome == "not_modified":
            report.reason = "not modified"
            return
        if result.outcome != "ok":
            report.status, report.reason = result.outcome, result.reason
            return
        content, url, charset = result.content or b"", result.final_url, result.charset
        if kind == "feed" and source["status"] == "ok" and _unchanged(ctx, location, content):
            # No validators, or a server that ignores them: the same bytes need no parse
            # (a 100,000-item feed costs seconds to parse and record).
            report.reason = "not modified (same content)"
            return
    text = decode(content, charset)[0]

    if kind == "newsletter":
        name = local_path(location).name if is_local(location) else None
        discovery = parse_issue(text, url, filename=name)
        _set_source_origin(ctx, source, discovery.origin)
        record(ctx, source["id"], discovery, report)
    elif kind == "feed":
        try:
            discovery = parse_feed(content, url)
        except FeedError as exc:
            report.status, report.reason = "failed", f"feed: {exc}"
            return
        if not discovery.links and discovery.skipped:
            # A broken feed that yielded nothing usable is a failure, not an empty feed.
            report.status = "failed"
            report.reason = "feed: " + "; ".join(why for _, why in discovery.skipped[:3])
            return
        if result is not None:
            ctx.store.update_source(
                source["id"],
                etag=result.headers.get("etag"),
                last_modified=result.headers.get("last-modified"),
            )
        _set_source_origin(ctx, source, discovery.origin)
        record(ctx, source["id"], discovery, report)
        if result is not None:
            _body_hashes(ctx).put(location, content)  # only once every link is recorded
    elif kind == "urllist":
        discovery = parse_url_list(text)
        discovery.origin.kind = "urllist"
        discovery.origin.url = discovery.origin.url or url
        discovery.origin.title = discovery.origin.title or Path(urlparse(url).path).name
        record(ctx, source["id"], discovery, report)
    elif kind == "opml":
        for feed_url, title in parse_opml(content):
            await _child(ctx, fetcher, source, "feed", feed_url, title, report, done)
    elif kind == "archive":
        for issue_url in await _archive_issues(ctx, fetcher, location, text, url, report):
            await _child(ctx, fetcher, source, "newsletter", issue_url, "", report, done)
    else:
        report.status, report.reason = "failed", f"unknown source kind {kind!r}"


async def _archive_issues(
    ctx: StageContext,
    fetcher: Fetcher,
    location: str,
    text: str,
    url: str,
    report: DiscoverReport,
) -> list[str]:
    """Issue pages of an archive: from its HTML, or from the Substack archive API."""
    issues = list(parse_archive(text, url).next_pages)
    api = substack_archive_api(location) if not is_local(location) else None
    pages = 0
    while api and pages < MAX_ARCHIVE_API_PAGES:
        pages += 1
        result = await fetcher.fetch(api)
        if result.outcome != "ok":
            if not issues:
                report.skipped.append((api, f"archive API: {result.reason}"))
            break
        found, api = parse_substack_archive_api(result.content or b"", api)
        issues.extend(u for u in found if u not in issues)
    return issues


async def _child(
    ctx: StageContext,
    fetcher: Fetcher,
    parent: dict,
    kind: str,
    location: str,
    title: str,
    report: DiscoverReport,
    done: set[int],
) -> None:
    """A source found inside another (a feed in an OPML file, an issue in an archive)."""
    child_id, created = ctx.store.add_source(kind, location, title=title, parent_id=parent["id"])
    child = ctx.store.get_source(child_id)
    if child is None:
        return
    if created:
        report.sources_added += 1
    # Issues do not change once published: harvest each once. Feeds are refreshed.
    if kind == "newsletter" and child["status"] == "ok":
        return
    if child_id in done:  # already read in this run (listed twice, or also added alone)
        return
    sub = await discover_source(ctx, fetcher, child, done=done)
    report.found += sub.found
    report.new += sub.new
    report.skipped.extend(sub.skipped)
    if sub.status != "ok":
        report.skipped.append((location, f"{sub.status}: {sub.reason}"))


def _set_source_origin(ctx: StageContext, source: dict, origin: Origin) -> None:
    values = {}
    if origin.title and not source.get("title"):
        values["title"] = origin.title
    if origin.date and not source.get("origin_date"):
        values["origin_date"] = origin.date
    if values:
        ctx.store.update_source(source["id"], **values)


def _body_hashes(ctx: StageContext) -> BodyHashes:
    return BodyHashes(ctx.root / "cache" / "sources")


def _unchanged(ctx: StageContext, location: str, content: bytes) -> bool:
    """Whether a fetched source's body is byte for byte the last one fully recorded."""
    return _body_hashes(ctx).same(location, content)
