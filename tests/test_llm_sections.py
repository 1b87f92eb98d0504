"""Per-section cards: six short calls sharing the article as a prefix, one card out.

The scripted loopback server checks what is sent (one schema per kind, the same article
prefix, numbered candidates) and what is assembled (sources become verbatim evidence,
repeats across lists dropped, cached tokens summed). The real tiny model (SmolLM2 135M,
in-process through xllamacpp) proves the grammar fills every list to its minimum and
the server's prompt cache reuses the article for every call after the first.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from openai_script_server import ScriptServer, completion
from techwatch.analyze.base import ArticleInput
from techwatch.analyze.extractive import ExtractiveAnalyzer
from techwatch.analyze.llm import ChatReply
from techwatch.analyze.openai_backend import OpenAIAnalyzer
from techwatch.analyze.sections import (
    SECTIONS_VERSION,
    article_block,
    item_schema,
    section_candidates,
)
from techwatch.card import ITEM_KINDS
from techwatch.config import AnalyzeConfig
from test_llm_small_models import MODEL, needs_model
from test_llm_small_models import TEXT as SMALL_MODELS_TEXT

# The small-model tests' article, with an open question for the issues list.
TEXT = SMALL_MODELS_TEXT + " Will the suburbs accept a rule made for the centre?"
ARTICLE = ArticleInput(id="paris", text=TEXT, title="Paris bans cars")
OVERVIEW = {
    "summary": ["Paris bans cars", "Buses replace them.", "Shops worry.", "Buses replace them."],
    "keywords": ["Paris", "car ban", "Paris", "cargo bikes", "buses", "pollution"],
    "themes": ["city", "mobility"],
    "category": "city",
    "type": "news",
}


def _item(name: str, source: int, **extra: Any) -> dict[str, Any]:
    return (
        {"name": name, "description": f"{name} in the city.", "relevancy": 3}
        | extra
        | {"source": source}
    )


def _signal(name: str, source: int) -> dict[str, Any]:
    return _item(
        name, source, change="from cars to buses", ten_year="few cars", driving_force="air"
    )


def test_candidates_per_kind_start_with_the_extractive_items_and_are_verbatim() -> None:
    extractive = ExtractiveAnalyzer()
    found = section_candidates(ARTICLE, extractive)
    base = extractive.build_card(ARTICLE)
    assert set(found) == set(ITEM_KINDS)
    for kind, sentences in found.items():
        assert 1 <= len(sentences) <= 6
        assert all(s in TEXT for s in sentences)
        assert len(set(sentences)) == len(sentences)
        own = [i.evidence for i in getattr(base, kind)]
        assert sentences[: len(own)] == own  # the extractive analyzer's picks come first
    assert any("worry" in s for s in found["concerns"])
    assert any(s.endswith("?") for s in found["issues"])  # an open question is an issue
    assert not any(s.endswith("?") for s in found["concerns"])


def test_item_schema_bounds_counts_strings_and_sources() -> None:
    schema = item_schema("signals", 4, 2, 3)
    items = schema["properties"]["items"]
    assert (items["minItems"], items["maxItems"]) == (2, 3)
    props = items["items"]["properties"]
    assert props["source"]["maximum"] == 4 and "evidence" not in props
    assert props["source"]["minimum"] == 1  # a cued kind's items come from a candidate
    tech = item_schema("technologies", 4, 2, 3)["properties"]["items"]["items"]["properties"]
    assert tech["source"]["minimum"] == 0
    assert {"change", "ten_year", "driving_force"} <= set(props)
    assert props["name"]["maxLength"] <= 80 and props["description"]["minLength"] > 0
    assert (
        "change"
        not in item_schema("concerns", 4, 2, 3)["properties"]["items"]["items"]["properties"]
    )


def test_setting_accepts_per_section_and_refuses_unknown_styles() -> None:
    assert AnalyzeConfig(prompt_style="per-section").prompt_style == "per-section"
    with pytest.raises(ValueError):
        AnalyzeConfig(prompt_style="sections-please")


def test_per_section_over_http_shares_the_prefix_and_assembles_one_card() -> None:
    found = section_candidates(ARTICLE, ExtractiveAnalyzer())
    risk = next(i for i, s in enumerate(found["concerns"], 1) if "worry" in s)
    question = next(i for i, s in enumerate(found["issues"], 1) if s.endswith("?"))
    replies = [OVERVIEW] + [
        {"items": [_signal("Car-free centre", 1), _signal("Cargo bike deliveries", 0)]},
        {"items": [_item("Fewer shop customers", risk), _item("Car-free centre", 1)]},
        {"items": [_item("Car-free centre", 0, description="The article says that cars go.")]},
        {"items": [_item("Electric buses", 0)]},
        {"items": [_item("Suburbs and the rule", question)]},
    ]
    script = []
    for reply in replies:
        scripted = completion(json.dumps(reply), prompt_tokens=300)
        scripted.body["usage"]["prompt_tokens_details"] = {"cached_tokens": 250}
        script.append(scripted)
    with ScriptServer(script) as server:
        analyzer = OpenAIAnalyzer(server.base_url, "k", "m", profile="small")
        assert analyzer.prompt_style == "per-section"  # the small profile's default
        result = analyzer.analyze(ARTICLE)
        analyzer.close()
    assert result.status == "ok", result.reason
    assert result.prompt_version == SECTIONS_VERSION and result.calls == 6
    assert result.extra["cached_prompt_tokens"] == 6 * 250
    card = result.card
    assert card.title == "Paris bans cars" and card.category == "city"
    assert card.keywords.count("Paris") == 1  # repeats the grammar allowed are gone
    assert card.summary == "Paris bans cars. Buses replace them. Shops worry."
    # a thing two lists name stays in the first list of DEDUPE_ORDER, unless that would
    # empty a list: behaviors named only that thing, so it moves there, and the signals
    # keep their other item
    assert [i.name for i in card.signals] == ["Cargo bike deliveries"]
    assert [i.name for i in card.concerns] == ["Fewer shop customers"]
    # the item citing a candidate gets that sentence verbatim as its evidence
    assert card.concerns[0].evidence == found["concerns"][risk - 1]
    assert card.issues[0].evidence.endswith("?")
    # behaviors only repeated a concern: the list keeps it rather than end empty, and
    # the model's "The article says that" is gone from the description
    assert [(i.name, i.description) for i in card.behaviors] == [("Car-free centre", "Cars go.")]
    assert result.ungrounded_dropped == 0
    assert all(i.grounded for items in card.items().values() for i in items)
    # every call: the same system message and article block first, then its own task
    prefix = article_block(TEXT, "Paris bans cars")
    users = [r["messages"][1]["content"] for r in server.requests]
    assert all(u.startswith(prefix) for u in users)
    assert len({r["messages"][0]["content"] for r in server.requests}) == 1
    assert len({u[len(prefix) :] for u in users}) == 6
    schemas = [r["response_format"]["json_schema"]["schema"] for r in server.requests]
    assert "summary" in schemas[0]["properties"]
    for schema, kind in zip(schemas[1:], ITEM_KINDS, strict=True):
        items = schema["properties"]["items"]
        assert items["minItems"] == analyzer.min_items[kind]
        assert items["items"]["properties"]["source"]["maximum"] == len(found[kind])
        assert f"[1] {found[kind][0]}" in users[1 + ITEM_KINDS.index(kind)]


def test_a_failed_section_empties_its_list_and_keeps_the_card() -> None:
    replies = [completion(json.dumps(OVERVIEW))]
    replies += [completion("not json at all")] + [
        completion(json.dumps({"items": [_item(f"Thing {k}", 0)]})) for k in range(4)
    ]
    with ScriptServer(replies) as server:
        analyzer = OpenAIAnalyzer(server.base_url, "k", "m", profile="small")
        assert analyzer.prompt_style == "per-section"  # the small profile's default
        result = analyzer.analyze(ARTICLE)
        analyzer.close()
    assert result.status == "ok", result.reason
    assert result.card.signals == []
    assert result.extra["chunk_failures"][0].startswith("signals: invalid_json")


@pytest.mark.slow
@pytest.mark.timeout(900)
@needs_model
def test_tiny_model_per_section_fills_lists_and_reuses_the_article_prefix() -> None:
    from techwatch.analyze.llamacpp_backend import LlamaCppAnalyzer

    analyzer = LlamaCppAnalyzer(
        MODEL, n_ctx=4096, n_threads=1, grounding="flag", prompt_style="per-section"
    )
    replies: list[tuple[dict[str, Any], ChatReply]] = []
    chat = analyzer._chat

    def recording(messages: list[dict[str, str]], max_tokens: int, schema: Any = None) -> Any:
        reply = chat(messages, max_tokens, schema)
        replies.append((schema, reply))
        return reply

    analyzer._chat = recording  # type: ignore[method-assign]
    try:
        article_tokens = analyzer.count_tokens(ARTICLE.text)
        result = analyzer.analyze(ARTICLE)
    finally:
        analyzer.close()
    assert result.status == "ok", result.reason
    assert result.calls == 6 and len(replies) == 6
    # the grammar fills every list to its minimum (before dedupe across lists)
    for (schema, reply), kind in zip(replies[1:], ITEM_KINDS, strict=True):
        items = json.loads(reply.content)["items"]
        assert len(items) >= schema["properties"]["items"]["minItems"] == analyzer.min_items[kind]
    assert len(result.card.keywords) >= 1 and result.card.summary
    # every call after the first reused at least the article from the server's cache
    assert replies[0][1].cached_tokens < article_tokens
    assert all(reply.cached_tokens >= article_tokens for _, reply in replies[1:])
    assert result.extra["cached_prompt_tokens"] >= 5 * article_tokens
    assert any(result.card.items().values())
    # evidence is a candidate sentence or the article sentence closest to the item
    evidenced = [i for items in result.card.items().values() for i in items if i.evidence]
    assert evidenced and all(i.grounded for i in evidenced)
