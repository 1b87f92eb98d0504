"""Deck rendering speed (cards per second) and the size of a 100-card PDF.

    .venv/bin/python benchmarks/bench_deck.py [--cards 100]

The cards are the items of the shared corpus (../shared/corpus/futures-pages) when present,
else generated text. The baseline, in the same run, draws the same title and text on a
blank card with one font and no measuring, wrapping, fallback fonts or QR code: the cost
of doing it properly is the ratio between the two.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from techwatch.outputs.decks import DeckItem, deck_card
from techwatch.publish.deck import render_card, render_pdf
from techwatch.publish.deck_text import font_chain

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "futures-pages"


def corpus_items(n: int) -> list[DeckItem]:
    from techwatch.outputs.decks import items_of_rows
    from techwatch.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp, Workspace.init(Path(tmp) / "ws") as ws:
        ws.import_pages(CORPUS)
        items = items_of_rows(ws.store.list_cards())
    return items[:n]


def synthetic_items(n: int) -> list[DeckItem]:
    from techwatch.card import Signal

    text = "Utilities install sodium-ion batteries to store grid power at lower cost. " * 3
    return [
        DeckItem(
            f"{i:032x}",
            "signals",
            Signal(name=f"Signal {i} on grid storage", description=text),
            url=f"https://news.example/{i}",
            date="2025-03-01",
        )
        for i in range(n)
    ]


def baseline(cards: list, font: ImageFont.FreeTypeFont) -> float:
    started = time.perf_counter()
    for card in cards:
        image = Image.new("RGB", (744, 1039), "white")
        draw = ImageDraw.Draw(image)
        draw.text((36, 140), card.title[:40], font=font, fill="black")
        draw.text((36, 240), card.text[:60], font=font, fill="black")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=100)
    args = parser.parse_args()
    items = corpus_items(args.cards) if CORPUS.is_dir() else synthetic_items(args.cards)
    source = "shared corpus items" if CORPUS.is_dir() else "synthetic items"
    cards = [deck_card(i) for i in items]
    render_card(cards[0])  # load the fonts once, as a long-running process would have them
    started = time.perf_counter()
    images = [render_card(c).image for c in cards]
    rendered = time.perf_counter() - started
    plain = baseline(cards, ImageFont.truetype(font_chain()[0].path, 40))
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "deck.pdf"
        started = time.perf_counter()
        pages = render_pdf(images, pdf, "a4")
        pdf_time = time.perf_counter() - started
        size = pdf.stat().st_size
        png = Path(tmp) / "card.png"
        images[0].save(png)
        png_size = png.stat().st_size
    n = len(images)
    print(f"{n} cards from {source}, 744 x 1039 px (63 x 88 mm at 300 dpi)")
    print(f"render: {n / rendered:.1f} cards/s ({rendered / n * 1000:.0f} ms per card)")
    print(
        f"baseline (one font, no layout, no QR): {n / plain:.0f} cards/s; ratio {plain / rendered:.3f}"
    )
    print(
        f"PDF: {pages} A4 pages, {size / 1e6:.2f} MB ({size / n / 1e3:.0f} kB per card), "
        f"written in {pdf_time:.1f}s; one card PNG {png_size / 1e3:.0f} kB"
    )


if __name__ == "__main__":
    main()
