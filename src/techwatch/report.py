"""The status report as Rich tables, shared by `techwatch status` and the demo.

Every value that comes from outside (locations, reasons, URLs) goes in as `Text`, never as
markup, so a title like `[/x]` or `[link=...]` prints as written.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from techwatch.api_types import StatusReport


def print_status(info: StatusReport, console: Console) -> None:
    """Counts per status, per source, cards, and the latest problems, as Rich tables."""
    table = Table(title="articles by status")
    table.add_column("status")
    table.add_column("count", justify="right")
    for name, count in sorted(info.articles.items()):
        table.add_row(Text(name), str(count))
    table.add_row(Text("total", style="bold"), str(info.total_articles))
    console.print(table)
    sources = Table(title="sources")
    for col in ("id", "kind", "source", "status", "articles"):
        sources.add_column(col)
    for s in info.sources:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(s.counts.items()))
        state_text = s.status + (f" ({s.reason})" if s.reason else "")
        sources.add_row(
            str(s.id), Text(s.kind), Text(s.location[-70:]), Text(state_text), Text(counts)
        )
    console.print(sources)
    if info.cards:
        line = "cards: " + ", ".join(f"{k} {v}" for k, v in sorted(info.cards.items()))
        console.print(Text(line))
        totals = info.card_totals
        if totals.calls:
            console.print(
                Text(
                    f"LLM: {totals.calls} calls, {totals.prompt_tokens} prompt + "
                    f"{totals.completion_tokens} completion tokens, ${totals.cost_usd:.4f}; "
                    f"ungrounded items dropped {totals.dropped}, flagged {totals.flagged}"
                )
            )
    if info.errors:
        errors = Table(title="latest problems")
        for col in ("status", "reason", "url"):
            errors.add_column(col)
        for e in info.errors:
            errors.add_row(Text(e.status), Text((e.reason or "")[:60]), Text(e.url[-70:]))
        console.print(errors)
