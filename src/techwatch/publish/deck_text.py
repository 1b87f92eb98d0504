"""Text on card images: a font per character run, wrapping that never overflows its box.

No single font covers Latin, Arabic, CJK and emoji, so text is split into runs, each set in
the first font (in `font_chain`) that has glyphs for it. The fonts come from PyPI packages
(`manimgx-fonts`: Noto Sans, Noto Sans Arabic/Hebrew/..., Noto Emoji, Noto Sans Symbols;
`manimgx-fonts-cjk`: Noto Sans CJK), so the same text is set the same on every machine.
Pillow's raqm layout (HarfBuzz + FriBiDi) shapes Arabic and orders right-to-left runs;
without raqm the basic layout is used (no crash, poorer Arabic).
"""

from __future__ import annotations

import importlib.util
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont
from PIL import ImageDraw, ImageFont, features

__all__ = ["Box", "FontFace", "TextBlock", "draw_block", "fit_block", "font_chain"]

ELLIPSIS = "…"


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int = 0


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels: left, top, right, bottom."""

    left: int
    top: int
    right: int
    bottom: int

    def contains(self, other: Box) -> bool:
        return (
            self.left <= other.left
            and self.top <= other.top
            and other.right <= self.right
            and other.bottom <= self.bottom
        )


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


# Order matters: the first face with a glyph wins. Latin first, then scripts, CJK, symbols,
# emoji; DejaVu (Debian) last as a catch-all where it is installed.
_LATIN = ("NotoSans[wght].ttf",)
_SCRIPTS = (
    "NotoSansArabic[wght].ttf",
    "NotoSansHebrew[wght].ttf",
    "NotoSansDevanagari[wght].ttf",
    "NotoSansThai[wght].ttf",
    "NotoSansBengali[wght].ttf",
    "NotoSansTamil[wght].ttf",
    "NotoSansGeorgian[wght].ttf",
    "NotoSansArmenian[wght].ttf",
    "NotoSansEthiopic[wght].ttf",
    "NotoSansKhmer[wght].ttf",
)
_AFTER_CJK = ("NotoSansSymbols[wght].ttf", "NotoEmoji[wght].ttf")
_SYSTEM = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)


@lru_cache(maxsize=1)
def font_chain() -> tuple[FontFace, ...]:
    """Every font face found, in fallback order. Empty only on a broken install."""
    faces: list[FontFace] = []
    noto = _package_dir("manimgx_fonts")
    if noto is not None:
        faces += [FontFace(str(noto / n)) for n in _LATIN + _SCRIPTS if (noto / n).is_file()]
    cjk = _package_dir("manimgx_fonts_cjk")
    if cjk is not None:
        for path in sorted(cjk.glob("*.tt[cf]")) + sorted(cjk.glob("*.otf")):
            faces.append(FontFace(str(path), 2))  # 2: Simplified Chinese; covers JP/KR kana too
    if noto is not None:
        faces += [FontFace(str(noto / n)) for n in _AFTER_CJK if (noto / n).is_file()]
    faces += [FontFace(p) for p in _SYSTEM if Path(p).is_file()]
    return tuple(faces)


@lru_cache(maxsize=32)
def _coverage(face: FontFace) -> frozenset[int]:
    if face.path.endswith((".ttc", ".otc")):
        font = TTCollection(face.path, lazy=True).fonts[face.index]
    else:
        font = TTFont(face.path, lazy=True)
    return frozenset(font.getBestCmap() or {})


_LAYOUT = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC


@lru_cache(maxsize=256)
def _font(face: FontFace, size: int, bold: bool) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(face.path, size, index=face.index, layout_engine=_LAYOUT)
    try:  # variable fonts: the default instance may be Thin (Noto Sans CJK VF is)
        axes = font.get_variation_axes()
    except (OSError, ValueError):
        return font  # not a variable font: its own weight
    weight = 700 if bold else 400
    font.set_variation_by_axes(
        [max(a["minimum"], min(a["maximum"], weight)) for a in axes[:1]]
        + [a["default"] for a in axes[1:]]
    )
    return font


def _is_symbol_face(face: FontFace) -> bool:
    return "Emoji" in face.path or "Symbols" in face.path


def _neutral(ch: str) -> bool:
    """Spaces, punctuation and digits: set in the font of the run around them."""
    cat = unicodedata.category(ch)
    return cat[0] in "ZP" or cat in ("Nd", "Sm", "Cf", "Mn")


def _face_for(ch: str, chain: tuple[FontFace, ...]) -> int:
    code = ord(ch)
    for i, face in enumerate(chain):
        if code in _coverage(face):
            return i
    return 0  # no font has it: the first one draws its .notdef box, never a crash


def runs(text: str) -> list[tuple[int, str]]:
    """Split text into (face index, run), neutral characters joining the run they are in."""
    chain = font_chain()
    out: list[tuple[int, str]] = []
    for ch in text:
        if (
            out
            and _neutral(ch)
            and not _is_symbol_face(chain[out[-1][0]])
            and ord(ch) in _coverage(chain[out[-1][0]])
        ):
            out[-1] = (out[-1][0], out[-1][1] + ch)
            continue
        index = _face_for(ch, chain)
        if out and out[-1][0] == index:
            out[-1] = (index, out[-1][1] + ch)
        else:
            out.append((index, ch))
    return out


def text_width(text: str, size: int, bold: bool = False) -> float:
    chain = font_chain()
    return sum(_font(chain[i], size, bold).getlength(run) for i, run in runs(text))


def _wide(ch: str) -> bool:
    """Characters a line may break after: CJK ideographs and kana, and emoji."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _tokens(text: str) -> list[str]:
    """Words and spaces, with each wide character its own token (CJK has no spaces)."""
    out: list[str] = []
    word = ""
    for ch in text:
        if ch.isspace():
            if word:
                out.append(word)
                word = ""
            if not out or out[-1] != " ":
                out.append(" ")
        elif _wide(ch):
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        else:
            word += ch
    if word:
        out.append(word)
    return out


