"""Card quality: how well produced cards match reference cards, against a naive baseline.

    python benchmarks/bench_cards.py [--embedder minilm|hashing] [--threshold 0.5] [--split]

With `--split`, the articles are also scored as two halves (even and odd positions), so a
change tuned while looking at one half can be checked on the other: a rule that helps only
one half is probably fitted to its articles rather than general.

For every article with a reference card and every item field, an item is *matched* when
some item on the other side has cosine similarity >= threshold ("name: description" for
items, the text for keywords). Recall = share of reference items matched by a produced
item; precision = share of produced items matching a reference item (micro-averaged over
articles). The table also gives the mean of P and R over thresholds 0.30-0.90 (an
area-under-threshold summary, less sensitive to the chosen threshold).

The baseline is computed in the same run: plain YAKE (default settings) for keywords and
the article's first sentences for every item list, as many items as the extractive
analyzer produced, so the comparison is about which items, not how many.

Reference cards: `src/techwatch/demo/reference_cards.json` (URL path -> Card JSON) for the
demo articles; without it, two small hand-written pairs below.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yake

from techwatch.analyze.base import ArticleInput
from techwatch.analyze.extractive import ExtractiveAnalyzer
from techwatch.analyze.sentences import split_sentences
from techwatch.card import Card, Item
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


def evaluate(
    embedder: Embedder, cases: list[Case], labels: Counter[str] | None = None
) -> dict[str, dict[str, Tally]]:
    """Tallies per analyzer and field; `labels` counts category/type agreement if given."""
    analyzer = ExtractiveAnalyzer()
    tallies = {name: {f: Tally() for f in FIELDS} for name in ("baseline", "extractive")}
    for case in cases:
        result = analyzer.analyze(case.article)
        produced = result.card or Card()
        if labels is not None:
            labels["n"] += 1
            labels["category"] += produced.category == case.reference.category
            labels["type"] += produced.type == case.reference.type
        cards = {"extractive": produced, "baseline": baseline_card(case.article, produced)}
        for name, card in cards.items():
            for field in FIELDS:
                sim = similarity(embedder, _texts(case.reference, field), _texts(card, field))
                tallies[name][field].add(sim)
    return tallies


def report(tallies: dict[str, dict[str, Tally]], threshold: float) -> str:
    k = int(np.argmin(np.abs(THRESHOLDS - threshold)))
    lines = [
        f"threshold {THRESHOLDS[k]:.2f}; AUC = mean over thresholds "
        f"{THRESHOLDS[0]:.2f}-{THRESHOLDS[-1]:.2f}",
        f"{'field':<13} {'ref':>4} {'out':>4} | {'baseline P/R':>13} | {'extractive P/R':>14} "
        f"| {'base AUC P/R':>13} | {'extr AUC P/R':>13}",
    ]
    totals = {name: [0.0, 0.0, 0.0, 0.0] for name in tallies}
    for field in FIELDS:
        base, ext = tallies["baseline"][field], tallies["extractive"][field]
        bp, br = base.pr(k)
        ep, er = ext.pr(k)
        bap, bar = base.auc()
        eap, ear = ext.auc()
        for name, vals in (("baseline", (bp, br, bap, bar)), ("extractive", (ep, er, eap, ear))):
            totals[name] = [a + b / len(FIELDS) for a, b in zip(totals[name], vals, strict=True)]
        lines.append(
            f"{field:<13} {ext.ref_total:>4} {ext.out_total:>4} | {bp:5.2f} / {br:5.2f} | "
            f"{ep:6.2f} / {er:5.2f} | {bap:5.2f} / {bar:5.2f} | {eap:5.2f} / {ear:5.2f}"
        )
    b, e = totals["baseline"], totals["extractive"]
    lines.append(
        f"{'mean':<13} {'':>4} {'':>4} | {b[0]:5.2f} / {b[1]:5.2f} | {e[0]:6.2f} / {e[1]:5.2f} | "
        f"{b[2]:5.2f} / {b[3]:5.2f} | {e[2]:5.2f} / {e[3]:5.2f}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", choices=("minilm", "hashing"), default="minilm")
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument(
        "--split", action="store_true", help="also report even and odd articles separately"
    )
    args = parser.parse_args(argv)
    try:
        embedder = get_embedder(args.embedder)
    except RuntimeError as exc:
        print(f"{exc}; falling back to the hashing embedder", file=sys.stderr)
        args.embedder, embedder = "hashing", get_embedder("hashing")
    threshold = args.threshold or DEFAULT_THRESHOLD[args.embedder]
    cases, source = load_cases()
    print(f"{len(cases)} articles from {source}; embedder {embedder.name}")
    parts = [("all", cases)]
    if args.split:
        parts += [("even half", cases[0::2]), ("odd half", cases[1::2])]
    for label, part in parts:
        labels: Counter[str] = Counter()
        tallies = evaluate(embedder, part, labels)
        print(f"\n[{label}: {len(part)} articles]")
        print(report(tallies, threshold))
        n = max(1, labels["n"])
        print(
            f"category accuracy {labels['category'] / n:.2f}; type accuracy {labels['type'] / n:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
