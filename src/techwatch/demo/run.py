"""`techwatch demo`: the real pipeline on a demo corpus served on 127.0.0.1, offline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from techwatch.demo.corpus import write_demo_site
from techwatch.demo.server import DemoServer
from techwatch.report import print_status
from techwatch.workspace import Workspace

# A fixed port keeps article URLs (and so ids) stable from one demo run to the next.
DEMO_PORT = 8377
# Loopback (and nothing else private) is allowed for the demo: its site lives on 127.0.0.1.
DEMO_OVERRIDES: dict[str, Any] = {
    "fetch": {
        "allowed_networks": ["127.0.0.0/8", "::1/128"],
        "per_host_delay": 0.0,
        "timeout": 10.0,
        "retries": 1,
    }
}


def start_server(root: Path) -> DemoServer:
    try:
        server = DemoServer(root, port=DEMO_PORT)
        server.start()
    except OSError:
        server = DemoServer(root, port=0)
        server.start()
    return server


def run_demo(
    directory: Path,
    *,
    console: Console | None = None,
    progress_factory: Callable[[], Any] | None = None,
) -> Workspace:
    """Write the demo site, serve it, and run every stage on it; return the workspace."""
    console = console or Console()
    directory = Path(directory).resolve()
    site = write_demo_site(directory / "site")
    ws = Workspace.init(directory / "workspace", overrides=DEMO_OVERRIDES)
    server = start_server(site.root)
    progress = progress_factory() if progress_factory else None
    try:
        console.print(f"demo site served at {server.newsletter_base} and {server.articles_base}")
        sources = [
            (server.newsletter_base + site.archive_path, "archive"),
            (server.newsletter_base + site.feed_path, "feed"),
            (server.newsletter_base + site.urllist_path, "urllist"),
        ]
        for location, kind in sources:
            report = ws.add(location, kind=kind)
            console.print(
                f"added {kind} {location}: {report.found} links, {report.new} new"
                + (f" ({report.status}: {report.reason})" if report.status != "ok" else "")
            )
        fetched = ws.fetch(progress=progress)
        console.print(
            "fetched: " + ", ".join(f"{k} {v}" for k, v in sorted(fetched.counts.items()))
        )
        analyzed = ws.analyze(backend="extractive", progress=progress)
        console.print("cards: " + ", ".join(f"{k} {v}" for k, v in sorted(analyzed.counts.items())))
        _demo_trends(ws, console)  # trends: before pages, so pages include them
        pages = ws.pages()
        console.print(f"pages: {pages.written} written, {pages.unchanged} unchanged in {pages.out}")
    finally:
        server.stop()
    print_status(ws.status(), console)
    console.print(f"workspace: {ws.root} (try: techwatch -w {ws.root} cards)")
    _demo_site(ws, console)
    _demo_outputs(ws, console)
    return ws


def _demo_trends(ws: Workspace, console: Console) -> None:
    """Trends with their states, a topic page and a review, written in the workspace."""
    from rich.markup import escape

    from techwatch.publish.review import render_review
    from techwatch.publish.topic import render_topic

    updates = ws.update_trends()
    console.print("trends: " + ", ".join(f"{u.kind} {u.trends}" for u in updates))
    report = ws.trend_report("signals", period="month", update=False)
    for state, group in (("emerging", report.emerging), ("strong", report.strong)):
        for tr in group[:3]:
            console.print(
                f"  {state}: {escape(tr.label)} ({tr.articles} articles; {escape(tr.reason)})"
            )
    folder = ws.root / "outputs"
    folder.mkdir(parents=True, exist_ok=True)
    topic = ws.topic("energy storage")
    (folder / "topic-energy-storage.md").write_text(render_topic(topic), encoding="utf-8")
    console.print(f"topic: {len(topic.cards)} cards, {folder / 'topic-energy-storage.md'}")
    review = ws.review("year")
    path = folder / f"review-year-{review.key}.md"
    path.write_text(render_review(review), encoding="utf-8")
    console.print(f"review: {len(review.trends)} trends of {review.key}, {path}")
    console.print(f"  (try: techwatch -w {ws.root} trends --period month)")


def _demo_site(ws: Workspace, console: Console) -> None:
    """End with the static site built, and say how to serve the live app."""
    try:
        built = ws.site()
    except ImportError as exc:
        console.print(f"static site skipped: {exc.name} is missing (pip install 'techwatch[web]')")
        return
    console.print(f"static site: {built.pages} pages, open {built.out / 'index.html'}")
    console.print(
        f"live app: techwatch -w {ws.root} user add NAME, then "
        f"techwatch -w {ws.root} serve (http://127.0.0.1:8000/)"
    )


def _demo_outputs(ws: Workspace, console: Console) -> None:
    """Outputs for people: a cited answer, a printable deck and a newsletter draft."""
    from rich.text import Text

    from techwatch.outputs.records import issue_dates
    from techwatch.publish.draft import render_draft

    question = "What is changing in energy storage?"
    answer = ws.ask(question, backend="extractive")
    console.print(Text(f"ask: {question}", style="bold"))
    for line in answer.text().splitlines()[:8]:
        console.print(Text("  " + line))
    deck = ws.deck(topic="energy storage", limit=12)
    console.print(f"deck: {deck.cards} cards, {deck.pdf} ({deck.pages} pages, A4, cut marks)")
    dates = issue_dates(ws.store)
    if dates:
        draft = ws.draft(issue=dates[0])
        path = ws.root / "drafts" / f"draft-{dates[0]}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_draft(draft), encoding="utf-8")
        console.print(f"draft: {path} ({draft.articles} articles in {len(draft.themes)} themes)")