def _split_long(token: str, width: float, size: int, bold: bool) -> list[str]:
    """A token wider than the line, cut into pieces that fit (long URLs, compounds)."""
    pieces: list[str] = []
    current = ""
    for ch in token:
        if current and text_width(current + ch, size, bold) > width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, width: float, size: int, bold: bool = False) -> list[str]:
    """Greedy line filling by measured width; no line is wider than `width`."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in _tokens(paragraph):
            candidate = (line + token) if line else token.lstrip()
            if not candidate:
                continue
            if text_width(candidate, size, bold) <= width:
                line = candidate
                continue
            if line.strip():
                lines.append(line.rstrip())
            token = token.strip()
            if not token:
                line = ""
                continue
            if text_width(token, size, bold) > width:
                *full, token = _split_long(token, width, size, bold)
                lines += full
            line = token
        if line.strip():
            lines.append(line.rstrip())
    return lines


def _truncate(line: str, width: float, size: int, bold: bool) -> str:
    """The line shortened until it fits with an ellipsis after it."""
    while line and text_width(line + ELLIPSIS, size, bold) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def _ink(line: str, size: int, bold: bool) -> tuple[int, int]:
    """(height above, depth below) the baseline of a line's ink, over every font it uses."""
    chain = font_chain()
    above = below = 0
    for index, run in runs(line):
        _x0, top, _x1, bottom = _font(chain[index], size, bold).getbbox(run, anchor="ls")
        above, below = max(above, -int(top)), max(below, int(bottom))
    return above, below


@dataclass
class TextBlock:
    """Wrapped lines at one size, ready to draw; `truncated` when text was cut.

    Lines share a baseline grid `line_height` apart; `ascent` is the first line's ink above
    its baseline and `descent` the last line's below, so `height` bounds all the ink.
    """

    lines: list[str]
    size: int
    bold: bool
    line_height: int
    truncated: bool
    ascent: int = 0
    descent: int = 0

    @property
    def height(self) -> int:
        if not self.lines:
            return 0
        return self.ascent + self.line_height * (len(self.lines) - 1) + self.descent


def _block(lines: list[str], size: int, bold: bool, line_height: int, cut: bool) -> TextBlock:
    ascent = _ink(lines[0], size, bold)[0] if lines else 0
    descent = _ink(lines[-1], size, bold)[1] if lines else 0
    return TextBlock(lines, size, bold, line_height, cut, ascent, descent)


def fit_block(
    text: str,
    width: float,
    max_height: int,
    sizes: tuple[int, ...],
    bold: bool = False,
    leading: float = 1.3,
) -> TextBlock:
    """The largest size at which `text` fits the box; at the smallest, cut with an ellipsis."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    for size in sizes:
        block = _block(wrap(text, width, size, bold), size, bold, round(size * leading), False)
        if block.height <= max_height:
            return block
    size = sizes[-1]
    line_height = round(size * leading)
    lines = wrap(text, width, size, bold)
    keep = max(1, len(lines))
    while keep > 1 and _block(lines[:keep], size, bold, line_height, False).height > max_height:
        keep -= 1
    cut = lines[:keep]
    if len(lines) > keep:
        cut[-1] = _truncate(cut[-1], width, size, bold)
    return _block(cut, size, bold, line_height, len(lines) > keep)


def draw_block(
    draw: ImageDraw.ImageDraw,
    block: TextBlock,
    left: int,
    top: int,
    fill: tuple[int, int, int],
    width: int | None = None,
) -> Box:
    """Draw the lines; right-to-left lines are right-aligned within `width`. Returns the ink box."""
    chain = font_chain()
    ink: list[tuple[float, float, float, float]] = []
    for n, line in enumerate(block.lines):
        baseline = top + block.ascent + n * block.line_height
        parts = runs(line)
        total = sum(_font(chain[i], block.size, block.bold).getlength(r) for i, r in parts)
        x = float(left)
        if width is not None and _is_rtl(line):
            x = left + width - total
        for index, run in parts:
            font = _font(chain[index], block.size, block.bold)
            draw.text((x, baseline), run, font=font, fill=fill, anchor="ls")
            ink.append(draw.textbbox((x, baseline), run, font=font, anchor="ls"))
            x += font.getlength(run)
    if not ink:
        return Box(left, top, left, top)
    return Box(
        int(min(b[0] for b in ink)),
        int(min(b[1] for b in ink)),
        int(max(b[2] for b in ink)),
        int(max(b[3] for b in ink)),
    )


def _is_rtl(line: str) -> bool:
    for ch in line:
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False
