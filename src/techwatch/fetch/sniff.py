"""Guess what a payload really is, trusting its bytes before its labels.

Servers mislabel content and files carry the wrong extension, so the magic numbers and the
first markup tags decide; the declared content type and the extension only break ties
between kinds of text.
"""

from __future__ import annotations

import re

KINDS: tuple[str, ...] = ("html", "pdf", "markdown", "text", "feed", "opml", "binary")

# (prefix, description) checked at offset 0, after any leading whitespace for text formats.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive (or docx/xlsx/epub)"),
    (b"PK\x05\x06", "ZIP archive (or docx/xlsx/epub)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "ELF executable"),
    (b"%!PS", "PostScript document"),
    (b"\x00\x00\x01\x00", "ICO image"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"fLaC", "FLAC audio"),
    (b"\x1aE\xdf\xa3", "Matroska/WebM video"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office (OLE) document"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
    (b"\x00asm", "WebAssembly module"),
    (b"SQLite format 3\x00", "SQLite database"),
)

# Too short to trust alone: used only to name content already judged binary.
_WEAK_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "Windows executable"),
    (b"BM", "BMP image"),
)

_BOMS: tuple[bytes, ...] = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|meta|title|div|p|article|section|nav|header|main"
    rb"|script|style|link|table|span|a|h[1-6]|ul|ol|img|form|iframe|br)[\s/>]",
    re.IGNORECASE,
)
_FEED_START = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)
_OPML_START = re.compile(rb"<opml[\s>]", re.IGNORECASE)
_MARKDOWN_HINT = re.compile(
    rb"^(?:#{1,6} \S|\* \S|- \S|> \S|```|\d+\. \S)|\[[^\]\n]+\]\([^)\s]+\)", re.MULTILINE
)

_EXTENSIONS: dict[str, str] = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".rss": "feed",
    ".atom": "feed",
    ".opml": "opml",
}


def magic_name(content: bytes) -> str:
    """The name of a known binary format at the start of `content`, or ""."""
    for prefix, name in _MAGIC:
        if content.startswith(prefix):
            return name
    return ""


def describe_binary(content: bytes) -> str:
    """A human reason for calling `content` binary."""
    name = magic_name(content)
    if name:
        return name
    for prefix, weak in _WEAK_MAGIC:
        if content.startswith(prefix):
            return weak
    return "binary data (control characters)"


def _looks_binary(head: bytes) -> bool:
    """NUL bytes or many control characters: not text in any 8-bit or UTF-8 encoding."""
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs by design
        return False
    even, odd = head[0::2], head[1::2]
    if len(head) >= 8 and (odd.count(0) == len(odd)) != (even.count(0) == len(even)):
        return False  # UTF-16 without a BOM: NULs in every other byte only
    # a stray NUL in a web page happens; many of them do not
    if head.count(b"\x00") > max(1, len(head) // 100):
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13, 27))
    return controls / len(head) > 0.1


def _declared_kind(content_type: str | None) -> str:
    if not content_type:
        return ""
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in ("text/html", "application/xhtml+xml"):
        return "html"
    if mime == "application/pdf":
        return "pdf"
    if mime in ("text/markdown", "text/x-markdown"):
        return "markdown"
    if mime in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return "feed"
    if mime in ("text/x-opml", "application/x-opml", "text/opml"):
        return "opml"
    if mime.startswith("text/"):
        return "text"
    if mime.startswith(("image/", "audio/", "video/", "font/")) or mime in (
        "application/zip",
        "application/gzip",
        "application/octet-stream",
    ):
        return "binary"
    return ""


def _extension_kind(url_or_name: str) -> str:
    path = url_or_name.split("?", 1)[0].split("#", 1)[0].lower()
    for ext, kind in _EXTENSIONS.items():
        if path.endswith(ext):
            return kind
    return ""


def sniff(content: bytes, content_type: str | None = None, url_or_name: str = "") -> str:
    """Return one of KINDS for `content`.

    Order of trust: magic numbers and markup in the bytes, then the declared content type,
    then the extension of the URL or file name.
    """
    if content.startswith(b"%PDF"):
        return "pdf"
    if magic_name(content):
        return "binary"
    head = content[:4096]
    if _looks_binary(head):
        return "binary"
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) > 1 and head[1:2] == b"\x00"):
        # UTF-16: sniff on a narrowed copy
        head = head.replace(b"\x00", b"")
    stripped = head.lstrip()
    if stripped[:5].lower() == b"<?xml" or stripped.startswith(b"<"):
        # feeds and OPML before HTML: an RSS item may embed escaped HTML tags
        window = head[:2048]
        if _OPML_START.search(window):
            return "opml"
        if _FEED_START.search(window):
            return "feed"
        if _HTML_START.search(head):
            return "html"
    elif _HTML_START.search(head[:1024]) and re.search(rb"<(?:html|body|head)[\s>]", head, re.I):
        return "html"
    declared = _declared_kind(content_type)
    by_ext = _extension_kind(url_or_name)
    if declared == "binary" and not by_ext:
        return "text" if head.strip() else "binary"
    for guess in (declared, by_ext):
        if guess in ("markdown", "text"):
            return guess
        if guess in ("html", "feed", "opml") and stripped.startswith(b"<"):
            return guess
    if _MARKDOWN_HINT.search(head):
        return "markdown"
    if declared == "html" or by_ext == "html":
        return "html"
    return "text"
