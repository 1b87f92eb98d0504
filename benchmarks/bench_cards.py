"""Card quality: how well produced cards match reference cards, backends side by side.

    python benchmarks/bench_cards.py [--embedder minilm|hashing] [--threshold 0.5] [--split]
    python benchmarks/bench_cards.py --backend llamacpp --model-path FILE.gguf \
        [--prompt card-v2 --prompt guided] [--n-ctx 8192] [--max-output-tokens 1500] [--limit 6]
    python benchmarks/bench_cards.py --backend openai --base-url URL --model NAME

Every run scores the naive `baseline` and the offline `extractive` analyzer; with
`--backend`, the LLM analyzer too (once per `--prompt` style), on the same articles in
the same run, so the rows compare directly.

With `--split`, the articles are also scored as two halves (even and odd positions), so a
change tuned while looking at one half can be checked on the other: a rule that helps only
one half is probably fitted to its articles rather than general.

For every article with a reference card and every item field, an item is *matched* when
some item on the other side has cosine similarity >= threshold ("name: description" for
items, the text for keywords). Recall = share of reference items matched by a produced
item; precision = share of produced items matching a reference item (micro-averaged over
articles). The table also gives the mean of P and R over thresholds 0.30-0.90 (an
area-under-threshold summary, less sensitive to the chosen threshold).

Beside P/R, each analyzer gets: the share of empty item lists, the summary length in
sentences (min / median / max, and the share within 4-6), items dropped as ungrounded,
failed cards, and seconds and tokens per card.

The baseline: plain YAKE (default settings) for keywords and the article's first
sentences for every item list, as many items as the extractive analyzer produced, so the
comparison is about which items, not how many.

Reference cards: `src/techwatch/demo/reference_cards.json` (URL path -> Card JSON) for the
demo articles; without it, two small hand-written pairs below.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import re
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import yake

from techwatch.analyze.base import ArticleInput
from techwatch.analyze.extractive import ExtractiveAnalyzer
from techwatch.analyze.sentences import split_sentences
from techwatch.card import ITEM_KINDS, Card, Item
from techwatch.embed import Embedder, get_embedder

FIELDS = ("keywords", "technologies", "signals", "concerns", "behaviors", "issues")
THRESHOLDS = np.round(np.arange(0.30, 0.901, 0.05), 2)
DEFAULT_THRESHOLD = {"minilm": 0.5, "hashing": 0.35}
REFERENCE_FILE = Path(__file__).resolve().parents[1] / "src/techwatch/demo/reference_cards.json"


@dataclass
class Case:
    article: ArticleInput
    reference: Card


# ---------------------------------------------------------------------------- data


def _demo_articles() -> list[object]:
    """Demo articles from `techwatch.demo` (any tuple of DemoArticle in its modules)."""
    import techwatch.demo as demo

    found: dict[str, object] = {}
    names = ["techwatch.demo.articles"] + [
        f"techwatch.demo.{m.name}" for m in pkgutil.iter_modules(demo.__path__)
    ]
    for name in names:
        try:
            module = importlib.import_module(name)
        except Exception:
            continue
        for value in vars(module).values():
            if isinstance(value, tuple | list):
                for item in value:
                    if hasattr(item, "path") and hasattr(item, "text") and hasattr(item, "title"):
                        found.setdefault(item.path, item)
    return list(found.values())


def load_cases() -> tuple[list[Case], str]:
    if REFERENCE_FILE.exists():
        refs = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
        cases = []
        for demo in _demo_articles():
            ref = refs.get(demo.path)  # type: ignore[attr-defined]
            if ref is None:
                continue
            article = ArticleInput(
                id=demo.path,  # type: ignore[attr-defined]
                text=demo.text,  # type: ignore[attr-defined]
                title=demo.title,  # type: ignore[attr-defined]
                url=demo.path,  # type: ignore[attr-defined]
                language=getattr(demo, "lang", "en"),
            )
            cases.append(Case(article, Card.model_validate(ref)))
        cases.sort(key=lambda c: c.article.id)  # a stable order, whatever the module layout
        if cases:
            return cases, f"demo corpus ({REFERENCE_FILE.name})"
    return builtin_cases(), "built-in pairs (no demo reference cards found)"


def builtin_cases() -> list[Case]:
    text = (
        "ByteDance has ordered around $1 billion worth of Nvidia GPUs this year, according to "
        "a report by the Financial Times. The order includes roughly 100,000 units of Nvidia's "
        "A100 and H800 cards, despite export restrictions imposed by the U.S. government.\n\n"
        "Demand for high performance computing hardware among Chinese companies has surged, "
        "and firms such as Alibaba and Tencent are now negotiating directly with Nvidia because "
        "the local distributor chain struggles to cope.\n\n"
        "Chinese tech giants are increasingly turning to large language models to stay "
        "competitive. Analysts say the shift from small pilot projects to massive GPU clusters "
        "is driven by the fear of falling behind in AI. By 2030, China could lead in AI.\n\n"
        "Critics warn that the surge in AI spending raises concerns about state surveillance, "
        "since facial recognition depends on the same chips. There is also a risk that U.S. "
        "export controls will tighten further, which could harm Nvidia's revenue in China.\n\n"
        "The H800 cards only began production in March 2023. Lawmakers in Washington are "
        "debating new rules that would ban the sale of advanced chips to Chinese firms."
    )

    def item(name: str, description: str) -> dict[str, str]:
        return {"name": name, "description": description}

    ref = {
        "keywords": ["ByteDance", "Nvidia", "GPUs", "export restrictions", "Alibaba", "HPC"],
        "technologies": [
            item("Nvidia GPUs", "A100 and H800 graphics processors used for AI."),
            item("Large language models", "AI models that Chinese firms are adopting."),
            item("Facial recognition", "Surveillance technology relying on AI chips."),
        ],
        "signals": [
            item("AI compute build-up", "Chinese firms move from pilots to large GPU clusters."),
            item("China AI leadership", "China could lead in AI by 2030."),
        ],
        "concerns": [
            item("Surveillance", "AI spending could strengthen state surveillance."),
            item("Export control risk", "Tighter US export controls could hurt Nvidia."),
        ],
        "behaviors": [
            item("Direct procurement", "Firms negotiate directly with Nvidia for hardware."),
            item("LLM adoption", "Tech giants turn to large language models."),
        ],
        "issues": [
            item("Chip export ban", "Washington debates banning advanced chip sales to China."),
        ],
    }
    article = ArticleInput(id="builtin-1", text=text, title="Chinese tech giants buy GPUs")
    return [Case(article, Card.model_validate(ref))]


# ---------------------------------------------------------------------------- baseline


def baseline_card(article: ArticleInput, produced: Card) -> Card:
    """Plain YAKE keywords and the first sentences as every list, same counts as produced."""
    n_kw = max(1, len(produced.keywords))
    keywords = [kw for kw, _ in yake.KeywordExtractor(top=n_kw).extract_keywords(article.text)]
    sentences = [s.text for s in split_sentences(article.text)]

    def first(n: int) -> list[dict[str, str]]:
        return [
            {"name": " ".join(s.split()[:5]), "description": s, "evidence": s}
            for s in sentences[:n]
        ]

    data: dict[str, object] = {"keywords": keywords}
    for field in FIELDS[1:]:
        data[field] = first(len(getattr(produced, field)))
    return Card.model_validate(data)


# ---------------------------------------------------------------------------- scoring


def _texts(card: Card, field: str) -> list[str]:
    if field == "keywords":
        return list(card.keywords)
    items: list[Item] = getattr(card, field)
    return [f"{i.name}: {i.description}" for i in items]


@dataclass
class Tally:
    """Matched counts per threshold, summed over articles."""

    ref_total: int = 0
    out_total: int = 0
    ref_matched: np.ndarray | None = None
    out_matched: np.ndarray | None = None

    def add(self, sim: np.ndarray) -> None:
        if self.ref_matched is None:
            self.ref_matched = np.zeros(len(THRESHOLDS))
            self.out_matched = np.zeros(len(THRESHOLDS))
        n_ref, n_out = sim.shape
        self.ref_total += n_ref
        self.out_total += n_out
        if n_ref and n_out:
            best_ref = sim.max(axis=1)
            best_out = sim.max(axis=0)
            for k, t in enumerate(THRESHOLDS):
                self.ref_matched[k] += (best_ref >= t).sum()
                self.out_matched[k] += (best_out >= t).sum()  # type: ignore[index]

    def pr(self, k: int) -> tuple[float, float]:
        if self.ref_matched is None:
            return 0.0, 0.0
        p = self.out_matched[k] / self.out_total if self.out_total else 0.0  # type: ignore[index]
        r = self.ref_matched[k] / self.ref_total if self.ref_total else 0.0
        return float(p), float(r)

    def auc(self) -> tuple[float, float]:
        pairs = [self.pr(k) for k in range(len(THRESHOLDS))]
        return float(np.mean([p for p, _ in pairs])), float(np.mean([r for _, r in pairs]))


def similarity(embedder: Embedder, ref: list[str], out: list[str]) -> np.ndarray:
    if not ref or not out:
        return np.zeros((len(ref), len(out)))
    vectors = embedder.embed(ref + out)
    return vectors[: len(ref)] @ vectors[len(ref) :].T


@dataclass
class Produced:
    """One analyzer's cards for the cases, with what they cost."""

    name: str
    cards: list[Card]
    seconds: list[float]
    tokens: list[int]
    failed: int = 0
    ungrounded: int = 0
    reasons: list[str] | None = None
    cpu: list[float] | None = None  # CPU seconds of this process (in-process llama.cpp)
    cached: list[int] | None = None  # prompt tokens the server took from its cache


