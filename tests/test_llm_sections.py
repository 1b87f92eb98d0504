"""Per-section cards: short calls sharing the article as a prefix, one card out.

The scripted loopback server checks what is sent (one schema per kind, the same article
prefix, numbered candidates judged yes or no, a free list when none is a yes) and what
is assembled (judged sentences become verbatim evidence, repeats across lists dropped,
cached tokens summed). The real tiny model (SmolLM2 135M, in-process through xllamacpp)
proves the grammar answers every candidate and fills free lists to their minimum, and
the server's prompt cache reuses the article for every call after the first.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from openai_script_server import ScriptServer, completion
from techwatch.analyze.base import ArticleInput
from techwatch.analyze.extractive import ExtractiveAnalyzer
from techwatch.analyze.llm import ChatReply, Usage
from techwatch.analyze.openai_backend import OpenAIAnalyzer
from techwatch.analyze.sections import (
    JUDGED_KINDS,
    NAME_CHARS,
    SECTION_MAX_ITEMS,
    SECTIONS_VERSION,
    Conversation,
    SectionLimits,
    article_block,
    copies_opening,
    dedupe_keeping_lists,
    item_schema,
    judge_candidates,
    leading_picks,
    section_candidates,
    section_card,
    strip_stray_script,
    verdict_schema,
    whole_words,
)
from techwatch.card import ITEM_KINDS, Card, Item, Signal
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


def _verdicts(n_candidates: int, yes: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """A judged kind's reply: every candidate number, a yes with its item or a no."""
    out: dict[str, Any] = {}
    for number in range(1, n_candidates + 1):
        item = yes.get(number)
        if item is None:
            out[str(number)] = {"verdict": "no"}
        else:
            out[str(number)] = {"verdict": "yes"} | {k: v for k, v in item.items() if k != "source"}
    return out


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


def test_verdict_schema_asks_every_candidate_yes_with_an_item_or_no() -> None:
    schema = verdict_schema("signals", 3)
    assert schema["required"] == ["1", "2", "3"] and not schema["additionalProperties"]
    no, yes = schema["properties"]["2"]["anyOf"]
    assert no["properties"] == {"verdict": {"type": "string", "enum": ["no"]}}
    assert yes["properties"]["verdict"]["enum"] == ["yes"]
    assert {"name", "description", "change", "ten_year", "driving_force"} <= set(yes["required"])
    assert "source" not in yes["properties"]  # the candidate's number is the source
    assert "change" not in verdict_schema("issues", 2)["properties"]["1"]["anyOf"][1]["required"]


def test_a_yes_named_with_the_sentence_opening_counts_as_a_no_except_for_picks() -> None:
    sentences = [
        "Residents are increasingly using local services near their homes.",
        "There are tens of thousands of small water utilities in Europe.",
        "Shop owners now share delivery vans across the district.",
        "Most reach small audiences, but a few went viral.",
    ]
    named = {
        1: "Residents are increasingly using",  # the analyzer's pick: kept whatever its name
        2: "There are tens of thousands",  # copied opening: a no
        3: "Shared delivery vans",
        4: "Most reach",  # two words are too few to call it copied
    }
    reply = {
        str(n): {"verdict": "yes", "name": v, "description": "d" * 30, "relevancy": 3}
        for n, v in named.items()
    }
    sent: list[dict[str, Any]] = []

    def chat(messages: list[dict[str, str]], budget: int, schema: dict[str, Any]) -> ChatReply:
        sent.append(schema)
        return ChatReply(json.dumps(reply))

    usage = Usage()
    talk = Conversation(chat, lambda r: json.loads(r.content), "", " ".join(sentences), usage)
    found = judge_candidates(talk, "behaviors", sentences, 1)
    assert [(item["name"], evidence) for item, evidence in found] == [
        (named[1], sentences[0]),
        (named[3], sentences[2]),
        (named[4], sentences[3]),
    ]
    assert sent[0]["properties"]["1"]["properties"]["verdict"]["enum"] == ["yes"]
    assert copies_opening("THE models, summarise", "The models summarise notifications.")
    assert not copies_opening("Models summarise notifications", "The models summarise it.")
    # the grammar cuts a copied name at its length, maybe mid-word: still a copy
    assert copies_opening(
        "Authorities have attributed intrus", "Authorities have attributed intrusions."
    )


