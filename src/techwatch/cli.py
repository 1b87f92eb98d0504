"""The command line: a thin shell over `techwatch.workspace.Workspace`."""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from techwatch.analyze.registry import BackendError
from techwatch.api_types import SearchHit
from techwatch.export import ExportError
from techwatch.report import print_status
from techwatch.workspace import Workspace, WorkspaceBusy, WorkspaceError

app = typer.Typer(
    help="techwatch: foresight cards from the articles of a tech watch.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
articles_app = typer.Typer(help="List, search and show articles.", no_args_is_help=False)
cards_app = typer.Typer(help="List, search and show cards.", no_args_is_help=False)
export_app = typer.Typer(help="Export articles or cards.", no_args_is_help=True)
import_app = typer.Typer(help="Import cards from pages.", no_args_is_help=True)
app.add_typer(articles_app, name="articles")
app.add_typer(cards_app, name="cards")
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")

console = Console()
err = Console(stderr=True)


class _State:
    workspace: Path = Path(".")
    db: str | None = None
    overrides: dict[str, Any] = {}


state = _State()


@app.callback()
def main(
    workspace: Annotated[
        Path,
        typer.Option("--workspace", "-w", envvar="TECHWATCH_WORKSPACE", help="Workspace folder."),
    ] = Path("."),
    db: Annotated[
        str | None,
        typer.Option(envvar="TECHWATCH_DB", help="SQLAlchemy URL of the store."),
    ] = None,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Let URLs reach private, loopback and link-local addresses.",
        ),
    ] = False,
) -> None:
    state.workspace = workspace
    state.db = db
    state.overrides = {"fetch": {"allow_private": True}} if allow_private else {}


def _open() -> Workspace:
    try:
        return Workspace.open(state.workspace, db=state.db, overrides=state.overrides)
    except WorkspaceError as exc:
        _fail(exc, 2)


@contextmanager
def _workspace() -> Iterator[Workspace]:
    """The workspace of the command; known errors become a message and an exit code."""
    ws = _open()
    try:
        yield ws
    except WorkspaceBusy as exc:
        _fail(exc, 3)
    except (BackendError, ExportError, WorkspaceError, ValueError) as exc:
        _fail(exc, 2)
    finally:
        ws.close()


def _log_to_terminal(log: logging.Logger) -> None:
    """-v: the workspace log (always written to techwatch.log) is shown on stderr too."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)


class RichProgress:
    """A Rich progress bar with counts per status, ETA, and tokens/cost when known."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.bar: Progress | None = None
        self.task: Any = None
        self.counts: Counter[str] = Counter()
        self.stage = ""
        self.extra = ""

    def start(self, stage: str, total: int) -> None:
        self.stage, self.counts, self.extra = stage, Counter(), ""
        if self.quiet or total == 0:
            return
        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[detail]}", markup=False),
            console=err,
            transient=False,
        )
        self.bar.start()
        self.task = self.bar.add_task(stage, total=total, detail="")

    def advance(self, status: str, **info: Any) -> None:
        self.counts[status] += 1
        if "tokens" in info:
            self.extra = f" tokens={info['tokens']} cost=${info.get('cost', 0.0):.4f}"
        if self.bar is not None:
            detail = " ".join(f"{k}={v}" for k, v in sorted(self.counts.items())) + self.extra
            self.bar.update(self.task, advance=1, detail=detail)

    def revise(self, old: str, new: str) -> None:
        """Move one counted item from `old` to `new` (the final counts match the summary)."""
        self.counts[old] -= 1
        self.counts[new] += 1
        if self.bar is not None:
            detail = " ".join(f"{k}={v}" for k, v in sorted(self.counts.items()) if v)
            self.bar.update(self.task, detail=detail + self.extra)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


# -- commands ---------------------------------------------------------------------


@app.command()
def init(
    path: Annotated[Path | None, typer.Argument(help="Folder (default: --workspace).")] = None,
) -> None:
    """Create a workspace: settings file, store, folders."""
    root = path or state.workspace
    try:
        ws = Workspace.init(root, db=state.db, overrides=state.overrides)
    except WorkspaceError as exc:
        _fail(exc, 2)
    console.print(Text(f"workspace ready: {ws.root}"))
    ws.close()