def run_analyzer(
    name: str,
    analyzer: Any,
    cases: list[Case],
    log: Any = None,
    save: Path | None = None,
) -> Produced:
    """Cards for every case, one at a time (seconds per card are wall time).

    CPU seconds are this process's (all threads: the in-process llama.cpp included), a
    figure that a paused (SIGSTOP) or starved process does not inflate.

    With `save`, every card is written to that JSON file as soon as it is made, so a long
    run that is stopped keeps what it did (and `--load` can score it later).
    """
    out = Produced(name, [], [], [], reasons=[], cpu=[], cached=[])
    for case in cases:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = analyzer.analyze(case.article)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        cached = int(result.extra.get("cached_prompt_tokens", 0))
        out.cpu.append(cpu)  # type: ignore[union-attr]
        out.cached.append(cached)  # type: ignore[union-attr]
        out.cards.append(result.card or Card())
        out.seconds.append(seconds)
        out.tokens.append(result.prompt_tokens + result.completion_tokens)
        out.ungrounded += result.ungrounded_dropped + result.ungrounded_flagged
        if result.status != "ok":
            out.failed += 1
            out.reasons.append(f"{case.article.id}: {result.reason}")  # type: ignore[union-attr]
        if log is not None:
            print(
                f"  {name:<22} {case.article.id[:60]:<60} {result.status:<6} {seconds:6.1f}s "
                f"cpu {cpu:6.1f}s {result.prompt_tokens}+{result.completion_tokens} tok "
                f"({cached} cached) {result.reason[:80]}",
                file=log,
                flush=True,
            )
        if save is not None:
            saved = json.loads(save.read_text(encoding="utf-8")) if save.exists() else {}
            saved.setdefault(name, {})[case.article.id] = {
                "card": out.cards[-1].model_dump(mode="json"),
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "cached_tokens": cached,
                "tokens": out.tokens[-1],
                "status": result.status,
                "reason": result.reason,
                "ungrounded": result.ungrounded_dropped + result.ungrounded_flagged,
            }
            save.write_text(json.dumps(saved, indent=1, ensure_ascii=False), encoding="utf-8")
    return out


