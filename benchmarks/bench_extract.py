"""Throughput of `extract()` against trafilatura alone, on generated article pages.

    python benchmarks/bench_extract.py [--pages N] [--reps R]

Both sides get the same bytes and the same trafilatura options (trafilatura decodes and
parses the bytes itself on side (a)). Time is CPU time of this process, taken in chunks of
10 pages that alternate between the sides, and the median of the repetitions is kept, so
other load on the machine hits both alike. The target is a ratio (b/a) of at least 0.8.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

import trafilatura
from trafilatura.settings import set_date_params

from techwatch.fetch.extract import extract

NOUNS = [
    "grid",
    "battery",
    "network",
    "regulator",
    "household",
    "market",
    "city",
    "platform",
    "model",
    "dataset",
    "sensor",
    "policy",
    "startup",
    "utility",
    "supplier",
    "customer",
    "engineer",
    "researcher",
    "algorithm",
    "protocol",
    "infrastructure",
    "community",
    "district",
    "vehicle",
    "charger",
    "satellite",
    "chip",
    "factory",
    "hospital",
]
VERBS = [
    "transforms",
    "reshapes",
    "accelerates",
    "undermines",
    "finances",
    "regulates",
    "connects",
    "measures",
    "replaces",
    "predicts",
    "monitors",
    "supports",
    "challenges",
    "enables",
    "delays",
]
ADJS = [
    "distributed",
    "local",
    "autonomous",
    "fragile",
    "resilient",
    "cheap",
    "open",
    "private",
    "public",
    "digital",
    "emerging",
    "dominant",
    "small",
    "regional",
    "experimental",
]
FR_WORDS = [
    "le",
    "réseau",
    "la",
    "batterie",
    "les",
    "ménages",
    "une",
    "ville",
    "un",
    "modèle",
    "des",
    "données",
    "la",
    "régulation",
    "transforme",
    "accélère",
    "finance",
    "connecte",
    "mesure",
    "remplace",
    "prédit",
    "l'énergie",
    "électrique",
]


def sentence(rng: random.Random, french: bool) -> str:
    if french:
        words = [rng.choice(FR_WORDS) for _ in range(rng.randint(10, 22))]
        return " ".join(words).capitalize() + "."
    parts = [
        f"The {rng.choice(ADJS)} {rng.choice(NOUNS)}",
        rng.choice(VERBS),
        f"the {rng.choice(ADJS)} {rng.choice(NOUNS)}",
    ]
    if rng.random() < 0.6:
        parts.append(f"because {rng.choice(NOUNS)}s {rng.choice(VERBS)[:-1]} {rng.choice(NOUNS)}s")
    if rng.random() < 0.4:
        parts.append(
            f"according to a {rng.randint(2015, 2024)} study of {rng.randint(3, 900)} sites"
        )
    return " ".join(parts) + "."


def make_page(seed: int) -> bytes:
    """One article page with boilerplate, 3-8 KB of prose, varied structure."""
    rng = random.Random(seed)
    french = rng.random() < 0.2
    target = rng.randint(3000, 8000)
    paras: list[str] = []
    size = 0
    while size < target:
        para = " ".join(sentence(rng, french) for _ in range(rng.randint(2, 6)))
        size += len(para)
        if rng.random() < 0.1:
            paras.append(f"<h2>{sentence(rng, french)[:60]}</h2>")
        if rng.random() < 0.15:
            link = f' <a href="/related/{rng.randint(1, 999)}">{rng.choice(NOUNS)} story</a>'
            para += link
        paras.append(f"<p>{para}</p>")
    if rng.random() < 0.3:
        paras.insert(
            len(paras) // 2, "<blockquote><p>" + sentence(rng, french) + "</p></blockquote>"
        )
    if rng.random() < 0.3:
        items = "".join(f"<li>{sentence(rng, french)}</li>" for _ in range(rng.randint(3, 6)))
        paras.insert(len(paras) // 3, f"<ul>{items}</ul>")
    nav = "".join(f'<li><a href="/s/{i}">{rng.choice(NOUNS).title()}</a></li>' for i in range(12))
    sidebar = "".join(
        f'<li><a href="/p/{rng.randint(1, 9999)}">{sentence(rng, False)[:50]}</a></li>'
        for _ in range(rng.randint(4, 10))
    )
    comments = "".join(
        f'<div class="comment"><span class="who">user{i}</span><p>{sentence(rng, french)}</p></div>'
        for i in range(rng.randint(0, 5))
    )
    title = sentence(rng, french)[:70]
    year, month, day = rng.randint(2018, 2024), rng.randint(1, 12), rng.randint(1, 28)
    lang = "fr" if french else "en"
    wrapper = rng.choice(["article", "div", "main"])
    html = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title} | Site {seed % 17}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="author" content="Author {seed % 31}">
<meta property="article:published_time" content="{year}-{month:02d}-{day:02d}T08:00:00Z">
<meta property="og:title" content="{title}">
<link rel="stylesheet" href="/static/site.css">
<style>body {{ font-family: sans-serif }} .nav li {{ display: inline }}</style>
<script>window.dataLayer = window.dataLayer || []; function gtag() {{ dataLayer.push(arguments) }}</script>
</head><body>
<header class="site-header"><div class="logo"><a href="/">Site {seed % 17}</a></div>
<nav class="nav"><ul>{nav}</ul></nav><form action="/search"><input name="q"></form></header>
<div class="layout"><{wrapper} class="post"><h1>{title}</h1>
<p class="byline">By Author {seed % 31} — {year}-{month:02d}-{day:02d}</p>
{"".join(paras)}
<div class="share"><a href="https://x.example/share">Share</a> <a href="mailto:?">Email</a></div>
</{wrapper}>
<aside class="sidebar"><h3>Most read</h3><ul>{sidebar}</ul>
<div class="ad">Advertisement</div></aside></div>
<section class="comments"><h3>Comments</h3>{comments}</section>
<footer><ul><li><a href="/about">About</a></li><li><a href="/privacy">Privacy</a></li>
<li><a href="/contact">Contact</a></li></ul><p>© {year} Site {seed % 17}. All rights reserved.</p>
</footer><script src="/static/app.js"></script></body></html>"""
    return html.encode("utf-8")


