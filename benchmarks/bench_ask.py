"""Ask on the real corpus: offline answers to the committed questions, latency beside FTS.

    .venv/bin/python benchmarks/bench_ask.py [--runs 3] [--answers answers.md]

Imports ../shared/corpus/futures-pages into a temporary workspace, embeds it once, then asks
each question of `ask_questions.json` (written before any answer was seen) offline. It
prints the p50/p95 latency of `ask` beside plain FTS5 search over cards (`Store.search_cards`,
the baseline) measured in the same run, and writes every answer with its citations to a
markdown file, to be judged by reading: does each cited card support the claim?
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "futures-pages"
QUESTIONS = Path(__file__).with_name("ask_questions.json")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--answers", type=Path, default=Path("ask-answers.md"))
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"the shared corpus is missing: {CORPUS}")
    from techwatch.workspace import Workspace

    questions = json.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    with tempfile.TemporaryDirectory() as tmp, Workspace.init(Path(tmp) / "ws") as ws:
        started = time.perf_counter()
        ws.import_pages(CORPUS)
        imported = time.perf_counter() - started
        started = time.perf_counter()
        ws.embed()
        embedded = time.perf_counter() - started
        ws.ask("warm up the caches", backend="extractive")
        ask_times: list[float] = []
        fts_times: list[float] = []
        answers = []
        for q in questions:
            for _ in range(args.runs):
                t0 = time.perf_counter()
                answer = ws.ask(q["question"], backend="extractive")
                ask_times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                ws.store.search_cards(q["question"], limit=8)
                fts_times.append(time.perf_counter() - t0)
            answers.append((q, answer))
        lines = ["# Offline answers to benchmarks/ask_questions.json", ""]
        for q, answer in answers:
            lines += [f"## {q['id']}: {q['question']}", f"_expected: {q['expect']}_", ""]
            lines += [f"> note: {n}" for n in answer.notes]
            lines += ["```", answer.text(), "```", ""]
        args.answers.write_text("\n".join(lines), encoding="utf-8")
    found = sum(a.found for _q, a in answers)
    expected_nothing = [q["id"] for q, a in answers if q["expect"] == "nothing" and not a.found]
    print(f"corpus: imported in {imported:.1f}s, embedded in {embedded:.1f}s")
    print(f"questions: {len(questions)}, answered {found}, said 'nothing' {len(questions) - found}")
    print(f"off-topic questions answered 'nothing': {expected_nothing}")
    a50, a95 = pct(ask_times, 0.5), pct(ask_times, 0.95)
    f50, f95 = pct(fts_times, 0.5), pct(fts_times, 0.95)
    print(
        f"ask (offline) p50 {a50 * 1000:.0f} ms, p95 {a95 * 1000:.0f} ms over {len(ask_times)} calls"
    )
    print(f"FTS5 search   p50 {f50 * 1000:.1f} ms, p95 {f95 * 1000:.1f} ms (baseline)")
    print(
        f"ratio ask / FTS at p95: {a95 / f95:.0f}x; mean ask {statistics.mean(ask_times) * 1000:.0f} ms"
    )
    print(f"answers written to {args.answers} (judge each citation by reading)")


if __name__ == "__main__":
    main()