@app.command()
def add(
    location: Annotated[
        str, typer.Argument(help="URL, feed, OPML file, URL list, file or folder.")
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            help="newsletter, archive, feed, opml, urllist, folder, file, or article for one "
            "bookmarked URL (default: guessed)."
        ),
    ] = None,
    title: Annotated[str, typer.Option(help="A name for the source.")] = "",
    no_discover: Annotated[bool, typer.Option("--no-discover", help="Register only.")] = False,
) -> None:
    """Add a source and read its links (they are fetched by `techwatch fetch`).

    Exits 1 when the source could not be read (failed, blocked): it stays registered and
    is retried by `fetch --retry-failed`.
    """
    with _workspace() as ws:
        report = ws.add(location, kind=kind, title=title, discover=not no_discover)
    line = f"source {report.source_id} ({report.kind}): {report.status}"
    if report.reason:
        line += f" ({report.reason})"
    console.print(Text(f"{line}; {report.found} links, {report.new} new"))
    for what, why in report.skipped[:20]:
        console.print(Text(f"  skipped {what}: {why}", style="dim"))
    if len(report.skipped) > 20:
        console.print(Text(f"  … and {len(report.skipped) - 20} more skipped", style="dim"))
    if report.status not in ("ok", "pending"):
        raise typer.Exit(1)


Limit = Annotated[int | None, typer.Option(min=0, help="At most this many articles (0: none).")]


