"""The pages stage: one markdown page per card in the reference format, and an index."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from techwatch.outputs.stories import story_pages
from techwatch.publish.card_page import page_meta, render_card_page
from techwatch.publish.index import IndexEntry, render_index
from techwatch.publish.markdown import page_filename
from techwatch.publish.trends import trend_pages
from techwatch.stages.context import StageContext

INDEX_FILE = "index.md"


@dataclass
class PagesReport:
    out: Path
    written: int = 0
    unchanged: int = 0
    files: list[Path] = field(default_factory=list)


def write_pages(ctx: StageContext, out: Path | None = None) -> PagesReport:
    """Write pages whose content changed (reruns touch nothing), then the index."""
    out = Path(out) if out else ctx.root / ctx.settings.pages.out
    out.mkdir(parents=True, exist_ok=True)
    report = PagesReport(out=out)
    entries: list[IndexEntry] = []
    rows = ctx.store.list_cards(status="ok")
    ctx.progress.start("pages", len(rows))
    for row in rows:
        meta, _ = page_meta(row)
        path = out / page_filename(row["article_id"])
        _write_if_changed(path, render_card_page(row), report)
        card = row["card"] or {}
        entries.append(
            IndexEntry(
                article_id=row["article_id"],
                title=meta.title,
                url=meta.url,
                origin_label=meta.origin_label,
                origin_url=meta.origin_url,
                origin_date=row.get("origin_date") or "",
                category=card.get("category", ""),
            )
        )
        ctx.progress.advance("ok")
    stories = {}  # outputs: each stored story gets a page, linked from its issue
    for day, title, filename, text in story_pages(ctx.store):
        _write_if_changed(out / filename, text, report)
        stories[day] = (title, filename)
    links = []  # trends: trend lists and pages, topic pages, reviews (stored trends only)
    for extra in trend_pages(ctx.store, ctx.settings, ctx.root):
        (out / extra.path).parent.mkdir(parents=True, exist_ok=True)
        _write_if_changed(out / extra.path, extra.text, report)
        if extra.listed:
            links.append((extra.title, extra.path))
    _write_if_changed(out / INDEX_FILE, render_index(entries, stories=stories, links=links), report)
    ctx.progress.finish()
    return report


def _write_if_changed(path: Path, text: str, report: PagesReport) -> None:
    """Write atomically: a unique temporary file in the same folder, then os.replace, so
    two concurrent writers never share (and delete) one another's temporary file."""
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        report.unchanged += 1
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; pages are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    report.written += 1
    report.files.append(path)
