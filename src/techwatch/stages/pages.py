"""The pages stage: one markdown page per card in the reference format, and an index."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from techwatch.card import Card
from techwatch.publish.index import IndexEntry, render_index
from techwatch.publish.markdown import PageMeta, page_filename, render_page
from techwatch.stages.context import StageContext

INDEX_FILE = "index.md"


@dataclass
class PagesReport:
    out: Path
    written: int = 0
    unchanged: int = 0
    files: list[Path] = field(default_factory=list)


def origin_label(date: str) -> str:
    """The issue label shown in a page header: the issue date as YYYYMMDD."""
    return date.replace("-", "") if date else "undated"


def page_meta(row: dict[str, Any]) -> tuple[PageMeta, list[tuple[str, str]]]:
    """Header data of a card's page: as imported, or from its article."""
    stored = row.get("meta") or {}
    if stored.get("page"):
        page = dict(stored["page"])
        closest = [tuple(pair) for pair in stored.get("closest", [])]
        return PageMeta(**page), closest  # type: ignore[arg-type]
    card = row.get("card") or {}
    meta = PageMeta(
        title=card.get("title") or row.get("article_title") or row["url"],
        url=row["url"],
        origin_label=origin_label(row.get("origin_date") or row.get("published") or ""),
        origin_url=row.get("origin_url") or row["url"],
    )
    return meta, []


def render_card_page(row: dict[str, Any]) -> str:
    meta, closest = page_meta(row)
    return render_page(Card.model_validate(row["card"]), meta, closest or None)


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
    _write_if_changed(out / INDEX_FILE, render_index(entries), report)
    ctx.progress.finish()
    return report


def _write_if_changed(path: Path, text: str, report: PagesReport) -> None:
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        report.unchanged += 1
        return
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    report.written += 1
    report.files.append(path)
