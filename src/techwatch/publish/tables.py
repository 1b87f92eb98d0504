"""Pipe tables in the byte layout of pandas' `DataFrame.to_markdown(index=False)`.

The reference pages were written by pandas through tabulate's "pipe" format, with wcwidth
installed: a wide (CJK) character counts two columns, as the corpus shows. We write the same
bytes ourselves rather than depend on pandas and on tabulate's optional behaviours (number
parsing, whitespace, widths that change with what else is installed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wcwidth import wcswidth

# tabulate pads every header by two spaces before it compares it with the cells.
_HEADER_MIN_PADDING = 2

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def one_line(text: str) -> str:
    """Untrusted text on one line, without control characters (no terminal escapes)."""
    if "\n" in text or "\r" in text:
        text = " ".join(text.splitlines())
    return _CONTROL.sub("", text) if not text.isprintable() else text


def clean_cell(text: str) -> str:
    """Make untrusted text safe for one table cell: one line, no column break."""
    return _UNESCAPED_PIPE.sub(r"\\|", one_line(text)).strip()


def text_width(text: str) -> int:
    """Display width as tabulate counted it with wcwidth (wide characters count two)."""
    if text.isascii():
        return len(text)
    width = wcswidth(text)
    return len(text) if width < 0 else width


def render_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]
) -> str:
    """Render an aligned pipe table; `right[i]` right-aligns column i (numbers), else left.

    Cells must already be cleaned (see `clean_cell`); numbers already formatted.
    """
    widths = [text_width(h) + _HEADER_MIN_PADDING for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], text_width(cell))

    def pad(cell: str, width: int, right: bool) -> str:
        space = " " * (width - text_width(cell))
        return space + cell if right else cell + space

    def line(cells: Sequence[str]) -> str:
        parts = [pad(c, w, r) for c, w, r in zip(cells, widths, right, strict=True)]
        return "| " + " | ".join(parts) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if r else (":" + "-" * (w + 1))
            for w, r in zip(widths, right, strict=True)
        )
        + "|"
    )
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def split_row(line: str) -> list[str]:
    """Split one table line into stripped cells, honouring `\\|` escapes (kept unescaped)."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    if "\\|" not in body:
        return [cell.strip() for cell in body.split("|")]
    return [cell.strip().replace("\\|", "|") for cell in _UNESCAPED_PIPE.split(body)]


_RULE_CHARS = frozenset("|:- \t")


def is_rule(line: str) -> bool:
    """Whether a table line is the alignment rule (`|:---|---:|`)."""
    if not _RULE_CHARS.issuperset(line):
        return False
    cells = split_row(line)
    return bool(cells) and all(c and set(c) <= {":", "-"} for c in cells)
