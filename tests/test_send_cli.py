"""`techwatch send`, `ask`, `draft`, `story` from the command line, and `run` ending in a send."""

from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from techwatch.card import Card, Signal
from techwatch.cli import app
from techwatch.outputs.records import list_sends
from techwatch.store.store import NewArticle
from techwatch.workspace import Workspace


class _Hook(BaseHTTPRequestHandler):
    bodies: list[dict] = []

    def do_POST(self):  # noqa: N802
        self.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def hook():
    _Hook.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Hook.bodies
    server.shutdown()
    server.server_close()


def _fill(ws: Workspace) -> None:
    for n, (title, theme) in enumerate([("Grid storage", "energy"), ("AI at work", "AI")]):
        article_id, _ = ws.store.discover(
            NewArticle(
                url=f"https://news.example/{n}", origin_kind="issue", origin_date="2025-03-10"
            )
        )
        card = Card(
            title=title,
            summary=f"{title} grows fast. More follows.",
            themes=[theme],
            signals=[Signal(name=f"{title} signal", description="It changes.", relevancy=4)],
        )
        ws.store.save_card(article_id, status="ok", card=card, provenance={"analyzer": "x"})


def _ws(tmp_path, **extra) -> Workspace:
    overrides = {"fetch": {"allowed_networks": ["127.0.0.0/8"]}, "send": {"retries": 0}}
    overrides.update(extra)
    ws = Workspace.init(tmp_path / "ws", overrides=overrides)
    _fill(ws)
    return ws


def test_send_draft_to_a_webhook_once(tmp_path, hook, monkeypatch):
    url, bodies = hook
    ws = _ws(tmp_path)
    ws.close()
    monkeypatch.setenv("TECHWATCH_FETCH__ALLOWED_NETWORKS", '["127.0.0.0/8"]')
    runner = CliRunner()
    args = ["-w", str(tmp_path / "ws"), "send", "draft", "--issue", "2025-03-10", "--to"]
    first = runner.invoke(app, [*args, f"webhook:{url}"])
    assert first.exit_code == 0, first.output
    assert "sent: webhook:" in first.output and len(bodies) == 1
    assert bodies[0]["subject"] == "Draft: Issue of 2025-03-10"
    assert "## Energy" in bodies[0]["markdown"] and bodies[0]["images"] == ["strongest-signals.png"]
    again = runner.invoke(app, [*args, f"webhook:{url}"])
    assert again.exit_code == 0 and "already_sent" in again.output and len(bodies) == 1
    bad = runner.invoke(app, [*args, "mail:not-an-address"])
    assert bad.exit_code == 1 and "malformed" in bad.output
    none = runner.invoke(app, [*args[:-1], "--issue", "1999-01-01", "--to", f"webhook:{url}"])
    assert none.exit_code == 1 and "no articles" in none.output and len(bodies) == 1


def test_a_refused_webhook_fails_the_command_and_is_not_marked_sent(tmp_path, hook):
    url, bodies = hook
    ws = _ws(tmp_path)
    ws.close()
    # No loopback exception in the settings file: the address guard refuses 127.0.0.1.
    result = CliRunner().invoke(
        app,
        [
            "-w",
            str(tmp_path / "ws"),
            "send",
            "draft",
            "--issue",
            "2025-03-10",
            "--to",
            f"webhook:{url}",
        ],
    )
    assert result.exit_code == 1 and "refused" in result.output and bodies == []
    with Workspace.open(tmp_path / "ws") as again:
        assert [s["status"] for s in list_sends(again.store)] == ["failed"]


def test_run_ends_with_the_configured_send_once(tmp_path, hook):
    url, bodies = hook
    ws = _ws(tmp_path, send={"to": [f"webhook:{url}"], "what": "draft", "retries": 0})
    try:
        ws.run()  # nothing dated this week: the send step is skipped and logged
        assert bodies == []
        article_id, _ = ws.store.discover(
            NewArticle(
                url="https://news.example/today",
                origin_kind="issue",
                origin_date=date.today().isoformat(),
            )
        )
        card = Card(title="Today", summary="Something new today.", themes=["news"])
        ws.store.save_card(article_id, status="ok", card=card, provenance={"analyzer": "x"})
        ws.run()
        assert len(bodies) == 1 and bodies[0]["subject"].startswith("Draft: Week")
        ws.run()  # cron again: the same draft is not sent twice
        assert len(bodies) == 1
        assert [s["status"] for s in list_sends(ws.store)] == ["sent"]
    finally:
        ws.close()


