"""The command line over a real workspace and a real loopback server."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from hostile_server import HostileServer, page
from techwatch.cli import app

runner = CliRunner()

ARTICLE = (
    "<html lang='en'><head><title>Heat pumps outsell boilers</title></head><body><article>"
    "<h1>Heat pumps outsell boilers</h1>"
    + "".join(
        f"<p>In market {i}, heat pumps outsold gas boilers for the first time this year, "
        f"as installers report that households are increasingly switching to electric heating "
        f"because subsidies cut the upfront cost by {i * 3} percent.</p>"
        for i in range(12)
    )
    + "</article></body></html>"
)


@pytest.fixture
def site():
    routes = {f"/a/{i}": page(ARTICLE.replace("market", f"market{i}-")) for i in range(3)}
    with HostileServer(routes) as server:
        yield server


def tw(*args: str, ws=None):
    base = ["-w", str(ws)] if ws else []
    return runner.invoke(app, [*base, *args], catch_exceptions=False)


def test_workflow_through_the_cli(site, tmp_path):
    ws = tmp_path / "ws"
    assert tw("init", str(ws)).exit_code == 0
    assert (ws / "techwatch.toml").exists() and (ws / "techwatch.sqlite").exists()
    links = tmp_path / "links.txt"
    links.write_text("\n".join(site.url(f"/a/{i}") for i in range(3)) + "\n", encoding="utf-8")

    result = tw("add", str(links), ws=ws)
    assert result.exit_code == 0 and "3 new" in result.output

    # Without --allow-private the loopback URLs are refused, with a reason.
    result = tw("fetch", ws=ws)
    assert result.exit_code == 0
    assert "blocked 3" in result.output

    result = tw("--allow-private", "fetch", "--retry-failed", ws=ws)
    assert "blocked 3" in result.output  # blocked is final; retry covers failures only

    ws2 = tmp_path / "ws2"
    tw("init", str(ws2))
    tw("add", str(links), ws=ws2)
    result = runner.invoke(app, ["-w", str(ws2), "--allow-private", "fetch"])
    assert result.exit_code == 0 and "ok 3" in result.output

    result = tw("status", ws=ws2)
    assert "articles by status" in result.output and "urllist" in result.output
    status = json.loads(tw("status", "--json", ws=ws2).output)
    assert status["articles"] == {"ok": 3}

    listed = tw("articles", ws=ws2)
    assert listed.exit_code == 0 and "Heat pumps" in listed.output
    found = tw("articles", "search", "boilers", ws=ws2)
    assert "Heat pumps" in found.output
    article_id = status_ids(ws2)[0]
    shown = tw("articles", "show", article_id[:8], ws=ws2)
    assert "heat pumps outsold gas boilers" in shown.output

    exported = tw("export", "articles", "--format", "csv", ws=ws2)
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert len(rows) == 3 and {"id", "url", "urls", "status", "text"} <= set(rows[0])

    analyzed = tw("analyze", ws=ws2)
    assert analyzed.exit_code == 0 and "ok 3" in analyzed.output
    again = tw("analyze", ws=ws2)
    assert "nothing to do" in again.output

    cards = tw("export", "cards", "--format", "jsonl", ws=ws2)
    lines = [json.loads(line) for line in cards.output.splitlines()]
    assert len(lines) == 3 and all(line["url"].startswith("http://127.0.0.1") for line in lines)
    card_page = tw("cards", "show", article_id, ws=ws2)
    assert card_page.output.startswith("# __Heat pumps outsell boilers__")
    out = tmp_path / "out"
    assert tw("pages", "--out", str(out), ws=ws2).exit_code == 0
    assert len(list(out.glob("*.md"))) == 4


def status_ids(ws) -> list[str]:
    from techwatch.workspace import Workspace

    with Workspace.open(ws) as opened:
        return [r["id"] for r in opened.store.list_articles()]


def test_missing_workspace_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["-w", str(tmp_path / "nowhere"), "status"])
    assert result.exit_code == 2
    assert "techwatch init" in result.output


def test_unknown_backend_is_a_clear_error(tmp_path):
    tw("init", str(tmp_path / "ws"))
    result = runner.invoke(app, ["-w", str(tmp_path / "ws"), "analyze", "--backend", "nope"])
    assert result.exit_code == 2
    assert "unknown backend" in result.output


def test_run_is_quiet_and_exits_zero_despite_item_failures(tmp_path):
    ws = tmp_path / "ws"
    tw("init", str(ws))
    links = tmp_path / "links.txt"
    links.write_text("http://127.0.0.1:9/nothing-listens-here\njunk line\n", encoding="utf-8")
    tw("add", str(links), ws=ws)
    env = {**os.environ, "TECHWATCH_ALLOW_PRIVATE": "1", "TECHWATCH_FETCH__RETRIES": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "techwatch", "-w", str(ws), "run"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    log = (ws / "techwatch.log").read_text(encoding="utf-8")
    assert "nothing-listens-here" in log and "failed" in log


def test_run_fails_loudly_on_a_systemic_failure(tmp_path):
    """A failure of the run itself (here: the pages folder is a file) exits 1, loudly."""
    ws = tmp_path / "ws"
    tw("init", str(ws))
    (ws / "pages").write_text("a file where the pages folder goes", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "techwatch", "-w", str(ws), "run"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert "techwatch run failed" in proc.stderr and "FileExistsError" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_unreachable_store_is_a_clear_error_without_the_password(tmp_path):
    """Real whether or not a PostgreSQL driver is installed: either way the store cannot be
    opened, the error says so (exit 2), and the password is never printed."""
    ws = tmp_path / "ws"
    tw("init", str(ws))
    for url in ("postgresql://watch:s3cretpw@127.0.0.1:9/x", f"sqlite:///{tmp_path}/no/dir/x.db"):
        proc = subprocess.run(
            [sys.executable, "-m", "techwatch", "-w", str(ws), "--db", url, "status"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 2, proc.stderr
        assert "cannot open the store" in proc.stderr and "Traceback" not in proc.stderr
        assert "s3cretpw" not in proc.stderr + proc.stdout


def test_invalid_settings_are_a_clear_error(tmp_path):
    tw("init", str(tmp_path / "ws"))
    (tmp_path / "ws" / "techwatch.toml").write_text("[fetch]\ntimeuot = 3\n", encoding="utf-8")
    result = runner.invoke(app, ["-w", str(tmp_path / "ws"), "status"])
    assert result.exit_code == 2
    assert "invalid settings" in result.output and "timeuot" in result.output