def load_produced(path: Path, cases: list[Case]) -> list[Produced]:
    """Cards saved by an earlier run (`--save`), for the cases it covered, by analyzer name."""
    out = []
    for name, by_id in json.loads(path.read_text(encoding="utf-8")).items():
        if name == "extractive" or any(c.article.id not in by_id for c in cases):
            continue  # extractive is always recomputed; partial runs are skipped
        rows = [by_id[c.article.id] for c in cases]
        failed = [r for r in rows if r.get("status", "ok") != "ok"]
        out.append(
            Produced(
                name,
                [Card.model_validate(r["card"]) for r in rows],
                [float(r["seconds"]) for r in rows],
                [int(r["tokens"]) for r in rows],
                failed=len(failed),
                ungrounded=sum(int(r.get("ungrounded", 0)) for r in rows),
                reasons=[r.get("reason", "") for r in failed],
                cpu=[float(r.get("cpu_seconds", 0.0)) for r in rows],
                cached=[int(r.get("cached_tokens", 0)) for r in rows],
            )
        )
    return out


def evaluate(
    embedder: Embedder, cases: list[Case], produced: list[Produced]
) -> dict[str, dict[str, Tally]]:
    """Tallies per analyzer and field; the baseline copies the extractive item counts."""
    extractive = next(p for p in produced if p.name == "extractive")
    baseline = [
        baseline_card(c.article, card) for c, card in zip(cases, extractive.cards, strict=True)
    ]
    runs = {"baseline": baseline} | {p.name: p.cards for p in produced}
    tallies = {name: {f: Tally() for f in FIELDS} for name in runs}
    for name, cards in runs.items():
        for case, card in zip(cases, cards, strict=True):
            for field in FIELDS:
                sim = similarity(embedder, _texts(case.reference, field), _texts(card, field))
                tallies[name][field].add(sim)
    return tallies