def test_ask_draft_and_story_commands(tmp_path):
    ws = _ws(tmp_path)
    ws.close()
    runner = CliRunner()
    base = ["-w", str(tmp_path / "ws")]
    answer = runner.invoke(app, [*base, "ask", "Why does grid storage grow?"])
    assert answer.exit_code == 0, answer.output
    assert "[1] Grid storage" in answer.output and "https://news.example/0" in answer.output
    as_json = runner.invoke(app, [*base, "ask", "grid storage", "--json"])
    data = json.loads(as_json.output)
    assert data["found"] and data["claims"][0]["citations"][0]["title"] == "Grid storage"
    nothing = runner.invoke(app, [*base, "ask", "sourdough rye flour recipe"])
    assert nothing.exit_code == 1 and "Nothing in the corpus" in nothing.output
    empty = runner.invoke(app, [*base, "ask", "  "])
    assert empty.exit_code == 2 and "empty" in empty.output
    draft = runner.invoke(app, [*base, "draft", "--issue", "2025-03-10"])
    assert draft.exit_code == 0 and draft.output.startswith("# Issue of 2025-03-10")
    out = tmp_path / "d.md"
    assert (
        runner.invoke(
            app, [*base, "draft", "--period", "week", "--date", "2025-03-12", "-o", str(out)]
        ).exit_code
        == 0
    )
    assert "2 articles in 2 themes." in out.read_text()
    bad_date = runner.invoke(app, [*base, "draft", "--issue", "March"])
    assert bad_date.exit_code == 2
    story = runner.invoke(app, [*base, "story", "--issue", "2025-03-10"])
    assert story.exit_code == 1 and "needs an LLM" in story.output


def test_run_send_options_deliver_and_report_the_send(tmp_path, hook, monkeypatch):
    """`techwatch run --send draft --to webhook:…` (cron): sent once, reported and printed."""
    url, bodies = hook
    ws = _ws(tmp_path)
    article_id, _ = ws.store.discover(
        NewArticle(
            url="https://news.example/today",
            origin_kind="issue",
            origin_date=date.today().isoformat(),
        )
    )
    card = Card(title="Today", summary="Something new today.", themes=["news"])
    ws.store.save_card(article_id, status="ok", card=card, provenance={"analyzer": "x"})
    report = ws.run(send="draft", to=[f"webhook:{url}"])
    assert [s.status for s in report.sent] == ["sent"] and report.send_error == ""
    assert report.to_dict()["sent"][0]["target"].startswith("webhook:")
    assert len(bodies) == 1 and bodies[0]["subject"].startswith("Draft: Week")
    with pytest.raises(ValueError, match="malformed e-mail address"):
        ws.run(send="draft", to=["mail:not-an-address"])
    ws.close()
    monkeypatch.setenv("TECHWATCH_FETCH__ALLOWED_NETWORKS", '["127.0.0.0/8"]')
    runner = CliRunner()
    base = ["-w", str(tmp_path / "ws"), "run"]
    again = runner.invoke(app, [*base, "--send", "draft", "--to", f"webhook:{url}"])
    assert again.exit_code == 0, again.output
    assert f"send to webhook:{url}: already_sent" in again.output and len(bodies) == 1
    review = runner.invoke(app, [*base, "--send", "review", "--to", f"webhook:{url}"])
    assert review.exit_code == 0, review.output
    assert "send to webhook:" in review.output and ": sent" in review.output
    assert len(bodies) == 2 and bodies[1]["subject"].startswith("Review")
    bad = runner.invoke(app, [*base, "--send", "draft", "--to", "mail:not-an-address"])
    assert bad.exit_code == 2 and "malformed e-mail address" in bad.output
    lonely = runner.invoke(app, [*base, "--to", f"webhook:{url}"])
    assert lonely.exit_code == 2 and "--send" in lonely.output
    assert len(bodies) == 2


def test_run_reports_a_skipped_send(tmp_path, hook):
    url, bodies = hook
    ws = _ws(tmp_path)
    try:
        report = ws.run(send="draft", to=[f"webhook:{url}"])  # nothing dated this week
        assert report.sent == [] and report.send_error and bodies == []
    finally:
        ws.close()
