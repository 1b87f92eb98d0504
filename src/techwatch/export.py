"""Exports of articles and cards as JSON Lines, CSV or markdown."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from techwatch.card import Card
from techwatch.store.store import Store

ARTICLE_FIELDS = (
    "id",
    "url",
    "urls",
    "status",
    "reason",
    "origin",
    "origin_kind",
    "origin_title",
    "origin_date",
    "title",
    "author",
    "published",
    "published_from",
    "language",
    "duplicate_of",
    "content_hash",
    "text",
)
CARD_META_FIELDS = (
    "id",
    "url",
    "status",
    "analyzer",
    "model",
    "prompt_version",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "origin_date",
)
# Card columns come from the Card model itself, so a new field is exported everywhere.
CARD_FIELDS = tuple(Card.model_fields)
FORMATS = ("jsonl", "csv", "md")
ARTICLE_FORMATS = ("jsonl", "csv")
CARD_FORMATS = FORMATS
# Cells a spreadsheet would run as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ValueError):
    pass


def article_rows(store: Store) -> Iterator[dict[str, Any]]:
    urls = store.urls_by_article()
    for row in store.list_articles():
        yield {
            **{k: row.get(k) for k in ARTICLE_FIELDS if k in row},
            "urls": urls.get(row["id"], []),
            "origin": row["origin_url"],
            "duplicate_of": row["duplicate_of"] or "",
            "content_hash": row["content_hash"] or "",
        }


def card_rows(store: Store) -> Iterator[dict[str, Any]]:
    for row in store.list_cards(status="ok"):
        card = Card.model_validate(row["card"]).model_dump(mode="json")
        meta = {k: row.get(k) for k in CARD_META_FIELDS if k in row}
        meta["id"] = row["article_id"]
        yield {**meta, **card}


def write_rows(
    rows: Iterator[dict[str, Any]], fields: tuple[str, ...], fmt: str, out: TextIO
) -> int:
    count = 0
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps({k: row.get(k) for k in fields}, ensure_ascii=False, default=str))
            out.write("\n")
            count += 1
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(fields), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_cell(row.get(k)) for k in fields})
            count += 1
    else:
        raise ExportError(f"unknown format {fmt!r}")
    return count


Output = TextIO | Path | str


def check_format(fmt: str, allowed: tuple[str, ...], what: str) -> None:
    if fmt not in allowed:
        raise ExportError(f"unknown format {fmt!r}: {what} export as {', '.join(allowed)}")


def to_output(out: Output, write: Callable[[TextIO], int]) -> int:
    """Write to an open file, or to a path atomically: a temporary file in the same folder
    replaces the path only once the export succeeded (a failed export keeps the old file)."""
    if not isinstance(out, str | Path):
        return write(out)
    path = Path(out)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            count = write(fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return count


def export_articles(store: Store, fmt: str, out: Output) -> int:
    check_format(fmt, ARTICLE_FORMATS, "articles")
    return to_output(out, lambda fh: write_rows(article_rows(store), ARTICLE_FIELDS, fmt, fh))


def export_cards(store: Store, fmt: str, out: Output) -> int:
    check_format(fmt, CARD_FORMATS, "cards")
    return to_output(out, lambda fh: _write_cards(store, fmt, fh))


def _write_cards(store: Store, fmt: str, out: TextIO) -> int:
    if fmt == "md":
        from techwatch.publish.card_page import render_card_page

        count = 0
        for row in store.list_cards(status="ok"):
            if count:
                out.write("\n\n---\n\n")
            out.write(render_card_page(row))
            count += 1
        return count
    return write_rows(card_rows(store), CARD_META_FIELDS + CARD_FIELDS, fmt, out)


def _csv_cell(value: Any) -> Any:
    """Lists of strings as '; '-joined text, nested data as JSON, None as empty; text that a
    spreadsheet would run as a formula is neutralised."""
    if value is None:
        return ""
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return neutralise_formula("; ".join(value))
        return neutralise_formula(json.dumps(value, ensure_ascii=False))
    if isinstance(value, dict):
        return neutralise_formula(json.dumps(value, ensure_ascii=False))
    if isinstance(value, str):
        return neutralise_formula(value)
    return value


def neutralise_formula(text: str) -> str:
    """Prefix a `'` to a cell starting with = + - @ tab or CR (OWASP CSV injection advice),
    so spreadsheets show it as text instead of evaluating it."""
    return "'" + text if text.startswith(_FORMULA_START) else text
