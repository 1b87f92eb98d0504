"""`techwatch trends`, `techwatch topic` and `techwatch review` (thin: parse, call, print)."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

FORMATS = ("table", "jsonl", "md")


def _date(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=flag) from None


def slug(text: str, limit: int = 60) -> str:
    """A file name from free text: lower-case letters, digits and dashes only."""
    value = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:limit].strip("-")
    return value or "topic"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def register(app: typer.Typer) -> None:
    from techwatch.cli import _fail, _workspace, console
    from techwatch.embed import EmbedderError

    @app.command()
    def trends(
        kind: Annotated[
            str,
            typer.Option(help="signals, technologies, concerns, behaviors, issues or keywords."),
        ] = "signals",
        period: Annotated[
            str | None,
            typer.Option(help="week, month, quarter or year (default: the trends.period setting)."),
        ] = None,
        as_of: Annotated[
            str | None,
            typer.Option("--as-of", help="Only what was known on this date (YYYY-MM-DD)."),
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="table, jsonl or md.")] = "table",
        limit: Annotated[int, typer.Option("--limit", "-n", help="Rows per list.")] = 15,
        full: Annotated[
            bool, typer.Option("--full", help="Recluster everything (ids kept by overlap).")
        ] = False,
        no_update: Annotated[
            bool, typer.Option("--no-update", help="Use the stored trends as they are.")
        ] = False,
        charts: Annotated[
            Path | None,
            typer.Option(help="Also write the emergence map and timelines (SVG, PNG) here."),
        ] = None,
    ) -> None:
        """Emerging, strong and fading trends with every number behind their state."""
        if fmt not in FORMATS:
            raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
        day = _date(as_of, "--as-of")
        with _workspace() as ws:
            try:
                if full and kind != "keywords":
                    ws.update_trends(kinds=(kind,), full=True)
                report = ws.trend_report(kind, period=period, as_of=day, update=not no_update)
            except EmbedderError as exc:
                _fail(exc, 2)
        if charts is not None:
            from techwatch.publish.charts import emergence_map, timelines

            written = emergence_map(report, charts / f"emergence-{kind}-{report.period}")
            written += timelines(report, charts / f"timelines-{kind}-{report.period}")
            for path in written:
                print(f"wrote {path}", file=sys.stderr)
        if fmt == "jsonl":
            from techwatch.publish.trends import trend_json

            for tr in report.trends:
                sys.stdout.write(json.dumps(trend_json(tr), ensure_ascii=False) + "\n")
            if report.message:
                print(report.message, file=sys.stderr)
            return
        if fmt == "md":
            from techwatch.publish.trends import render_trends

            sys.stdout.write(render_trends(report, limit=limit))
            return
        _print_table(console, report, limit)

    @app.command()
    def topic(
        query: Annotated[str, typer.Argument(help="The topic, in your own words.")],
        out: Annotated[
            Path | None, typer.Option(help="Write the page in this folder (else print it).")
        ] = None,
        k: Annotated[int, typer.Option("--cards", "-k", help="How many cards at most.")] = 12,
    ) -> None:
        """A topic page: digest, top weak signals, items, card grid, links; all cited."""
        from techwatch.publish.topic import render_topic

        with _workspace() as ws:
            try:
                page = ws.topic(query, k=k)
            except EmbedderError as exc:
                _fail(exc, 2)
            if out is None:
                sys.stdout.write(render_topic(page))
                return
            path = out / f"topic-{slug(page.name)}.md"
            # The deck's grid of the topic's cards, next to the page (none without cards).
            grid = ws.card_grid([c.id for c in page.cards], path.with_suffix(".grid.png"))
        text = render_topic(page, grid_image=grid.name if grid else "")
        _write(path, text)
        console.print(f"{len(page.cards)} cards: wrote {escape(str(path))}")

    @app.command()
    def review(
        period: Annotated[str, typer.Option(help="week, month, quarter or year.")] = "month",
        on: Annotated[
            str | None,
            typer.Option("--date", help="A day in the period to review (default: latest card)."),
        ] = None,
        out: Annotated[
            Path | None, typer.Option(help="Write the page in this folder (else print it).")
        ] = None,
    ) -> None:
        """New, rising, fading and strongest trends of a period, against the one before."""
        from techwatch.publish.review import render_review

        day = _date(on, "--date")
        with _workspace() as ws:
            try:
                result = ws.review(period, day)
            except EmbedderError as exc:
                _fail(exc, 2)
        text = render_review(result)
        if out is None:
            sys.stdout.write(text)
            return
        path = out / f"review-{result.period}-{result.key}.md"
        _write(path, text)
        console.print(f"{len(result.trends)} trends: wrote {escape(str(path))}")


def _print_table(console, report, limit: int) -> None:  # type: ignore[no-untyped-def]
    from techwatch.publish.trends import STATE_TITLES, number
    from techwatch.publish.trends import curation_marks as marks

    title = f"{report.kind} by {report.period}"
    if report.as_of:
        title += f", as known on {report.as_of.isoformat()}"
    if report.message:
        console.print(f"{escape(title)}: {escape(report.message)}")
        return
    console.print(
        f"{escape(title)}: {len(report.trends)} trends, {len(report.periods)} periods "
        f"({escape(report.periods[0])} to {escape(report.periods[-1])})"
    )
    for state, group in (
        ("emerging", report.emerging),
        ("strong", report.strong),
        ("fading", report.fading),
    ):
        if not group:
            continue
        table = Table(title=f"{STATE_TITLES[state]} ({len(group)})", title_justify="left")
        table.add_column("trend", ratio=3, overflow="fold")
        for column in ("articles", "last", "growth", "map", "burst", "popularity"):
            table.add_column(column, no_wrap=True, justify="right" if column != "map" else "left")
        for tr in group[:limit]:
            e = tr.emergence
            table.add_row(
                f"{escape(tr.label)}{escape(marks(tr.watched, tr.confirmed, tr.rated_cards))}"
                f" [dim]{escape(tr.id)}[/dim]",
                str(tr.articles),
                str(tr.last_seen or ""),
                number(e.dod_growth, 2),
                escape(e.dod_quadrant.replace("_", " ")),
                "active" if e.burst_active else ("past" if e.bursts else ""),
                f"{number(e.last_popularity, 1)} {escape(e.popularity_class)}",
            )
        console.print(table)
