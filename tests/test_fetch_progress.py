"""The CLI's progress bar ends with the same counts as the summary after a duplicate swap."""

from __future__ import annotations

from pathlib import Path

from hostile_server import HostileServer, delayed, page
from techwatch.cli import RichProgress
from techwatch.workspace import Workspace

TEXT = "".join(
    f"<p>Paragraph {i} on heat networks, heat pumps and district grids.</p>" for i in range(60)
)


def test_rich_progress_counts_match_the_fetch_summary(tmp_path: Path) -> None:
    """The original arrives after its copy: the bar's `ok` must drop back by one."""
    html = f"<html><body><article><h1>Heat</h1>{TEXT}</article></body></html>"
    routes = {"/original": delayed(0.8, page(html)), "/copy": page(html)}
    overrides = {
        "fetch": {
            "allowed_networks": ["127.0.0.0/8"],
            "per_host_delay": 0.0,
            "respect_robots": False,
            "retries": 0,
        }
    }
    ws = Workspace.init(tmp_path / "ws", overrides=overrides)
    try:
        with HostileServer(routes) as server:
            links = tmp_path / "links.txt"
            links.write_text(f"{server.url('/original')}\n{server.url('/copy')}\n", "utf-8")
            ws.add(str(links))
            bar = RichProgress(quiet=True)
            report = ws.fetch(progress=bar)
        assert dict(report.counts) == {"ok": 1, "duplicate": 1}
        assert {k: v for k, v in bar.counts.items() if v} == dict(report.counts)
    finally:
        ws.close()
