"""`techwatch site`, `techwatch user add/token` and `techwatch serve` from the command line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
from typer.testing import CliRunner

from techwatch.cli import app
from web_fixtures import add_card

runner = CliRunner()


def test_site_and_user_commands(workspace, tmp_path):
    add_card(workspace, 1, title="A [bold]card[/bold]")
    w = ["-w", str(workspace.root)]
    result = runner.invoke(app, [*w, "site", "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert "pages" in result.output and (tmp_path / "site" / "index.html").is_file()
    result = runner.invoke(app, [*w, "user", "add", "alice"], input="short\nshort\n")
    assert result.exit_code == 2 and "at least 8" in result.output
    result = runner.invoke(
        app, [*w, "user", "add", "alice"], input="long enough pw\nlong enough pw\n"
    )
    assert result.exit_code == 0 and "alice can log in" in result.output
    assert "long enough pw" not in result.output
    assert workspace.web_users().check("alice", "long enough pw") is not None
    result = runner.invoke(app, [*w, "user", "token", "alice"])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("tw_")
    assert workspace.web_users().token_user(token).name == "alice"
    result = runner.invoke(app, [*w, "user", "token", "nobody"])
    assert result.exit_code == 2 and "no user" in result.output


def test_serve_binds_loopback_and_serves(workspace):
    add_card(workspace, 1)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "techwatch",
            "-w",
            str(workspace.root),
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OPENAI_API_KEY": "sk-test-secret-never-printed"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.3)
        assert r.status_code == 200 and "techwatch user add" in r.text
        r = httpx.get(f"http://127.0.0.1:{port}/", follow_redirects=False)
        assert r.status_code == 303
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert f"127.0.0.1:{port}" in out
    assert "no user yet" in err
    assert "sk-test-secret" not in out + err
