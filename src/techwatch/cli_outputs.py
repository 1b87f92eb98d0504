"""`techwatch ask | deck | story | draft | send`: outputs for people (thin; logic elsewhere)."""

from __future__ import annotations

import json
import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.text import Text


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"--date must be YYYY-MM-DD, got {value!r}") from None


def _issue(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise typer.BadParameter(f"--issue must be a date YYYY-MM-DD, got {value!r}") from None


def clean(text: str) -> str:
    """Untrusted text for a terminal: no control characters (escape sequences) but newlines."""
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")
    )


class _Stream:
    """Prints model tokens as they arrive (dimmed, control characters removed)."""

    def __init__(self, console: Any, label: str) -> None:
        self.console, self.label, self.started = console, label, False

    def __call__(self, token: str) -> None:
        if not self.started:
            self.console.print(Text(self.label, style="bold"), end="")
            self.started = True
        self.console.print(Text(clean(token), style="dim"), end="")

    def end(self) -> None:
        if self.started:
            self.console.print()


def register(app: typer.Typer) -> None:
    from techwatch.cli import _fail, _workspace, console
    from techwatch.deliver import DeliveryError
    from techwatch.outputs.decks import EmptyDeckError
    from techwatch.outputs.drafts import EmptyDraftError
    from techwatch.outputs.llm import LLMUnavailable
    from techwatch.outputs.stories import NoIssueError

    @app.command()
    def ask(
        question: Annotated[str, typer.Argument(help="A question, in your own words.")],
        since: Annotated[
            str | None, typer.Option(help="Cards from this date (YYYY[-MM[-DD]]).")
        ] = None,
        until: Annotated[str | None, typer.Option(help="Cards up to this date, inclusive.")] = None,
        category: Annotated[str | None, typer.Option(help="Only cards of this category.")] = None,
        source: Annotated[str | None, typer.Option(help="A source id, location or title.")] = None,
        backend: Annotated[
            str | None,
            typer.Option(
                help="extractive (offline), openai or llamacpp; default: [analyze] backend."
            ),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="The answer as one JSON object.")
        ] = False,
    ) -> None:
        """Answer from the corpus only, citing the cards each claim comes from."""
        from techwatch.ask import AskError

        stream = None if as_json else _Stream(console, "model: ")
        with _workspace() as ws:
            try:
                answer = ws.ask(
                    question,
                    since=since,
                    until=until,
                    category=category,
                    source=source,
                    backend=backend,
                    on_token=stream,
                )
            except AskError as exc:
                _fail(exc, 2)
            finally:
                if stream:
                    stream.end()
        if as_json:
            sys.stdout.write(json.dumps(answer.to_dict(), ensure_ascii=False, default=str) + "\n")
            raise typer.Exit(0 if answer.found else 1)
        for note in answer.notes:
            console.print(Text(clean(note), style="yellow"))
        if not answer.found:
            console.print(Text(clean(answer.message)))
            raise typer.Exit(1)
        index = {c.card_id: n for n, c in enumerate(answer.sources, 1)}
        console.print(
            Text(
                f"Answer ({answer.mode}{', ' + answer.model if answer.model else ''}):",
                style="bold",
            )
        )
        for claim in answer.claims:
            marks = "".join(f"[{index[c.card_id]}]" for c in claim.citations)
            console.print(Text("• ") + Text(clean(claim.text)) + Text(f" {marks}", style="cyan"))
        console.print()
        for n, source_ in enumerate(answer.sources, 1):
            console.print(
                Text(f"[{n}] ", style="cyan")
                + Text(clean(source_.title), style="bold")
                + Text(f" ({source_.card_id[:10]}) {clean(source_.url)}", style="dim")
            )
        if answer.dropped:
            console.print(Text(f"{len(answer.dropped)} uncited sentence(s) dropped", style="dim"))

    @app.command()
    def deck(
        topic: Annotated[
            str | None, typer.Option(help="Items hybrid search finds for a topic.")
        ] = None,
        trend: Annotated[str | None, typer.Option(help="The items of one trend (its id).")] = None,
        review: Annotated[
            str | None, typer.Option(help="A review's trends: week, month, quarter or year.")
        ] = None,
        card: Annotated[
            str | None, typer.Option(help="Every item of one card (id or URL).")
        ] = None,
        kind: Annotated[str, typer.Option(help="With --trend: the kind of trend.")] = "signals",
        date_: Annotated[
            str | None, typer.Option("--date", help="With --review: a day in it.")
        ] = None,
        paper: Annotated[str, typer.Option(help="a4 or letter.")] = "a4",
        out: Annotated[Path | None, typer.Option(help="Folder for the PNGs and the PDF.")] = None,
        limit: Annotated[int, typer.Option(help="At most this many cards.")] = 36,
    ) -> None:
        """Printable foresight cards: one PNG per item, a grid, and a PDF deck with cut marks."""
        if sum(x is not None for x in (topic, trend, review, card)) != 1:
            _fail("give exactly one of --topic, --trend, --review or --card", 2)
        if paper not in ("a4", "letter"):
            _fail(f"--paper must be a4 or letter, not {paper!r}", 2)
        with _workspace() as ws:
            try:
                result = ws.deck(
                    card=card,
                    topic=topic,
                    trend=trend,
                    review=review,
                    kind=kind,
                    date=_date(date_),
                    paper=paper,
                    out=out,
                    limit=limit,
                )
            except (EmptyDeckError, LookupError) as exc:
                _fail(exc, 1)
        horizons = ", ".join(f"{k} {v}" for k, v in sorted(result.horizons.items()))
        console.print(f"{result.cards} cards ({escape(horizons)}) in {escape(str(result.out))}")
        console.print(f"PDF: {escape(str(result.pdf))} ({result.pages} pages, {paper})")
        console.print(f"grid: {escape(str(result.grid))}")

    @app.command()
    def story(
        issue: Annotated[str, typer.Option(help="The newsletter issue's date (YYYY-MM-DD).")],
        regenerate: Annotated[
            bool, typer.Option("--regenerate", help="Ask the model again and replace the story.")
        ] = False,
        backend: Annotated[str | None, typer.Option(help="openai or llamacpp.")] = None,
    ) -> None:
        """A short near-future story from one issue's summaries (needs an LLM); kept once made."""
        stream = _Stream(console, "")
        with _workspace() as ws:
            try:
                result = ws.story(
                    _issue(issue), regenerate=regenerate, backend=backend, on_token=stream
                )
            except (NoIssueError, LLMUnavailable) as exc:
                stream.end()
                _fail(exc, 1)
            stream.end()
        if result.generated:
            console.print(Text(f"stored: {clean(result.title)} ({result.model})", style="green"))
            return
        console.print(Text(clean(result.title), style="bold"))
        console.print(Text(clean(result.text)))
        console.print(
            Text(f"(stored {result.created_at}; --regenerate for a new one)", style="dim")
        )

    @app.command()
    def draft(
        issue: Annotated[str | None, typer.Option(help="One issue's date (YYYY-MM-DD).")] = None,
        period: Annotated[str | None, typer.Option(help="week or month.")] = None,
        date_: Annotated[str | None, typer.Option("--date", help="A day of the period.")] = None,
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="Write the markdown here.")
        ] = None,
    ) -> None:
        """A newsletter draft in markdown: themes, one line per article, signals, topics, story."""
        from techwatch.publish.draft import render_draft

        if (issue is None) == (period is None):
            _fail("give --issue DATE or --period week|month", 2)
        with _workspace() as ws:
            try:
                result = ws.draft(
                    issue=_issue(issue) if issue else None, period=period, date=_date(date_)
                )
            except EmptyDraftError as exc:
                _fail(exc, 1)
        text = render_draft(result)
        if out is None:
            sys.stdout.write(clean(text))
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        console.print(f"draft: {escape(str(out))} ({result.articles} articles)")

    @app.command()
    def send(
        what: Annotated[str, typer.Argument(help="draft or review.")],
        to: Annotated[
            list[str],
            typer.Option(
                "--to", help="mail:ADDRESS, webhook:URL, slack:URL or teams:URL (repeat)."
            ),
        ],
        issue: Annotated[str | None, typer.Option(help="draft: one issue's date.")] = None,
        period: Annotated[
            str | None, typer.Option(help="week or month (review: also quarter, year).")
        ] = None,
        date_: Annotated[str | None, typer.Option("--date", help="A day of the period.")] = None,
        webhook_format: Annotated[
            str | None, typer.Option("--format", help="Webhook payload: json, slack or teams.")
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="Send even if sent before.")] = False,
    ) -> None:
        """Deliver a draft or a review by e-mail or webhook; a rerun sends nothing twice."""
        if what not in ("draft", "review"):
            _fail(f"send draft or review, not {what!r}", 2)
        if what == "draft" and issue is None and period is None:
            period = "week"
        with _workspace() as ws:
            try:
                results = ws.send(
                    what,
                    to,
                    issue=_issue(issue) if issue else None,
                    period=period,
                    date=_date(date_),
                    webhook_format=webhook_format,
                    force=force,
                )
            except (DeliveryError, EmptyDraftError) as exc:
                _fail(exc, 1)
        failed = 0
        for result in results:
            style = {"sent": "green", "already_sent": "dim", "failed": "red"}[result.status]
            line = Text(f"{result.status}: ", style=style) + Text(clean(result.target))
            if result.error:
                line += Text(f" ({clean(result.error)})")
            console.print(line)
            failed += result.status == "failed"
        if failed:
            raise typer.Exit(1)