def test_a_name_the_grammar_cut_ends_on_a_whole_word_and_keys_not_asked_are_dropped() -> None:
    sentence = "Several governments now fund new domestic fabs and an advanced packaging plant."
    cut = sentence[:NAME_CHARS]  # what the grammar lets through of a copied sentence
    assert cut.endswith("fabs and an a")  # cut mid-word, then two words a name ends not on
    assert whole_words(cut) == "Several governments now fund new domestic fabs"
    assert whole_words("Grid-forming batteries") == "Grid-forming batteries"  # short: as is

    # through the whole card: every item the fake model names gets the cut name, and the
    # model (a server that ignores the schema) adds keys the card does not have
    def chat(messages: list[dict[str, str]], budget: int, schema: dict[str, Any]) -> ChatReply:
        props = schema["properties"]
        if "summary" in props:
            return ChatReply(json.dumps(OVERVIEW | {"mood": "upbeat"}))
        item = {"name": cut, "description": "d" * 30, "relevancy": 3}
        item |= dict.fromkeys(("change", "ten_year", "driving_force"), "c" * 20)
        if "items" in props:
            return ChatReply(json.dumps({"items": [item | {"source": 1}]}))
        return ChatReply(json.dumps({n: {"verdict": "yes"} | item for n in props}))

    card = section_card(
        chat,
        lambda r: json.loads(r.content),
        TEXT,
        ARTICLE,
        ExtractiveAnalyzer(),
        Usage(),
        categories=("city",),
        types=("news",),
        limits=SectionLimits({}, {}),
    )
    names = {i.name for items in card.items().values() for i in items}
    assert names == {whole_words(cut)}
    assert card.signals[0].change == "c" * 20 and card.category == "city"


def test_dedupe_across_lists_by_name_or_judged_sentence_never_empties_a_list() -> None:
    def item(name: str, evidence: str, relevancy: int = 3) -> Item:
        return Item(name=name, description=f"{name}.", evidence=evidence, relevancy=relevancy)

    rule, hubs = "The EU will require data centres to report.", "Data centres are the new load."
    card = Card(
        technologies=[item("Data centres", hubs), item("Grid batteries", hubs)],
        # a technology named in a judged item's sentence is not a repeat
        signals=[Signal(**item("Computing becomes the largest load", hubs).model_dump())],
        # related names from other sentences are other items; within a list near-equal
        # names are one item (the more relevant one, in the first one's place)
        issues=[item("Data centre reporting rule", rule), item("Reporting rule", rule, 4)],
        # a sentence another judged list took is a repeat, unless the list would be empty
        concerns=[item("Grid strain", hubs)],
        # the same name as a technology: the judged list keeps it, the free list drops it
        behaviors=[item("data centres", "Operators build data centres.")],
    )
    out = dedupe_keeping_lists(card)
    assert [i.name for i in out.signals] == ["Computing becomes the largest load"]
    assert [i.name for i in out.issues] == ["Reporting rule"]
    assert [i.name for i in out.behaviors] == ["data centres"]
    assert [i.name for i in out.technologies] == ["Grid batteries"]
    # concerns only repeated the signal's sentence: it stays rather than end empty, and
    # the signal stays too, since that list has no other item
    assert [i.name for i in out.concerns] == ["Grid strain"]
    two = card.model_copy(
        update={"signals": [*card.signals, Signal(name="Load shift", evidence="x")]}
    )
    out = dedupe_keeping_lists(two)
    assert [i.name for i in out.concerns] == ["Grid strain"]
    assert [i.name for i in out.signals] == ["Load shift"]


def test_a_script_switch_the_article_does_not_use_is_removed_from_model_text() -> None:
    reply = {"items": [{"name": "Outbound投资 screening", "description": "EU rules本地."}]}
    cleaned = strip_stray_script(reply, "The EU will screen outbound investment.")
    assert cleaned == {"items": [{"name": "Outbound screening", "description": "EU rules ."}]}
    # an article written in Chinese keeps the model's Chinese as it is
    assert strip_stray_script(reply, "欧盟将审查对外投资。") == reply


def test_setting_accepts_per_section_and_refuses_unknown_styles() -> None:
    assert AnalyzeConfig(prompt_style="per-section").prompt_style == "per-section"
    with pytest.raises(ValueError):
        AnalyzeConfig(prompt_style="sections-please")