_SENTENCE_END = re.compile(r"[.!?](?:[\"')\]]*)(?=\s+|$)")


def sentence_count(text: str) -> int:
    """Sentences in a summary (ends of sentence followed by space or the end)."""
    text = text.strip()
    return len(_SENTENCE_END.findall(text)) + (1 if text and text[-1] not in ".!?\"')]" else 0)


def report(tallies: dict[str, dict[str, Tally]], threshold: float, produced: list[Produced]) -> str:
    k = int(np.argmin(np.abs(THRESHOLDS - threshold)))
    names = list(tallies)
    head = f"{'field':<13} {'ref':>4} |" + "|".join(f" {n.split(':')[-1][:17]:>17} " for n in names)
    lines = [
        f"threshold {THRESHOLDS[k]:.2f}; cells are precision / recall (produced item count)",
        head,
    ]
    means = {n: [0.0, 0.0, 0.0, 0.0] for n in names}
    for field in FIELDS:
        ref_total = tallies[names[0]][field].ref_total
        cells = []
        for n in names:
            t = tallies[n][field]
            p, r = t.pr(k)
            ap, ar = t.auc()
            means[n] = [a + b / len(FIELDS) for a, b in zip(means[n], (p, r, ap, ar), strict=True)]
            cells.append(f" {p:4.2f} / {r:4.2f} ({t.out_total:>3})")
        lines.append(f"{field:<13} {ref_total:>4} |" + "|".join(cells))
    lines.append(
        f"{'mean P/R':<13} {'':>4} |"
        + "|".join(f" {means[n][0]:4.2f} / {means[n][1]:4.2f}      " for n in names)
    )
    lines.append(
        f"{'AUC P/R':<13} {'':>4} |"
        + "|".join(f" {means[n][2]:4.2f} / {means[n][3]:4.2f}      " for n in names)
    )
    lines.append("")
    lines.append(
        f"{'analyzer':<28} {'empty lists':>11} {'summary sentences':>21} {'in 4-6':>6} "
        f"{'ungrounded':>10} {'failed':>6} {'s/card':>7} {'cpu s':>6} {'tok/card':>8} "
        f"{'cached':>6}"
    )
    for p in produced:
        n_lists = len(p.cards) * len(ITEM_KINDS)
        empty = sum(1 for c in p.cards for kind in ITEM_KINDS if not getattr(c, kind))
        counts = sorted(sentence_count(c.summary) for c in p.cards)
        in_range = sum(1 for c in counts if 4 <= c <= 6) / max(1, len(counts))
        sent = f"{counts[0]} / {statistics.median(counts):g} / {counts[-1]}" if counts else "-"
        lines.append(
            f"{p.name:<28} {empty / max(1, n_lists):>11.2f} {sent:>21} {in_range:>6.2f} "
            f"{p.ungrounded:>10} {p.failed:>6} {statistics.mean(p.seconds):>7.1f} "
            f"{statistics.mean(p.cpu or [0.0]):>6.1f} {statistics.mean(p.tokens):>8.0f} "
            f"{statistics.mean(p.cached or [0]):>6.0f}"
        )
    empty_by_field = ", ".join(
        f"{kind} "
        + "/".join(str(sum(1 for c in p.cards if not getattr(c, kind))) for p in produced)
        for kind in ITEM_KINDS
    )
    lines.append(f"empty lists per field ({'/'.join(p.name for p in produced)}): {empty_by_field}")
    for p in produced:
        for reason in p.reasons or []:
            lines.append(f"failed [{p.name}] {reason[:200]}")
    return "\n".join(lines)