OPTIONS = {
    "with_metadata": True,
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
}


def run_trafilatura(pages: list[bytes], first: int) -> None:
    for index, content in enumerate(pages, start=first):
        trafilatura.bare_extraction(
            content,
            url=f"https://example.com/{index}",
            date_extraction_params=set_date_params(extensive=False),
            **OPTIONS,
        )


def run_extract(pages: list[bytes], first: int) -> None:
    for index, content in enumerate(pages, start=first):
        extract(content, url=f"https://example.com/{index}", content_type="text/html")


SIDES: dict[str, Callable[[list[bytes], int], None]] = {
    "trafilatura": run_trafilatura,
    "extract": run_extract,
}


def one_rep(pages: list[bytes], rep: int, chunk: int = 10) -> dict[str, float]:
    """Pages per CPU-second of each side, chunk by chunk in alternating order."""
    spent = dict.fromkeys(SIDES, 0.0)
    for number, first in enumerate(range(0, len(pages), chunk)):
        names = list(SIDES)
        if (number + rep) % 2:
            names.reverse()
        for name in names:
            start = time.process_time()
            SIDES[name](pages[first : first + chunk], first)
            spent[name] += time.process_time() - start
    return {name: len(pages) / seconds for name, seconds in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    pages = [make_page(seed) for seed in range(args.pages)]
    kb = sum(map(len, pages)) / len(pages) / 1024
    statuses: dict[str, int] = {}
    for content in pages:  # warm-up, and a check that the pages are articles
        status = extract(content, content_type="text/html").status
        statuses[status] = statuses.get(status, 0) + 1
    run_trafilatura(pages[:20], 0)
    rates: dict[str, list[float]] = {name: [] for name in SIDES}
    for rep in range(args.reps):
        for name, rate in one_rep(pages, rep).items():
            rates[name].append(rate)
    a = statistics.median(rates["trafilatura"])
    b = statistics.median(rates["extract"])
    print(f"{args.pages} pages, {kb:.1f} KB each on average, {args.reps} interleaved reps")
    print("pages per CPU-second of this process (robust to other load on the machine)")
    print(f"statuses from extract(): {statuses}")
    print(f"{'side':<32}{'pages/s (median)':>18}{'min':>9}{'max':>9}")
    for label, name in (
        ("(a) trafilatura.bare_extraction", "trafilatura"),
        ("(b) extract()", "extract"),
    ):
        values = rates[name]
        print(
            f"{label:<32}{statistics.median(values):>18.1f}{min(values):>9.1f}{max(values):>9.1f}"
        )
    print(f"ratio b/a: {b / a:.3f} (target >= 0.8)")


if __name__ == "__main__":
    main()
