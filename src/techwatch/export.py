"""Exports of articles and cards as JSON Lines, CSV or markdown."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
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


def export_articles(store: Store, fmt: str, out: TextIO) -> int:
    if fmt not in ("jsonl", "csv"):
        raise ExportError("articles export as jsonl or csv")
    return write_rows(article_rows(store), ARTICLE_FIELDS, fmt, out)


def export_cards(store: Store, fmt: str, out: TextIO) -> int:
    if fmt == "md":
        from techwatch.stages.pages import render_card_page

        count = 0
        for row in store.list_cards(status="ok"):
            if count:
                out.write("\n\n---\n\n")
            out.write(render_card_page(row))
            count += 1
        return count
    return write_rows(card_rows(store), CARD_META_FIELDS + CARD_FIELDS, fmt, out)


def _csv_cell(value: Any) -> Any:
    """Lists of strings as '; '-joined text, nested data as JSON, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return "; ".join(value)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value
