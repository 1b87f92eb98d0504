"""Sniffing, decoding and extraction on fixture bytes built here (no third-party files)."""

from __future__ import annotations

import pytest

from techwatch.fetch.decode import decode, meta_charset, normalize_charset
from techwatch.fetch.extract import Extracted, content_hash, extract, guess_language
from techwatch.fetch.sniff import sniff

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"

EN_PARA = (
    "Researchers at the institute have been studying how distributed energy storage changes "
    "the electricity grid, and the results suggest that homes with batteries will trade power "
    "with their neighbours within a decade. "
)
FR_PARA = (
    "Les chercheurs de l'institut étudient depuis deux ans la façon dont le stockage "
    "d'énergie réparti transforme le réseau électrique, et les résultats montrent que les "
    "maisons équipées de batteries échangeront de l'électricité avec leurs voisins. "
)


def page(
    body: str,
    *,
    lang: str = "en",
    title: str = "Home batteries trade power",
    head: str = "",
    charset: str = "utf-8",
) -> str:
    """A realistic article page: nav, article, footer."""
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(8))
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="{charset}">'
        f"<title>{title} | The Grid Gazette</title>{head}</head><body>"
        f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{title}</h1>{body}"
        '</article></main><footer><a href="/about">About us</a> <a href="/legal">Legal</a> '
        "© 2024 The Grid Gazette</footer></body></html>"
    )


def paragraphs(text: str, count: int, repeat: int = 2) -> str:
    return "".join(f"<p>{text * repeat}Point number {i}.</p>" for i in range(count))


ARTICLE_HEAD = (
    '<meta name="author" content="Ada Lovelace">'
    '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
)