@app.command()
def fetch(
    retry_failed: Annotated[bool, typer.Option(help="Retry articles that failed.")] = False,
    limit: Limit = None,
    no_discover: Annotated[bool, typer.Option("--no-discover", help="Skip sources.")] = False,
    reextract: Annotated[
        bool, typer.Option(help="Extract again from the raw cache; no request is made.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Refresh sources, then fetch and extract pending articles (idempotent)."""
    with _workspace() as ws:
        report = ws.fetch(
            retry_failed=retry_failed,
            limit=limit,
            discover=not no_discover,
            reextract=reextract,
            progress=RichProgress(quiet),
        )
        if not quiet:
            _print_counts("fetched", report.counts, report.elapsed)
            print_status(ws.status(), console)


@app.command()
def analyze(
    backend: Annotated[
        str | None, typer.Option(help="extractive (offline), openai or llamacpp.")
    ] = None,
    retry_failed: Annotated[bool, typer.Option(help="Retry failed cards.")] = False,
    limit: Limit = None,
    replace: Annotated[
        bool, typer.Option(help="Redo cards made by another backend with this one.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the log (llama.cpp's too) here.")
    ] = False,
) -> None:
    """Make a foresight card for every fetched article without one (idempotent)."""
    with _workspace() as ws:
        if verbose:
            _log_to_terminal(ws.log)
        report = ws.analyze(
            backend=backend,
            retry_failed=retry_failed,
            limit=limit,
            replace=replace,
            progress=RichProgress(quiet),
        )
    if not quiet:
        _print_counts("analyzed", report.counts, report.elapsed)
        t = report.totals
        if t:
            console.print(
                f"calls={t['calls']} cached={t['cached']} prompt_tokens={t['prompt_tokens']} "
                f"completion_tokens={t['completion_tokens']} cost=${t['cost_usd']:.4f} "
                f"ungrounded dropped={t['dropped']} flagged={t['flagged']}",
                markup=False,
            )


@app.command()
def pages(
    out: Annotated[Path | None, typer.Option(help="Folder (default: workspace pages/).")] = None,
) -> None:
    """Write one markdown page per card, in the reference format, plus index.md."""
    with _workspace() as ws:
        report = ws.pages(out)
    console.print(
        Text(f"pages in {report.out}: {report.written} written, {report.unchanged} unchanged")
    )


@app.command()
def run(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print progress.")] = False,
    send: Annotated[
        str | None, typer.Option(help="End by sending this: draft (of the week) or review.")
    ] = None,
    to: Annotated[
        list[str] | None, typer.Option(help="Recipient of --send: mail:ADDRESS or webhook:URL.")
    ] = None,
) -> None:
    """Every stage in order (fetch, analyze, pages), then the send; quiet, for cron.

    The send result is printed (a failed or skipped send on stderr). Exit codes: 0 done
    (items may have failed: see `status`), 1 a systemic failure, 2 a configuration error
    (a malformed --to, before anything runs), 3 another run holds the workspace.
    """
    with _workspace() as ws:
        try:
            result = ws.run(progress=RichProgress(quiet=not verbose), send=send, to=to)
        except (BackendError, WorkspaceError, WorkspaceBusy, ValueError):
            raise
        except Exception as exc:  # a systemic failure: the only exit 1
            _fail(f"techwatch run failed: {type(exc).__name__}: {exc}", 1)
        if verbose:
            _print_counts("fetched", result.fetch.counts, result.fetch.elapsed)
            _print_counts("analyzed", result.analyze.counts, result.analyze.elapsed)
            console.print(f"pages: {result.pages.written} written", markup=False)
        for sent in result.sent:
            why = f" ({sent.error})" if sent.error else ""
            line = f"send to {sent.target}: {sent.status}{why}"
            (err if sent.status == "failed" else console).print(line, markup=False)
        if result.send_error:
            err.print(f"send skipped: {result.send_error}", markup=False)


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Counts per status and per source, and the latest errors."""
    with _workspace() as ws:
        report = ws.status()
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    print_status(report, console)


@app.command()
def runs(
    limit: Annotated[int, typer.Option(min=0, help="At most this many (0: none).")] = 20,
    stage: Annotated[str | None, typer.Option(help="Only this stage.")] = None,
) -> None:
    """Recorded stage runs, newest first (`interrupted`: left running by a killed process)."""
    with _workspace() as ws:
        found = ws.runs(limit=limit, stage=stage) if limit else []
    table = Table("id", "stage", "status", "started", "finished", "counts")
    for r in found:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(r.counts.items()))
        started = r.started_at.isoformat(timespec="seconds") if r.started_at else ""
        finished = r.finished_at.isoformat(timespec="seconds") if r.finished_at else ""
        table.add_row(*_cells(r.id, r.stage, r.status, started, finished, counts))
    console.print(table)


# -- articles ---------------------------------------------------------------------


@articles_app.callback(invoke_without_command=True)
def articles_default(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        articles_list(status=None, limit=50)


@articles_app.command("list")
def articles_list(
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    limit: Annotated[int, typer.Option(min=0, help="At most this many (0: none).")] = 50,
) -> None:
    """List articles, newest issue first."""
    with _workspace() as ws:
        found = ws.articles.list(status=status, limit=limit)
    table = Table("id", "status", "issue", "title", "url")
    for a in found:
        table.add_row(*_cells(a.id[:10], a.status, a.origin_date, a.title[:60], a.url))
    console.print(table)


@articles_app.command("search")
def articles_search(
    query: str, limit: Annotated[int, typer.Option(min=0, help="At most this many.")] = 20
) -> None:
    """Full-text search over titles and texts."""
    with _workspace() as ws:
        hits = ws.articles.search(query, limit)
    table = Table("id", "status", "title", "snippet")
    for h in hits:
        table.add_row(*_cells(h.id[:10], h.status, h.title[:50]), _snippet(h))
    console.print(table)


@articles_app.command("show")
def articles_show(
    article: Annotated[str, typer.Argument(help="Id, id prefix or URL.")],
    text: Annotated[bool, typer.Option(help="Print the whole text.")] = False,
) -> None:
    """Show one article with its fetch metadata."""
    with _workspace() as ws:
        found = ws.articles.get(article)
    if found is None:
        _fail(f"no article {article!r}", 1)
    for key in (
        "id", "url", "status", "reason", "title", "author", "published", "published_from",
        "language", "origin_kind", "origin_url", "origin_title", "origin_date", "http_status",
        "content_type", "encoding", "final_url", "text_chars", "duplicate_of", "fetched_at",
    ):  # fmt: skip
        _field(key, getattr(found, key))
    _field("urls", ", ".join(found.urls))
    body = found.text
    console.print(
        body if text else body[:600] + ("…" if len(body) > 600 else ""),
        markup=False,
        highlight=False,
    )


# -- cards ------------------------------------------------------------------------


@cards_app.callback(invoke_without_command=True)
def cards_default(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        cards_list(limit=50, status="ok")


@cards_app.command("list")
def cards_list(
    limit: Annotated[int, typer.Option(min=0, help="At most this many (0: none).")] = 50,
    status: Annotated[str, typer.Option(help="ok or failed.")] = "ok",
) -> None:
    """List cards, newest issue first."""
    with _workspace() as ws:
        found = ws.cards.list(status=status, limit=limit)
    table = Table("id", "analyzer", "category", "title", "reason")
    for c in found:
        category = c.card.category if c.card else ""
        table.add_row(*_cells(c.article_id[:10], c.analyzer, category, c.title[:60], c.reason))
    console.print(table)


@cards_app.command("search")
def cards_search(
    query: str, limit: Annotated[int, typer.Option(min=0, help="At most this many.")] = 20
) -> None:
    """Full-text search over cards (summary, keywords, items)."""
    with _workspace() as ws:
        hits = ws.cards.search(query, limit)
    table = Table("id", "title", "snippet")
    for h in hits:
        table.add_row(*_cells(h.id[:10], h.title[:60]), _snippet(h))
    console.print(table)


@cards_app.command("show")
def cards_show(
    article: Annotated[str, typer.Argument(help="Id, id prefix or URL.")],
    as_json: Annotated[bool, typer.Option("--json", help="The card as JSON.")] = False,
) -> None:
    """Show one card as its page (or JSON)."""
    with _workspace() as ws:
        stored = ws.cards.get(article)
        page = ws.page(article) if stored and stored.status == "ok" else None
    if stored is None:
        _fail(f"no card for {article!r}", 1)
    if stored.card is None or page is None:
        _fail(f"card {stored.status}: {stored.reason}", 1)
    if as_json:
        sys.stdout.write(stored.card.model_dump_json(indent=2) + "\n")
        return
    sys.stdout.write(page + "\n")


# -- export / import ----------------------------------------------------------------


def _export(kind: str, fmt: str, output: Path | None) -> None:
    with _workspace() as ws:
        writer = ws.export_articles if kind == "articles" else ws.export_cards
        # A path (not an open file): the format is checked first and the file replaced
        # only when the export succeeded, so a bad format never truncates it.
        count = writer(fmt, output if output is not None else sys.stdout)
    if output is not None:
        err.print(Text(f"{count} {kind} written to {output}"))


@export_app.command("articles")
def export_articles_cmd(
    format: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv.")] = "jsonl",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Export every article (to stdout unless --output)."""
    _export("articles", format, output)


@export_app.command("cards")
def export_cards_cmd(
    format: Annotated[str, typer.Option("--format", "-f", help="jsonl, csv or md.")] = "jsonl",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Export every card with its article's URL (to stdout unless --output)."""
    _export("cards", format, output)


@import_app.command("pages")
def import_pages_cmd(
    folder: Annotated[Path, typer.Argument(exists=True, file_okay=False)],
) -> None:
    """Import pages in the reference format (older variants too); idempotent."""
    with _workspace() as ws:
        report = ws.import_pages(folder, progress=RichProgress())
    _print_counts("pages", report.counts, report.elapsed)
    for line in report.errors[:20]:
        console.print(Text(f"  {line}", style="dim"))


# -- demo -------------------------------------------------------------------------


@app.command()
def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Where the demo workspace goes.")] = Path(
        "techwatch-demo"
    ),
) -> None:
    """Run the whole pipeline offline on a demo corpus served on 127.0.0.1."""
    from techwatch.demo.run import run_demo

    run_demo(directory, console=console, progress_factory=RichProgress)


# -- output helpers -----------------------------------------------------------------
# Everything printed that comes from outside (titles, reasons, URLs, paths, snippets) goes
# out as rich.text.Text or escaped, never as markup: `[/x]` must not crash the output and
# `[link=...]` must not become a hyperlink.


def _fail(message: object, code: int) -> NoReturn:
    err.print(Text.assemble(("error: ", "red"), str(message)))
    raise typer.Exit(code)


def _cells(*values: object) -> list[Text]:
    return [Text("" if v is None else str(v)) for v in values]


def _field(key: str, value: object) -> None:
    console.print(Text.assemble((f"{key}", "bold"), ": ", "" if value is None else str(value)))


def _snippet(hit: SearchHit) -> Text:
    """The snippet with its matched terms in bold and in [brackets] (plain text kept plain)."""
    text = Text()
    last = 0
    for start, end in hit.matches:
        text.append(hit.snippet[last:start])
        text.append(f"[{hit.snippet[start:end]}]", style="bold yellow")
        last = end
    text.append(hit.snippet[last:])
    return text


def _print_counts(what: str, counts: Counter[str] | dict[str, int], elapsed: float) -> None:
    parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if v) or "nothing to do"
    console.print(Text(f"{what}: {parts} ({elapsed:.1f}s)"))


# -- feature commands ---------------------------------------------------------------
# Each feature keeps its commands in `techwatch/cli_<name>.py`, which defines
# `register(app)`. Add the feature's name here (one entry each).

FEATURE_COMMANDS: tuple[str, ...] = ("web", "retrieval", "trends", "outputs")


def _register_features() -> None:
    import importlib

    for name in FEATURE_COMMANDS:
        importlib.import_module(f"techwatch.cli_{name}").register(app)


_register_features()
