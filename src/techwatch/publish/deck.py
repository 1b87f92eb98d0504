"""Foresight card images for workshops: one card per item, grids, a printable PDF deck.

A card is 63 × 88 mm (a playing card, the ratio of the earlier system's 500 × 700 px
cards) at 300 dpi: 744 × 1039 px. It shows the item's kind in its colour, a NOW / NEAR /
NEXT horizon, the title, wrapped text, the source, and a QR code to the article. Text is
measured and wrapped to its box, shrunk, then cut with an ellipsis: nothing overflows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import segno
from fpdf import FPDF
from PIL import Image, ImageDraw

from techwatch.publish.deck_text import Box, draw_block, fit_block

__all__ = [
    "DPI",
    "KIND_COLOURS",
    "PAPERS",
    "DeckCard",
    "RenderedCard",
    "render_card",
    "render_grid",
    "render_pdf",
]

DPI = 300
CARD_MM = (63.0, 88.0)
PAPERS: dict[str, tuple[float, float]] = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
HORIZONS = ("NOW", "NEAR", "NEXT")

# One colour per item kind (colour-blind-safe hues, dark enough for white text).
KIND_COLOURS: dict[str, tuple[int, int, int]] = {
    "signal": (106, 27, 154),
    "concern": (192, 40, 40),
    "behavior": (196, 98, 0),
    "technology": (0, 99, 160),
    "issue": (0, 121, 107),
}
WHITE = (255, 255, 255)
INK = (33, 33, 33)
MUTED = (97, 97, 97)


def mm_to_px(mm: float, dpi: int = DPI) -> int:
    return round(mm / 25.4 * dpi)


@dataclass(frozen=True)
class DeckCard:
    """What one printed card says. `kind` is singular: signal, concern, behavior, ..."""

    kind: str
    title: str
    text: str
    source: str
    horizon: str
    url: str = ""
    card_id: str = ""


@dataclass
class RenderedCard:
    """The image and where each text element was drawn (tests check the boxes)."""

    image: Image.Image
    inner: Box
    boxes: dict[str, Box] = field(default_factory=dict)
    truncated: dict[str, bool] = field(default_factory=dict)


def qr_image(url: str, size: int) -> Image.Image:
    """A QR code of `url`, black on white, at most `size` px square, whole pixels per module."""
    qr = segno.make(url, error="m", micro=False)
    modules = qr.symbol_size(scale=1, border=2)[0]
    scale = max(1, size // modules)
    rows = np.array(list(qr.matrix_iter(scale=scale, border=2)), dtype=bool)
    return Image.fromarray(np.where(rows, 0, 255).astype(np.uint8), mode="L").convert("RGB")


def render_card(card: DeckCard, dpi: int = DPI) -> RenderedCard:
    """One card image at print resolution."""
    k = dpi / DPI
    width, height = mm_to_px(CARD_MM[0], dpi), mm_to_px(CARD_MM[1], dpi)
    colour = KIND_COLOURS.get(card.kind, (66, 66, 66))
    image = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(image)
    border, pad = round(10 * k), round(36 * k)
    draw.rounded_rectangle(
        (0, 0, width - 1, height - 1), radius=round(30 * k), outline=colour, width=border
    )
    inner = Box(pad, pad, width - pad, height - pad)
    text_w = inner.right - inner.left
    boxes: dict[str, Box] = {}
    truncated: dict[str, bool] = {}

    # Header band: kind on the left, horizon badge on the right.
    band_h = round(96 * k)
    draw.rounded_rectangle(
        (inner.left, inner.top, inner.right, inner.top + band_h), radius=round(16 * k), fill=colour
    )
    label = fit_block(card.kind.upper(), text_w * 0.55, band_h, _sizes(40, 28, k), bold=True)
    boxes["kind"] = draw_block(
        draw, label, inner.left + round(20 * k), inner.top + (band_h - label.height) // 2, WHITE
    )
    horizon = card.horizon if card.horizon in HORIZONS else "NEAR"
    badge = fit_block(horizon, text_w * 0.35, band_h, _sizes(40, 28, k), bold=True)
    badge_w = round(170 * k)
    bx0 = inner.right - badge_w - round(14 * k)
    by0 = inner.top + round(14 * k)
    draw.rounded_rectangle(
        (bx0, by0, inner.right - round(14 * k), inner.top + band_h - round(14 * k)),
        radius=round(12 * k),
        fill=WHITE,
    )
    boxes["horizon"] = draw_block(
        draw, badge, bx0 + round(22 * k), inner.top + (band_h - badge.height) // 2, colour
    )

    # Footer: source text on the left, QR code on the right.
    qr_side = round(230 * k)
    footer_top = inner.bottom - qr_side
    if card.url:
        code = qr_image(card.url, qr_side)
        image.paste(code, (inner.right - code.width, inner.bottom - code.height))
        boxes["qr"] = Box(
            inner.right - code.width, inner.bottom - code.height, inner.right, inner.bottom
        )
    source_w = text_w - (qr_side + round(20 * k) if card.url else 0)
    source_lines = "\n".join(p for p in (card.source, card.card_id) if p)
    source = fit_block(source_lines, source_w, qr_side, _sizes(26, 18, k))
    boxes["source"] = draw_block(
        draw, source, inner.left, inner.bottom - source.height, MUTED, source_w
    )
    truncated["source"] = source.truncated

    # Title, then the text in what is left between title and footer.
    y = inner.top + band_h + round(24 * k)
    title = fit_block(card.title or "(untitled)", text_w, round(270 * k), _sizes(54, 32, k), True)
    boxes["title"] = draw_block(draw, title, inner.left, y, INK, text_w)
    truncated["title"] = title.truncated
    y += title.height + round(20 * k)
    draw.line((inner.left, y, inner.left + round(120 * k), y), fill=colour, width=round(6 * k))
    y += round(24 * k)
    room = footer_top - round(24 * k) - y
    if card.text and room > 0:
        body = fit_block(card.text, text_w, room, _sizes(32, 22, k))
        boxes["text"] = draw_block(draw, body, inner.left, y, INK, text_w)
        truncated["text"] = body.truncated
    return RenderedCard(image=image, inner=inner, boxes=boxes, truncated=truncated)


def _sizes(largest: int, smallest: int, k: float) -> tuple[int, ...]:
    return tuple(max(6, round(s * k)) for s in range(largest, smallest - 1, -2))


def render_grid(images: Sequence[Image.Image], cols: int = 3, scale: float = 0.4) -> Image.Image:
    """Cards side by side for topic and trend pages (scaled down for the screen)."""
    if not images:
        raise ValueError("no cards to put in a grid")
    cols = max(1, min(cols, len(images)))
    w = round(images[0].width * scale)
    h = round(images[0].height * scale)
    gap = max(4, round(24 * scale))
    rows = math.ceil(len(images) / cols)
    grid = Image.new("RGB", (cols * w + (cols + 1) * gap, rows * h + (rows + 1) * gap), WHITE)
    for n, img in enumerate(images):
        r, c = divmod(n, cols)
        small = img.resize((w, h), Image.Resampling.LANCZOS)
        grid.paste(small, (gap + c * (w + gap), gap + r * (h + gap)))
    return grid


def page_layout(paper: str, dpi: int = DPI) -> tuple[int, int, int, int, int, int]:
    """(page w, page h, cols, rows, grid left, grid top) in pixels for a paper size."""
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}; choose one of {', '.join(PAPERS)}")
    pw, ph = (mm_to_px(v, dpi) for v in PAPERS[paper])
    cw, ch = mm_to_px(CARD_MM[0], dpi), mm_to_px(CARD_MM[1], dpi)
    margin = mm_to_px(8, dpi)  # room for the cut marks
    cols = max(1, (pw - 2 * margin) // cw)
    rows = max(1, (ph - 2 * margin) // ch)
    return pw, ph, cols, rows, (pw - cols * cw) // 2, (ph - rows * ch) // 2


def render_pdf(images: Sequence[Image.Image], path: Path, paper: str = "a4") -> int:
    """Write a printable deck: cards edge to edge, vector cut marks in the margins.

    Each card goes in as a 256-colour PNG (flat colours and anti-aliased text survive the
    palette; the file is ~10x smaller than JPEG pages). Returns the number of pages.
    """
    if not images:
        raise ValueError("a deck of zero cards: nothing to print")
    pw, ph = PAPERS[paper] if paper in PAPERS else page_layout(paper)[:2]
    _, _, cols, rows, left_px, top_px = page_layout(paper)
    cw, ch = CARD_MM
    left, top = left_px * 25.4 / DPI, top_px * 25.4 / DPI
    per_page = cols * rows
    pdf = FPDF(unit="mm", format=(pw, ph))
    pdf.set_auto_page_break(False)
    pdf.set_creator("techwatch")
    pdf.set_line_width(0.2)
    for start in range(0, len(images), per_page):
        pdf.add_page()
        chunk = images[start : start + per_page]
        for n, img in enumerate(chunk):
            r, c = divmod(n, cols)
            flat = img.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE, dither=0)
            pdf.image(flat, x=left + c * cw, y=top + r * ch, w=cw, h=ch)
        right, bottom = left + cols * cw, top + rows * ch
        for c in range(cols + 1):
            x = left + c * cw
            pdf.line(x, top - 6.5, x, top - 1.5)
            pdf.line(x, bottom + 1.5, x, bottom + 6.5)
        for r in range(rows + 1):
            y = top + r * ch
            pdf.line(left - 6.5, y, left - 1.5, y)
            pdf.line(right + 1.5, y, right + 6.5, y)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    pdf.output(str(tmp))
    tmp.replace(path)
    return pdf.pages_count