def test_per_section_over_http_shares_the_prefix_and_assembles_one_card() -> None:
    found = section_candidates(ARTICLE, ExtractiveAnalyzer())
    risk = next(i for i, s in enumerate(found["concerns"], 1) if "worry" in s)
    question = next(i for i, s in enumerate(found["issues"], 1) if s.endswith("?"))
    n = {kind: len(found[kind]) for kind in ITEM_KINDS}
    replies = [OVERVIEW] + [
        _verdicts(n["signals"], {1: _signal("Car-free centre", 1), 2: _signal("Cargo bikes", 2)}),
        _verdicts(
            n["concerns"],
            {risk: _item("Fewer shop customers", risk), 1: _item("Car-free centre", 1)},
        ),
        _verdicts(n["behaviors"], {}),  # no candidate is a behavior: a free list follows
        {"items": [_item("Car-free centre", 0, description="The article says that cars go.")]},
        {"items": [_item("Electric buses", 0)]},
        _verdicts(n["issues"], {question: _item("Suburbs and the rule", question)}),
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
    assert result.prompt_version == SECTIONS_VERSION and result.calls == 7
    assert result.extra["cached_prompt_tokens"] == 7 * 250
    card = result.card
    assert card.title == "Paris bans cars" and card.category == "city"
    assert card.keywords.count("Paris") == 1  # repeats the grammar allowed are gone
    assert card.summary == "Paris bans cars. Buses replace them. Shops worry."
    # a thing two lists name stays in the first list of DEDUPE_ORDER, unless that would
    # empty a list: behaviors named only that thing, so it moves there, and the signals
    # keep their other item
    assert [i.name for i in card.signals] == ["Cargo bikes"]
    assert card.signals[0].evidence == found["signals"][1]
    assert [i.name for i in card.concerns] == ["Fewer shop customers"]
    # an item judged from a candidate gets that sentence verbatim as its evidence
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
    assert len({u[len(prefix) :] for u in users}) == 7
    schemas = [r["response_format"]["json_schema"]["schema"] for r in server.requests]
    assert "summary" in schemas[0]["properties"]
    judged = {1: "signals", 2: "concerns", 3: "behaviors", 6: "issues"}
    base = ExtractiveAnalyzer().build_card(ARTICLE)
    for call, kind in judged.items():
        assert schemas[call]["required"] == [str(i) for i in range(1, n[kind] + 1)]
        assert all(f"[{i}] {s}" in users[call] for i, s in enumerate(found[kind], 1))
        # the extractive analyzer's own picks come first and can only be a yes
        picks = leading_picks(found[kind], getattr(base, kind))
        assert picks == len(getattr(base, kind)) >= 1
        for number, verdict in schemas[call]["properties"].items():
            if int(number) <= picks:
                assert verdict["properties"]["verdict"]["enum"] == ["yes"]
            else:
                assert [a["properties"]["verdict"]["enum"] for a in verdict["anyOf"]] == [
                    ["no"],
                    ["yes"],
                ]
    # the free lists: behaviors after no yes (at least one item), and technologies
    for call, kind in ((4, "behaviors"), (5, "technologies")):
        items = schemas[call]["properties"]["items"]
        assert items["minItems"] == (1 if kind in JUDGED_KINDS else 2)
        assert items["maxItems"] == min(analyzer.max_items[kind], SECTION_MAX_ITEMS[kind])
        assert items["items"]["properties"]["source"]["maximum"] == n[kind]


def test_a_failed_section_empties_its_list_and_keeps_the_card() -> None:
    found = section_candidates(ARTICLE, ExtractiveAnalyzer())
    # signals: the verdict reply and the free list after it are both broken
    replies = [completion(json.dumps(OVERVIEW)), completion("not json"), completion("{")]
    for kind in ("concerns", "behaviors"):
        yes = {1: _item(f"Thing {kind}", 1)}
        replies.append(completion(json.dumps(_verdicts(len(found[kind]), yes))))
    replies.append(completion(json.dumps({"items": [_item("Electric buses", 0)]})))
    yes = {1: _item("Suburbs and the rule", 1)}
    replies.append(completion(json.dumps(_verdicts(len(found["issues"]), yes))))
    with ScriptServer(replies) as server:
        analyzer = OpenAIAnalyzer(server.base_url, "k", "m", profile="small")
        assert analyzer.prompt_style == "per-section"  # the small profile's default
        result = analyzer.analyze(ARTICLE)
        analyzer.close()
    assert result.status == "ok", result.reason
    assert result.card.signals == [] and result.calls == 7
    assert [i.name for i in result.card.concerns] == ["Thing concerns"]
    assert [i.name for i in result.card.technologies] == ["Electric buses"]
    failures = result.extra["chunk_failures"]
    assert failures[0].startswith("signals: invalid_json") and failures[1].startswith("signals")


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
    assert result.calls == len(replies) >= 6
    # the grammar answers every candidate of a judged kind, yes with an item or no, and
    # fills a free list to its minimum
    for schema, reply in replies[1:]:
        data = json.loads(reply.content)
        if "items" in schema["properties"]:
            assert len(data["items"]) >= schema["properties"]["items"]["minItems"] >= 1
        else:
            assert list(data) == schema["required"]
            assert all(v["verdict"] in ("yes", "no") for v in data.values())
            assert all(v["name"] for v in data.values() if v["verdict"] == "yes")
    for kind in ITEM_KINDS:
        assert len(getattr(result.card, kind)) <= SECTION_MAX_ITEMS[kind]
    assert len(result.card.keywords) >= 1 and result.card.summary
    # every call after the first reused at least the article from the server's cache
    assert replies[0][1].cached_tokens < article_tokens
    assert all(reply.cached_tokens >= article_tokens for _, reply in replies[1:])
    assert result.extra["cached_prompt_tokens"] >= 5 * article_tokens
    assert any(result.card.items().values())
    # evidence is a candidate sentence or the article sentence closest to the item
    evidenced = [i for items in result.card.items().values() for i in items if i.evidence]
    assert evidenced and all(i.grounded for i in evidenced)
