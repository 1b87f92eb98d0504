"""Turn bytes into text, the way a careful browser would.

Declarations lie in both directions (a header says iso-8859-1 over UTF-8 bytes, a meta says
UTF-8 over cp1252 bytes), so valid UTF-8 wins first, then a declaration that decodes
cleanly, then a statistical guess, then cp1252 with replacement characters.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: same first two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# WHATWG: these labels mean windows-1252 on the web.
_AS_CP1252 = {"latin_1", "iso8859_1", "ascii", "iso8859_15", "cp819"}

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)

# Single-byte Western codecs that charset_normalizer may name for cp1252 text.
_WESTERN = {"cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "mac_roman", "cp850"}


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None if unknown.

    Accepts a bare label ("ISO-8859-1") or a Content-Type value ("text/html; charset=...").
    """
    if not label:
        return None
    match = _HEADER_CHARSET.search(label)
    if match:
        label = match.group(1)
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    name = name.replace("-", "_")
    if name in _AS_CP1252:
        return "cp1252"
    if name == "utf_8":
        return "utf-8"
    return name


def meta_charset(content: bytes) -> str | None:
    """The charset declared by <meta charset> or http-equiv in the first 4 KB."""
    match = _META_CHARSET.search(content[:4096])
    return normalize_charset(match.group(1).decode("ascii", "ignore")) if match else None


def _strict(content: bytes, encoding: str) -> str | None:
    try:
        return content.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _guess(content: bytes) -> tuple[str, str] | None:
    """charset_normalizer's best guess, preferring cp1252 among Western look-alikes."""
    sample = content if len(content) <= 20000 else content[:10000] + content[-10000:]
    results = from_bytes(sample)
    best = results.best()
    if best is None:
        return None
    names = {normalize_charset(r.encoding) or r.encoding for r in results}
    if names & _WESTERN or (normalize_charset(best.encoding) in _WESTERN):
        text = _strict(content, "cp1252")
        if text is not None:
            return text, "cp1252"
    encoding = normalize_charset(best.encoding) or best.encoding
    text = _strict(content, encoding)
    return (text, encoding) if text is not None else None


def decode(content: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode `content`; return (text, encoding used).

    `declared` is the HTTP Content-Type header or a bare charset label, if any.
    """
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            text = _strict(content, encoding)
            if text is not None:
                return text, encoding
            break
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for candidate in (normalize_charset(declared), meta_charset(content)):
        if candidate and candidate != "utf-8":
            text = _strict(content, candidate)
            if text is not None:
                return text, candidate
    guessed = _guess(content)
    if guessed is not None:
        return guessed
    return content.decode("cp1252", errors="replace"), "cp1252"
