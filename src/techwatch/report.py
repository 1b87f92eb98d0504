"""The status report as Rich tables, shared by `techwatch status` and the demo."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def print_status(info: dict[str, Any], console: Console) -> None:
    """Counts per status, per source, cards, and the latest problems, as Rich tables."""
    table = Table(title="articles by status")
    table.add_column("status")
    table.add_column("count", justify="right")
    for name, count in sorted(info["articles"].items()):
        table.add_row(name, str(count))
    table.add_row("[bold]total[/]", str(sum(info["articles"].values())))
    console.print(table)
    sources = Table(title="sources")
    for col in ("id", "kind", "source", "status", "articles"):
        sources.add_column(col)
    for s in info["sources"]:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(s["counts"].items()))
        state_text = s["status"] + (f" ({s['reason']})" if s["reason"] else "")
        sources.add_row(str(s["id"]), s["kind"], s["location"][-70:], state_text, counts)
    console.print(sources)
    if info["cards"]:
        console.print("cards: " + ", ".join(f"{k} {v}" for k, v in sorted(info["cards"].items())))
        totals = info.get("card_totals") or {}
        if totals.get("calls"):
            console.print(
                f"LLM: {totals['calls']} calls, {totals['prompt_tokens']} prompt + "
                f"{totals['completion_tokens']} completion tokens, ${totals['cost_usd']:.4f}; "
                f"ungrounded items dropped {totals['dropped']}, flagged {totals['flagged']}"
            )
    if info["errors"]:
        errors = Table(title="latest problems")
        for col in ("status", "reason", "url"):
            errors.add_column(col)
        for e in info["errors"]:
            errors.add_row(e["status"], (e["reason"] or "")[:60], e["url"][-70:])
        console.print(errors)
