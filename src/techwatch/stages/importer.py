"""Import of pages in the reference format (and its older variants) into cards."""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path

from techwatch.progress import StageReport
from techwatch.publish.markdown import PageFormatError, parse_page
from techwatch.sources.files import read_local
from techwatch.sources.urls import canonicalize, find_date_slug
from techwatch.stages.context import StageContext
from techwatch.store.store import NewArticle

_ID = re.compile(r"[0-9a-f]{32}")


def import_pages(ctx: StageContext, folder: Path) -> StageReport:
    """Read every `*.md` page of a folder into a card; importing twice changes nothing.

    The article is found by its URL (so a page for an article already fetched joins it),
    else created with status `imported`, keeping the page's id when its file name is one.
    """
    report = StageReport(stage="import")
    paths = sorted(p for p in Path(folder).glob("*.md") if p.name != "index.md")
    ctx.progress.start("import", len(paths))
    for path in paths:
        status = _import_one(ctx, path, report)
        report.counts[status] += 1
        ctx.progress.advance(status)
    ctx.progress.finish()
    return report


def _import_one(ctx: StageContext, path: Path, report: StageReport) -> str:
    store = ctx.store
    try:
        # Regular files only, size-capped: a FIFO named x.md would block, /dev/zero fill memory.
        content = read_local(path, ctx.settings.fetch.max_bytes)
        parsed = parse_page(content.decode("utf-8", errors="replace"))
    except (PageFormatError, OSError, ValueError) as exc:
        ctx.log.warning("import %s failed: %s", path, exc)
        report.errors.append(f"{path.name}: {exc}")
        return "failed"
    meta = parsed.meta
    raw_url = meta.url.strip()
    url = canonicalize(raw_url) if raw_url.startswith("http") else raw_url or f"page:{path.stem}"
    existing = store.article_by_url(url)
    if existing:
        article_id = existing["id"]
    else:
        wanted = path.stem if _ID.fullmatch(path.stem) else None
        article_id, _ = store.discover(
            NewArticle(
                url=url,
                origin_kind="newsletter",
                origin_url=meta.origin_url,
                origin_date=find_date_slug(meta.origin_label),
                title=meta.title,
            ),
            article_id=wanted,
        )
        store.save_article(article_id, status="imported", reason=f"imported from {path.name}")
    if raw_url and raw_url != url:
        store.add_url(article_id, raw_url)
    stored_meta = {"page": asdict(meta), "closest": [list(p) for p in parsed.closest]}
    previous = store.get_card(article_id)
    card_json = parsed.card.model_dump(mode="json")
    if previous and previous["card"] == card_json and previous["meta"] == stored_meta:
        return "unchanged"
    store.save_card(
        article_id,
        status="ok",
        card=parsed.card,
        provenance={"analyzer": "import", "model": f"page:{parsed.format}"},
        meta=stored_meta,
        keep_existing_ok=False,
    )
    for warning in parsed.warnings:
        ctx.log.info("import %s: %s", path.name, warning)
    return "imported"