def make_pdf(lines: list[str], title: str = "", author: str = "", date: str = "") -> bytes:
    """A minimal valid one-page PDF with a Helvetica text stream, written by hand."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 10 Tf", "12 TL", "40 800 Td"]
    for line in lines:
        ops += [f"({esc(line)}) Tj", "T*"]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    info = []
    if title:
        info.append(f"/Title ({esc(title)})")
    if author:
        info.append(f"/Author ({esc(author)})")
    if date:
        info.append(f"/CreationDate ({date})")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ("<< " + " ".join(info) + " >>").encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


# ---------------------------------------------------------------------------
# sniff
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "ctype", "name", "expected"),
    [
        (PNG, "text/html", "page.html", "binary"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", None, "", "binary"),
        (b"GIF89a\x01\x00", None, "", "binary"),
        (b"PK\x03\x04\x14\x00\x06\x00", None, "report.docx", "binary"),
        (b"\x1f\x8b\x08\x00", None, "", "binary"),
        (b"\x7fELF\x02\x01\x01", None, "", "binary"),
        (b"abc\x00\x00def" * 10, "text/plain", "a.txt", "binary"),
        (b"%PDF-1.7\n...", "text/html", "x.html", "pdf"),
        (b"<!DOCTYPE html><html><body><p>hi</p></body></html>", "application/pdf", "a.pdf", "html"),
        (b"\n  <html><body>x</body></html>", None, "", "html"),
        (b"<div><p>fragment</p></div>", None, "", "html"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel>', "text/html", "", "feed"),
        (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">', None, "", "feed"),
        (b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="x">', None, "", "feed"),
        (b'<?xml version="1.0"?><opml version="2.0"><body>', None, "", "opml"),
        (b"# Title\n\nSome *markdown* text.", None, "", "markdown"),
        (b"Plain words, nothing else.", None, "notes.md", "markdown"),
        (b"Plain words, nothing else.", "text/plain", "", "text"),
        (b"Plain words, nothing else.", None, "", "text"),
        (b"\xef\xbb\xbf<html><body>bom</body></html>", None, "", "html"),
        ("<html><body>x</body></html>".encode("utf-16"), None, "", "html"),
        ("<html><body>x</body></html>".encode("utf-16-le"), None, "", "html"),
    ],
)
def test_sniff(content: bytes, ctype: str | None, name: str, expected: str) -> None:
    assert sniff(content, ctype, name) == expected


# ---------------------------------------------------------------------------
# decode
# ---------------------------------------------------------------------------


def test_decode_cp1252_declared_utf8() -> None:
    text = "Le café d’été coûte 5 € — « très » cher. Ça alors !"
    html = f'<html><head><meta charset="utf-8"></head><body><p>{text}</p></body></html>'
    decoded, encoding = decode(html.encode("cp1252"), "text/html; charset=utf-8")
    assert text in decoded
    assert encoding == "cp1252"


def test_decode_lying_latin1_header_over_utf8() -> None:
    text = "Über die Straße — “quoted” ünd café"
    decoded, encoding = decode(text.encode("utf-8"), "text/html; charset=ISO-8859-1")
    assert (decoded, encoding) == (text, "utf-8")


def test_decode_declared_charsets() -> None:
    latin = "Ça coûte cher à l’été".encode("cp1252")
    assert decode(latin, "iso-8859-1") == ("Ça coûte cher à l’été", "cp1252")
    cyr = "Привет, как дела? Это проверка кодировки.".encode("cp1251")
    assert decode(cyr, "windows-1251")[0].startswith("Привет")
    meta = b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    assert decode(meta + cyr, None)[1] == "cp1251"


def test_decode_bom_and_helpers() -> None:
    assert decode("\ufeffhello".encode("utf-8")) == ("hello", "utf-8-sig")
    assert decode("hé".encode("utf-16"))[0] == "hé"
    assert normalize_charset("text/html; charset=latin-1") == "cp1252"
    assert normalize_charset("no-such-charset") is None
    assert meta_charset(b'<meta charset="UTF-8">') == "utf-8"


def test_decode_never_raises_on_garbage() -> None:
    text, encoding = decode(bytes(range(128, 256)) * 3, "x-unknown")
    assert isinstance(text, str) and encoding


# ---------------------------------------------------------------------------
# extract: HTML
# ---------------------------------------------------------------------------


def test_normal_article() -> None:
    html = page(paragraphs(EN_PARA, 6), head=ARTICLE_HEAD)
    result = extract(html.encode(), url="https://example.com/2024/batteries")
    assert result.status == "ok", result.reason
    assert result.kind == "html"
    assert result.title == "Home batteries trade power"
    assert result.author == "Ada Lovelace"
    assert result.published == "2024-03-05"
    assert result.published_from == "page metadata"
    assert result.language == "en"
    assert result.encoding == "utf-8"
    assert "trade power with their neighbours" in result.text
    assert "Section 3" not in result.text and "About us" not in result.text
    assert result.content_hash == content_hash(result.text)


def test_non_english_article_keeps_language() -> None:
    html = page(paragraphs(FR_PARA, 6), lang="fr-FR", title="Les batteries domestiques")
    result = extract(html.encode())
    assert result.status == "ok", result.reason
    assert result.language == "fr"
    assert "échangeront de l'électricité" in result.text
    assert result.published_from == ""


def test_language_from_og_locale_and_text() -> None:
    html = page(paragraphs(FR_PARA, 6), head='<meta property="og:locale" content="fr_FR">')
    assert extract(html.replace(' lang="en"', "").encode()).language == "fr"
    assert guess_language(FR_PARA * 3) == "fr"
    assert guess_language(EN_PARA * 3) == "en"
    assert guess_language("too few words") == ""


def test_windows_1252_declared_utf8() -> None:
    body = paragraphs("Le café d’été — l’énergie « répartie » coûte 5 € à produire. " * 3, 8)
    raw = page(body, lang="fr").encode("cp1252")
    result = extract(raw, content_type="text/html; charset=utf-8")
    assert result.status == "ok", result.reason
    assert result.encoding == "cp1252"
    assert "Le café d’été — l’énergie « répartie » coûte 5 €" in result.text
    assert "\ufffd" not in result.text


def test_iso_8859_1_declared_but_utf8() -> None:
    body = paragraphs("Über die Straße — “quoted” Müller’s café. " * 4, 10)
    raw = page(body, lang="de", charset="iso-8859-1").encode("utf-8")
    result = extract(raw, content_type="text/html; charset=iso-8859-1", charset="iso-8859-1")
    assert result.encoding == "utf-8"
    assert "Über die Straße — “quoted” Müller’s café" in result.text
    assert "Ã" not in result.text


def test_mojibake_is_repaired() -> None:
    broken = ("Le cafÃ© dâ€™Ã©tÃ© est prÃªt, la boulangerie aussi. " * 8).strip()
    html = page(paragraphs(broken + " ", 6, repeat=1), lang="fr")
    result = extract(html.encode())
    assert "Le café d’été est prêt" in result.text
    assert "Ã" not in result.text


def test_png_named_html_is_binary() -> None:
    result = extract(PNG + b"\x00" * 200, url="https://example.com/page.html")
    assert (result.status, result.kind) == ("binary", "binary")
    assert "PNG" in result.reason
    assert result.text == ""


def test_html_named_pdf_is_html() -> None:
    html = page(paragraphs(EN_PARA, 6))
    result = extract(html.encode(), url="https://example.com/report.pdf")
    assert result.kind == "html"
    assert result.status == "ok", result.reason


def test_malformed_html_does_not_raise() -> None:
    garbage = (
        "<html><body><div><p>" + EN_PARA * 4 + "<b><i>unclosed <table><tr><td>cell"
        "<p>"
        + EN_PARA * 4
        + "</div></span></html></html><<<>>>&&&;;<p>"
        + EN_PARA * 4
        + "\x00\x01<script>if (a < b) { x = '</p>'; }"
    )
    result = extract(garbage.encode(), min_chars=200)
    assert isinstance(result, Extracted)
    assert extract(b"<<<>>>&&&").status == "too_short"
    assert result.status in {"ok", "too_short", "not_article"}
    assert result.status == "ok", result.reason
    assert "homes with batteries" in result.text


@pytest.mark.parametrize(
    "content", [b"", b"   \n\t ", b"<html></html>", b"<html><body></body></html>", b"<p></p>"]
)
def test_empty_pages(content: bytes) -> None:
    result = extract(content)
    assert result.status in {"too_short", "not_article"}
    assert result.text == ""


def test_index_page_is_not_article() -> None:
    items = "".join(
        f'<li><a href="/news/{i}">Headline number {i} about something that happened today</a></li>'
        for i in range(40)
    )
    result = extract(page(f"<ul>{items}</ul>", title="Latest news").encode(), min_chars=0)
    assert result.status == "not_article"
    assert "listing" in result.reason


def test_teaser_listing_is_not_article() -> None:
    posts = "".join(
        f'<div class="post"><h2><a href="/p/{i}">Post {i} on energy storage</a></h2>'
        f"<p>Short teaser for post {i}, read more.</p></div>"
        for i in range(20)
    )
    result = extract(page(posts, title="Blog").encode(), min_chars=0)
    assert result.status == "not_article"
    assert "listing" in result.reason


def test_login_wall() -> None:
    body = (
        "<p>Home batteries could soon trade power between neighbours, a study finds.</p>"
        '<div class="paywall"><p>Subscribe to read the full article.</p>'
        '<p>Already a subscriber? <a href="/login">Sign in to continue</a>.</p></div>'
    )
    result = extract(page(body).encode())
    assert result.status == "not_article"
    assert "login or paywall" in result.reason


def test_javascript_shell() -> None:
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>App</title>'
        '<script src="/static/app.3f9a.js"></script></head><body>'
        "<noscript>You need to enable JavaScript to run this app.</noscript>"
        '<div id="root"></div></body></html>'
    )
    result = extract(html.encode())
    assert result.status == "not_article"
    assert "JavaScript" in result.reason


def test_long_article_with_js_notice_is_still_an_article() -> None:
    body = (
        paragraphs(EN_PARA, 8) + "<noscript>Please enable JavaScript to view comments.</noscript>"
    )
    result = extract(page(body).encode())
    assert result.status == "ok", result.reason


def test_too_short_keeps_text() -> None:
    result = extract(page(paragraphs(EN_PARA, 1, repeat=1)).encode())
    assert result.status == "too_short"
    assert "homes with batteries" in result.text
    assert result.content_hash


def test_too_long_keeps_text() -> None:
    result = extract(page(paragraphs(EN_PARA, 30, repeat=3)).encode(), max_chars=5000)
    assert result.status == "too_long"
    assert len(result.text) > 5000
    assert "over 5000" in result.reason


def test_content_hash_ignores_formatting() -> None:
    assert content_hash("Hello   World\n\nfoo") == content_hash(" hello world foo ")
    assert content_hash("hello world") != content_hash("hello there")


def test_feed_is_not_article() -> None:
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    result = extract(feed)
    assert (result.status, result.kind) == ("not_article", "feed")


def test_extract_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    import techwatch.fetch.extract as module

    def boom(*args: object, **kwargs: object) -> str:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(module, "sniff", boom)
    result = extract(b"<html><body>x</body></html>")
    assert result.status == "failed"
    assert "kaboom" in result.reason


# ---------------------------------------------------------------------------
# extract: PDF, markdown, text
# ---------------------------------------------------------------------------


def test_pdf_text_and_metadata() -> None:
    lines = [
        f"Line {i}: distributed storage lets homes trade power with neighbours." for i in range(40)
    ]
    pdf = make_pdf(lines, title="Grid Report", author="Ada Lovelace", date="D:20240305101500Z")
    result = extract(pdf, url="https://example.com/report.pdf")
    assert result.kind == "pdf"
    assert result.status == "ok", result.reason
    assert "distributed storage lets homes trade power" in result.text
    assert (result.title, result.author) == ("Grid Report", "Ada Lovelace")
    assert (result.published, result.published_from) == ("2024-03-05", "page metadata")
    assert result.language == "en"


def test_corrupt_pdf_fails_with_reason() -> None:
    result = extract(b"%PDF-1.4\n1 0 obj << /Type /Catalog garbage \x00\xff" * 3)
    assert result.kind == "pdf"
    assert result.status == "failed"
    assert "PDF" in result.reason


def test_pdf_without_text_layer() -> None:
    result = extract(make_pdf([]))
    assert result.status == "too_short"


def test_markdown_title_and_text() -> None:
    md = "Intro line\n\n# Home batteries trade power\n\n" + EN_PARA * 12
    result = extract(md.encode(), url="notes/batteries.md")
    assert result.kind == "markdown"
    assert result.status == "ok", result.reason
    assert result.title == "Home batteries trade power"
    assert result.text.startswith("Intro line\n\n# Home batteries")


def test_markdown_front_matter() -> None:
    md = '---\ntitle: "Front title"\nauthor: Ada\ndate: 2024-03-05\nlang: fr\n---\n# H1\n\nText.'
    result = extract(md.encode(), url="a.md", min_chars=0)
    assert (result.title, result.author, result.published) == ("Front title", "Ada", "2024-03-05")
    assert result.language == "fr"


def test_plain_text() -> None:
    result = extract((EN_PARA * 12).encode("utf-8"), content_type="text/plain", min_chars=100)
    assert (result.kind, result.status, result.language) == ("text", "ok", "en")
    assert result.text == (EN_PARA * 12).strip()
