"""`techwatch embed` and `techwatch search`: the retrieval commands (thin)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.text import Text


def register(app: typer.Typer) -> None:
    from techwatch.cli import RichProgress, _fail, _workspace, console
    from techwatch.embed import EmbedderError

    @app.command()
    def embed(
        refit: Annotated[
            bool, typer.Option("--refit", help="Fit the TF-IDF model again on the corpus now.")
        ] = False,
    ) -> None:
        """Embed every card and item that has no vector for the configured model."""
        with _workspace() as ws:
            try:
                report = ws.embed(refit=refit, progress=RichProgress())
            except EmbedderError as exc:
                _fail(exc, 2)
        console.print(
            f"embedded {report.embedded_cards} of {report.cards} cards and "
            f"{report.embedded_items} of {report.items} items with {escape(report.model_id)} "
            f"({report.dim} dimensions{', refitted' if report.refitted else ''}) "
            f"in {report.elapsed:.1f}s"
        )

    @app.command()
    def search(
        query: Annotated[str, typer.Argument(help="What to look for, in your own words.")],
        items: Annotated[
            bool, typer.Option("--items", help="Search card items (signals, concerns...).")
        ] = False,
        kind: Annotated[
            list[str] | None,
            typer.Option(
                "--kind", help="With --items: signal, concern, behavior, technology, issue."
            ),
        ] = None,
        since: Annotated[str | None, typer.Option(help="From this date (YYYY[-MM[-DD]]).")] = None,
        until: Annotated[str | None, typer.Option(help="Up to this date, inclusive.")] = None,
        category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
        type_: Annotated[str | None, typer.Option("--type", help="Only this type.")] = None,
        source: Annotated[
            str | None, typer.Option(help="A source id, location or title (and its children).")
        ] = None,
        issue: Annotated[
            str | None, typer.Option(help="The newsletter issue: its URL or its date.")
        ] = None,
        limit: Annotated[int, typer.Option("--limit", "-k", help="How many results.")] = 20,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    ) -> None:
        """Hybrid search (full text and vectors, fused) over cards or their items."""
        with _workspace() as ws:
            try:
                hits = ws.search(
                    query,
                    scope="items" if items or kind else "cards",
                    k=limit,
                    since=since,
                    until=until,
                    category=category,
                    type=type_,
                    source=source,
                    issue=issue,
                    kinds=tuple(kind) if kind else None,
                )
            except EmbedderError as exc:
                _fail(exc, 2)
        if as_json:
            for hit in hits:
                sys.stdout.write(json.dumps(hit.to_dict(), ensure_ascii=False) + "\n")
            return
        if not hits:
            console.print("nothing found")
            return
        for n, hit in enumerate(hits, start=1):
            what = hit.title if hit.item_id is None else f"[{hit.item_kind}] {hit.item_name}"
            line = Text.assemble(
                (f"{n:>2}. ", "bold"),
                (f"{hit.score:.4f} ", "cyan"),
                (f"{hit.date or '----------'} ", "dim"),
                what,
                ("  " + _why(hit), "dim"),
            )
            console.print(line)
            if hit.item_id is not None:
                console.print(Text(f"    in {hit.title}", style="dim"))
            console.print(Text(f"    {hit.url}  ({hit.card_id[:10]})", style="dim"))


def _why(hit: object) -> str:
    parts = []
    bm25_rank = getattr(hit, "bm25_rank", None)
    vector_rank = getattr(hit, "vector_rank", None)
    cosine = getattr(hit, "cosine", None)
    if bm25_rank:
        parts.append(f"text #{bm25_rank}")
    if vector_rank:
        parts.append(f"meaning #{vector_rank}")
    if cosine is not None:
        parts.append(f"cos {cosine:.2f}")
    return ", ".join(parts)
