"""Turn the raw bytes of one fetched item into clean article text with a status.

One call, one `Extracted`, never an exception: later stages store the status and the reason
and decide what to retry. HTML is parsed once and handed to trafilatura as a tree; the
page-level checks (index pages, login walls, JavaScript shells) reuse that same tree.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from techwatch.fetch.decode import decode
from techwatch.fetch.sniff import describe_binary, sniff

STATUSES: tuple[str, ...] = ("ok", "too_short", "too_long", "not_article", "binary", "failed")

MAX_BYTES = 20_000_000  # above this we do not even parse
MAX_PDF_PAGES = 500


@dataclass
class Extracted:
    """The outcome of extracting one item; `text` is kept for too_short and too_long."""

    status: str
    reason: str = ""
    kind: str = ""
    title: str = ""
    author: str = ""
    published: str = ""
    published_from: str = ""
    language: str = ""
    text: str = ""
    content_hash: str = ""
    encoding: str = ""


def content_hash(text: str) -> str:
    """sha256 of the text with whitespace collapsed and case folded, for exact dedup."""
    return hashlib.sha256(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------
# Text hygiene
# ---------------------------------------------------------------------------

# Typical UTF-8-read-as-cp1252 sequences: "Ã©", "â€™", "Â ", "Ã‰"...
_MOJIBAKE = re.compile(
    "[ÃÂâÅÐÑÄ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Normalise newlines, drop control characters, and fix mojibake when it shows."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if _MOJIBAKE.search(text):
        import ftfy  # imported lazily: rarely needed

        # repair encodings only: keep the author's curly quotes, ligatures and widths
        text = ftfy.fix_text(
            text, uncurl_quotes=False, fix_latin_ligatures=False, fix_character_width=False
        )
    return text.strip()


# ---------------------------------------------------------------------------
# Language, without a language-identification model
# ---------------------------------------------------------------------------


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words("the and of to is in that it for with as was on are this be by"),
    "fr": _words("le la les des et est un une du dans que pour qui pas sur au avec"),
    "de": _words("der die das und ist nicht ein eine zu den mit von sich auf für dem"),
    "es": _words("el la los las y es en que un una por para con del se su al"),
    "it": _words("il lo la gli le di che è un una per con non sono del della"),
    "pt": _words("o a os as e é um uma que de do da em para com não por"),
    "nl": _words("de het een en van is dat in op te zijn niet met voor"),
}
_WORD = re.compile(r"[^\W\d_]+")
_LANG_TAG = re.compile(r"^[a-z]{2,3}$")


def normalize_language(tag: str | None) -> str:
    """ "fr-FR", "fr_FR", "FR" -> "fr"; anything odd -> ""."""
    if not tag:
        return ""
    primary = re.split(r"[-_,;\s]", tag.strip().lower(), maxsplit=1)[0]
    return primary if _LANG_TAG.match(primary) else ""


def guess_language(text: str) -> str:
    """A cheap stop-word vote over the first words; "" when the evidence is thin."""
    words = _WORD.findall(text[:4000].lower())
    if len(words) < 20:
        return ""
    scores = {lang: sum(1 for w in words if w in stops) for lang, stops in _STOPWORDS.items()}
    lang, best = max(scores.items(), key=lambda kv: kv[1])
    ranked = sorted(scores.values(), reverse=True)
    if best < max(3, len(words) // 25) or best < 1.3 * ranked[1]:
        return ""
    return lang


def html_language(tree: Any) -> str:
    """The language the page declares: <html lang>, og:locale, or content-language."""
    for value in (
        tree.get("lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        *tree.xpath('//meta[@property="og:locale"]/@content'),
        *tree.xpath(
            '//meta[translate(@http-equiv,"CONTENTLANGUAGE","contentlanguage")'
            '="content-language"]/@content'
        ),
    ):
        lang = normalize_language(value)
        if lang:
            return lang
    return ""


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

_JS_SHELL = re.compile(
    r"(?:enable|turn on|activate)\s+javascript|javascript\s+(?:is\s+)?(?:required|disabled|must be"
    r" enabled|needs to be enabled)|requires?\s+javascript|javascript\s+is\s+not\s+enabled",
    re.IGNORECASE,
)
_WALL = re.compile(
    r"(?:sign|log)\s?in\s+to\s+(?:continue|read|view|access|see)|subscribe\s+(?:now\s+)?to\s+"
    r"(?:read|continue|unlock|access|view)|(?:log|sign)\s?in\s+or\s+(?:register|subscribe|sign"
    r" up)\s+to|(?:create|register for)\s+(?:a\s+)?(?:free\s+)?account\s+to\s+(?:continue|read)"
    r"|you\s+must\s+be\s+(?:logged|signed)\s+in|this\s+(?:article|content|story)\s+is\s+"
    r"(?:only\s+)?(?:for|available to)\s+(?:paid\s+)?(?:subscribers|members)|"
    r"(?:already\s+a\s+subscriber\?)",
    re.IGNORECASE,
)
# Under this much extracted text, a wall or a JavaScript notice means the page is a shell.
_SHELL_TEXT_LIMIT = 1500

_LINK_TEXT = "//body//a"
_VISIBLE_TEXT = "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"


def _page_counts(tree: Any) -> tuple[int, int, set[str]]:
    """(visible chars, chars inside links, link texts) over the whole body."""
    visible = sum(len(t.strip()) for t in tree.xpath(_VISIBLE_TEXT))
    link_chars = 0
    link_texts: set[str] = set()
    for anchor in tree.xpath(_LINK_TEXT):
        label = " ".join(anchor.text_content().split())
        if label:
            link_chars += len(label)
            link_texts.add(label.lower())
    return visible, link_chars, link_texts


def _listing_reason(text: str, tree: Any) -> str:
    """Why the page is an index or listing rather than an article, or ""."""
    blocks = [" ".join(b.split()).lstrip("-•* ").lower() for b in text.split("\n")]
    blocks = [b for b in blocks if b]
    if sum(len(b) for b in blocks if len(b) >= 120) >= 1500:
        return ""  # plenty of prose: skip the walk over the whole page
    visible, link_chars, link_texts = _page_counts(tree)
    link_only = sum(1 for b in blocks if b in link_texts)
    prose = sum(len(b) for b in blocks if b not in link_texts and len(b) >= 120)
    density = link_chars / visible if visible else 0.0
    if blocks and link_only >= 5 and link_only / len(blocks) >= 0.5 and prose < 1500:
        return f"listing page: {link_only} of {len(blocks)} blocks are bare links"
    if density >= 0.5 and prose < 1500:
        return f"listing page: link density {density:.2f}, {prose} chars of prose"
    if (
        len(link_texts) >= 10
        and density >= 0.3
        and prose < 500
        and (link_only >= 3 or len(blocks) >= 8)
    ):
        # Only when the extracted text is made of links or of many teaser blocks: a short
        # note on a link-heavy site is a short article, not a listing.
        return f"listing page: {len(link_texts)} links, {prose} chars of prose"
    return ""


def _from_html(content: bytes, url: str, declared: str | None) -> Extracted:
    import trafilatura
    from trafilatura.settings import set_date_params
    from trafilatura.utils import load_html

    text, encoding = decode(content, declared)
    result = Extracted(status="ok", kind="html", encoding=encoding)
    tree = load_html(text)
    if tree is None:
        result.status, result.reason = "not_article", "no parsable HTML"
        return result
    declared_lang = html_language(tree)
    doc = trafilatura.bare_extraction(
        tree,
        url=url or None,
        with_metadata=True,
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        # markup and metadata only: a "© 2024" footer is not a publication date
        date_extraction_params=set_date_params(extensive=False),
    )
    body = clean_text(doc.text or "") if doc is not None else ""
    result.text = body
    if doc is not None:
        result.title = clean_text(doc.title or "")
        result.author = clean_text(doc.author or "")
        if doc.date:
            result.published, result.published_from = str(doc.date), "page metadata"
    result.language = (
        normalize_language(doc.language if doc is not None else None)
        or declared_lang
        or guess_language(body)
    )
    if len(body) < _SHELL_TEXT_LIMIT:
        match = _JS_SHELL.search(text) or _WALL.search(text)
        if match:
            kind = "JavaScript shell" if match.re is _JS_SHELL else "login or paywall"
            result.status = "not_article"
            result.reason = f"{kind}: {' '.join(match.group(0).split())!r}"
            return result
    if not body:
        result.status, result.reason = "not_article", "no main text found"
        return result
    reason = _listing_reason(body, tree)
    if reason:
        result.status, result.reason = "not_article", reason
    return result


# ---------------------------------------------------------------------------
# PDF, markdown, plain text
# ---------------------------------------------------------------------------


def _pdf_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return ""


def _from_pdf(content: bytes, max_chars: int) -> Extracted:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    result = Extracted(status="ok", kind="pdf")
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            result.status, result.reason = "failed", "encrypted PDF"
            return result
        parts: list[str] = []
        size = 0
        for number, page in enumerate(reader.pages):
            if number >= MAX_PDF_PAGES or size > 4 * max_chars:
                break
            part = page.extract_text() or ""
            parts.append(part)
            size += len(part)
        meta = reader.metadata
    except Exception as exc:  # pypdf raises many types on corrupt files
        result.status = "failed"
        result.reason = f"corrupt PDF: {type(exc).__name__}: {exc}"[:300]
        return result
    result.text = clean_text("\n\n".join(parts))
    if meta is not None:
        result.title = clean_text(str(meta.title or ""))
        result.author = clean_text(str(meta.author or ""))
        try:
            result.published = _pdf_date(meta.creation_date)
        except Exception:  # malformed date strings raise
            result.published = ""
        if result.published:
            result.published_from = "page metadata"
    result.language = guess_language(result.text)
    if not result.text:
        result.status, result.reason = "too_short", "no text layer (scanned PDF?)"
    return result


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_ATX_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_FM_FIELD = re.compile(r"^(title|author|date|lang|language)\s*:\s*[\"']?(.*?)[\"']?\s*$", re.M)


def _from_markdown(content: bytes, declared: str | None) -> Extracted:
    text, encoding = decode(content, declared)
    text = clean_text(text)
    result = Extracted(status="ok", kind="markdown", encoding=encoding, text=text)
    front = _FRONT_MATTER.match(text)
    fields = {k.lower(): v for k, v in _FM_FIELD.findall(front.group(1))} if front else {}
    heading = _ATX_H1.search(text)
    result.title = fields.get("title") or (heading.group(1) if heading else "")
    result.author = fields.get("author", "")
    date = fields.get("date", "")
    if re.match(r"\d{4}-\d{2}-\d{2}", date):
        result.published, result.published_from = date[:10], "page metadata"
    result.language = normalize_language(
        fields.get("lang") or fields.get("language")
    ) or guess_language(text)
    return result


def _from_text(content: bytes, declared: str | None) -> Extracted:
    text, encoding = decode(content, declared)
    text = clean_text(text)
    return Extracted(
        status="ok", kind="text", encoding=encoding, text=text, language=guess_language(text)
    )


# ---------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------


def _extract(
    content: bytes, url: str, declared: str | None, content_type: str | None, max_chars: int
) -> Extracted:
    if not content or not content.strip():
        return Extracted(status="too_short", reason="empty content", kind="text")
    if len(content) > MAX_BYTES:
        return Extracted(status="too_long", reason=f"{len(content)} bytes, over {MAX_BYTES}")
    kind = sniff(content, content_type, url)
    if kind == "binary":
        return Extracted(status="binary", reason=describe_binary(content), kind=kind)
    if kind == "pdf":
        return _from_pdf(content, max_chars)
    if kind == "html":
        return _from_html(content, url, declared)
    if kind in ("feed", "opml"):
        name = "RSS/Atom feed" if kind == "feed" else "OPML outline"
        return Extracted(status="not_article", reason=f"{name}, not an article", kind=kind)
    if kind == "markdown":
        return _from_markdown(content, declared)
    return _from_text(content, declared)


def extract(
    content: bytes,
    *,
    url: str = "",
    content_type: str | None = None,
    charset: str | None = None,
    min_chars: int = 1500,
    max_chars: int = 30000,
) -> Extracted:
    """Extract the article in `content`; never raises.

    `charset` (from the HTTP header, say) wins over a charset inside `content_type`; both
    only count when the bytes are not valid UTF-8 (see `decode`).
    """
    try:
        result = _extract(content, url, charset or content_type, content_type, max_chars)
    except Exception as exc:  # a bad page must not stop a batch
        return Extracted(status="failed", reason=f"{type(exc).__name__}: {exc}"[:300])
    if result.text:
        result.content_hash = content_hash(result.text)
    if result.status == "ok":
        size = len(result.text)
        if size < min_chars:
            result.status, result.reason = "too_short", f"{size} chars, under {min_chars}"
        elif size > max_chars:
            result.status, result.reason = "too_long", f"{size} chars, over {max_chars}"
    return result