def build_llm(args: argparse.Namespace, prompt: str) -> Any:
    """The LLM analyzer for `--backend` (no cache: every run measures real calls)."""
    kw: dict[str, Any] = {}
    if prompt != "default":
        kw["prompt_style"] = prompt
    if args.backend == "llamacpp":
        from techwatch.analyze.llamacpp_backend import LlamaCppAnalyzer

        return LlamaCppAnalyzer(
            args.model_path,
            n_ctx=args.n_ctx,
            n_threads=args.threads,
            max_output_tokens=args.max_output_tokens,
            **kw,
        )
    from techwatch.analyze.openai_backend import OpenAIAnalyzer

    return OpenAIAnalyzer(
        args.base_url,
        os.environ.get("OPENAI_API_KEY", "not-needed"),
        args.model,
        context_tokens=args.n_ctx,
        max_output_tokens=args.max_output_tokens,
        **kw,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", choices=("minilm", "hashing"), default="minilm")
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument(
        "--split", action="store_true", help="also report even and odd articles separately"
    )
    parser.add_argument("--backend", choices=("extractive", "llamacpp", "openai"))
    parser.add_argument("--prompt", action="append", help="prompt style(s) to compare")
    parser.add_argument("--model-path", help="GGUF file for --backend llamacpp")
    parser.add_argument("--base-url", help="OpenAI-compatible base URL for --backend openai")
    parser.add_argument("--model", default="gpt-4o-mini", help="model name for --backend openai")
    parser.add_argument("--n-ctx", type=int, default=8192)
    parser.add_argument("--max-output-tokens", type=int, default=1500)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument(
        "--only", default="", help="only articles whose path contains one of these (a,b,c)"
    )
    parser.add_argument("--save", type=Path, help="write every produced card to this JSON file")
    parser.add_argument(
        "--load",
        type=Path,
        action="append",
        help="also score the cards of an earlier --save (e.g. another prompt version)",
    )
    parser.add_argument(
        "--retrim",
        action="store_true",
        help="for loaded cards, also show their summaries as today's trim_summary cuts them",
    )
    args = parser.parse_args(argv)
    try:
        embedder = get_embedder(args.embedder)
    except RuntimeError as exc:
        print(f"{exc}; falling back to the hashing embedder", file=sys.stderr)
        args.embedder, embedder = "hashing", get_embedder("hashing")
    threshold = args.threshold or DEFAULT_THRESHOLD[args.embedder]
    cases, source = load_cases()
    if args.only:
        wanted = [w for w in args.only.split(",") if w]
        cases = [c for c in cases if any(w in c.article.id for w in wanted)]
    if args.limit:
        cases = cases[: args.limit]
    print(f"{len(cases)} articles from {source}; embedder {embedder.name}", flush=True)
    produced = [run_analyzer("extractive", ExtractiveAnalyzer(), cases)]
    for path in args.load or []:
        for loaded in load_produced(path, cases):
            produced.append(loaded)
            if args.retrim:  # cards saved before the summary trim: the same cards, trimmed
                from techwatch.analyze.llm import trim_summary

                trimmed = [
                    c.model_copy(update={"summary": trim_summary(c.summary)}) for c in loaded.cards
                ]
                produced.append(replace(loaded, name=loaded.name + "+trim", cards=trimmed))
    if args.backend in ("llamacpp", "openai"):
        for prompt in args.prompt or ["default"]:
            analyzer = build_llm(args, prompt)
            label = f"{args.backend}:{getattr(analyzer, 'prompt_version', prompt)}"
            try:
                produced.append(
                    run_analyzer(label, analyzer, cases, log=sys.stderr, save=args.save)
                )
            finally:
                close = getattr(analyzer, "close", None)
                if close is not None:
                    close()
    parts = [("all", list(range(len(cases))))]
    if args.split:
        parts += [("even half", parts[0][1][0::2]), ("odd half", parts[0][1][1::2])]
    for label, idx in parts:
        part = [cases[i] for i in idx]
        sub = [
            Produced(
                p.name,
                [p.cards[i] for i in idx],
                [p.seconds[i] for i in idx],
                [p.tokens[i] for i in idx],
                p.failed,
                p.ungrounded,
                p.reasons if label == "all" else [],
                [p.cpu[i] for i in idx] if p.cpu else None,
                [p.cached[i] for i in idx] if p.cached else None,
            )
            for p in produced
        ]
        tallies = evaluate(embedder, part, sub)
        print(f"\n[{label}: {len(part)} articles]")
        print(report(tallies, threshold, sub))
        for p in sub:
            n = max(1, len(part))
            cat = (
                sum(c.category == r.reference.category for c, r in zip(p.cards, part, strict=True))
                / n
            )
            typ = sum(c.type == r.reference.type for c, r in zip(p.cards, part, strict=True)) / n
            print(f"{p.name}: category accuracy {cat:.2f}; type accuracy {typ:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
