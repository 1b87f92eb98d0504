"""Write the offline demo site: articles, newsletter issues, feed, OPML, URL list, bad items.

The files never contain a port: links are written with the placeholders
`{{NEWSLETTER}}` and `{{ARTICLES}}`, which `DemoServer` replaces when it serves text.
The newsletter and the articles live on two different loopback names of one server
(`localhost` and `127.0.0.1`), so the pipeline sees them as two sites.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import textwrap
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

from techwatch.card import Card
from techwatch.demo.articles import ARTICLES, SHORT_NOTE, SYNDICATED, DemoArticle

NEWSLETTER = "{{NEWSLETTER}}"
ARTICLES_BASE = "{{ARTICLES}}"
ROUTES_FILE = "_routes.json"

NEWSLETTER_NAME = "Foresight Notes"
FEED_PATH = "/feed.xml"
OPML_PATH = "/feeds.opml"
URLLIST_PATH = "/urls.txt"
ARCHIVE_PATH = "/archive"
IMAGE_PATH = "/img/cover.png"
BINARY_PATH = "/files/report.html"
DEAD_PATH = "/gridline/2026/07/battery-recycling-gap.html"
TAG_PATH = "/gridline/tags/energy.html"

# Issue date -> editorial note. One issue per month, published on its last day.
ISSUES: dict[str, str] = {
    "2026-06-30": (
        "June was the month the grid became the story of AI. Connection queues for data "
        "centres, export controls on accelerators and models small enough for a phone all "
        "point the same way: computing is turning into a question of energy and geography."
    ),
    "2026-07-31": (
        "A quieter month on the surface, but several thresholds were crossed: logical qubits "
        "that improve as they grow, sodium-ion in a real grid battery, satellites talking to "
        "ordinary phones. Also: why small water utilities worry me."
    ),
    "2026-08-31": (
        "August brought storage that holds up the grid, drones allowed beyond the pilot's "
        "sight, and the first campaign with labelled synthetic ads. The data-centre energy "
        "thread continues with nuclear and geothermal deals."
    ),
    "2026-09-30": (
        "September: compute rented across borders is now an export-control matter, sodium-ion "
        "reaches scooters, and gene editing moves toward common diseases. A PDF report on "
        "cement and carbon capture is worth the download."
    ),
    "2026-10-31": (
        "October closes the season with the threads of the summer coming back: data-centre "
        "heat in district networks, AI-assisted attacks on water systems, voice clones in "
        "campaigns and bigger models draining phone batteries."
    ),
}

# Comments for the links that are not regular articles.
_SPECIAL_COMMENTS: dict[str, str] = {
    DEAD_PATH: "An older piece on the battery recycling gap that I keep coming back to.",
    BINARY_PATH: "The full report behind this month's storage figures.",
    TAG_PATH: "Everything Gridline has published on energy, in one place.",
    SHORT_NOTE.path: "A short note on grid fees; more to come.",
    SYNDICATED.path: "Republished this month by Energy Insider, for those who missed it.",
}


@dataclass
class DemoSite:
    """Where everything was written, and what the pipeline should make of each URL.

    Paths are URL paths. Newsletter paths (issues, archive) are served under
    `newsletter_base`; all other paths under `articles_base` (see `DemoServer`).
    `expected` maps every article-host path linked from a source to the status the
    pipeline should reach: "ok", "binary", "not_article", "dead", "too_short" or
    "duplicate" (the syndicated copy, after its original). `also_acceptable` lists
    other statuses a sound pipeline may reach instead (the tag page extracts to ~700
    characters of link titles, so a length check that runs first says "too_short").
    The PDF report extracts to ~2,200 characters and is expected "ok".
    """

    root: Path
    issue_paths: list[str]
    archive_path: str
    feed_path: str
    opml_path: str
    urllist_path: str
    home_path: str = "/"
    articles: dict[str, DemoArticle] = field(default_factory=dict)
    expected: dict[str, str] = field(default_factory=dict)
    issue_links: dict[str, list[str]] = field(default_factory=dict)
    feed_items: list[str] = field(default_factory=list)
    urllist_items: list[str] = field(default_factory=list)
    redirects: dict[str, str] = field(default_factory=dict)
    duplicate_of: dict[str, str] = field(default_factory=dict)
    also_acceptable: dict[str, set[str]] = field(default_factory=dict)
    pdf_path: str = ""
    windows1252_path: str = ""
    binary_path: str = BINARY_PATH
    dead_path: str = DEAD_PATH
    tag_path: str = TAG_PATH
    short_path: str = SHORT_NOTE.path

    def file_for(self, path: str) -> Path:
        """The file on disk that serves a URL path."""
        return resolve_file(self.root, path) or self.root / path.lstrip("/")

    def accepts(self, path: str, status: str) -> bool:
        """Whether a pipeline status for this path matches what the site expects."""
        return status == self.expected.get(path) or status in self.also_acceptable.get(path, ())

    def ok_paths(self) -> list[str]:
        """Article paths expected to end with status "ok"."""
        return [p for p, status in self.expected.items() if status == "ok"]


def resolve_file(root: Path, path: str) -> Path | None:
    """Map a URL path to a file under root: exact file, `<path>.html`, or `<dir>/index.html`."""
    relative = path.split("?", 1)[0].lstrip("/")
    candidate = root / relative
    if relative and candidate.is_file():
        return candidate
    if relative and candidate.with_name(candidate.name + ".html").is_file():
        return candidate.with_name(candidate.name + ".html")
    if candidate.is_dir() and (candidate / "index.html").is_file():
        return candidate / "index.html"
    return None


# ---------------------------------------------------------------------------
# Small binary files written by hand, so no tool or download is needed.
# ---------------------------------------------------------------------------


def png_bytes(width: int = 48, height: int = 32) -> bytes:
    """A valid RGB PNG with a simple gradient."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 5 % 256, y * 8 % 256, 160))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def pdf_bytes(item: DemoArticle) -> bytes:
    """A one-page PDF (Helvetica, WinAnsi) whose text extracts to the article's prose."""
    lines: list[tuple[str, str]] = [("F2", item.title), ("F1", f"{item.author}, {item.site_name}")]
    lines.append(("F1", f"Published {item.published}"))
    for para in item.paragraphs:
        lines.append(("F1", ""))
        lines.extend(("F1", line) for line in textwrap.wrap(para, 100))
    ops = ["BT", "/F1 9 Tf", "12 TL", "50 800 Td"]
    for font, line in lines:
        size = 13 if font == "F2" else 9
        ops.append(f"/{font} {size} Tf {_pdf_string(line)} Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        (
            f"<< /Title {_pdf_string(item.title)} /Author {_pdf_string(item.author)} "
            f"/CreationDate (D:{item.published.replace('-', '')}080000Z) >>"
        ).encode("cp1252"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


# ---------------------------------------------------------------------------
# HTML pages.
# ---------------------------------------------------------------------------


def _timestamp(day: str, hour: int = 8) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _human_date(day: str) -> str:
    return _timestamp(day).strftime("%-d %B %Y")


def article_html(item: DemoArticle, others: list[DemoArticle]) -> str:
    """A publisher's article page with header, sidebar and footer around the article."""
    url = f"{ARTICLES_BASE}{item.path}"
    published = _timestamp(item.published).isoformat()
    body = "\n".join(f"      <p>{escape(p)}</p>" for p in item.paragraphs)
    tags = " ".join(
        f'<a rel="tag" href="/{item.site}/tags/{escape(t.replace(" ", "-"))}.html">{escape(t)}</a>'
        for t in item.tags
    )
    most_read = "\n".join(
        f'        <li><a href="{ARTICLES_BASE}{o.path}">{escape(o.title)}</a></li>' for o in others
    )
    author_slug = item.author.lower().replace(" ", "-")
    return f"""<!DOCTYPE html>
<html lang="{item.lang}">
<head>
  <meta charset="{item.charset}">
  <title>{escape(item.title)} | {escape(item.site_name)}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="description" content="{escape(item.dek)}">
  <meta name="author" content="{escape(item.author)}">
  <meta property="og:type" content="article">
  <meta property="og:title" content="{escape(item.title)}">
  <meta property="og:site_name" content="{escape(item.site_name)}">
  <meta property="og:url" content="{url}">
  <meta property="article:published_time" content="{published}">
  <link rel="canonical" href="{url}">
  <link rel="stylesheet" href="/{item.site}/static/site.css">
</head>
<body class="single-post">
  <header class="site-header">
    <a class="logo" href="/{item.site}/">{escape(item.site_name)}</a>
    <nav class="main-nav">
      <a href="/{item.site}/">Home</a> <a href="/{item.site}/latest">Latest</a>
      <a href="/{item.site}/topics">Topics</a> <a href="/{item.site}/about">About us</a>
      <a href="/{item.site}/subscribe">Subscribe</a>
    </nav>
    <form class="search" action="/{item.site}/search"><input name="q" placeholder="Search"></form>
  </header>
  <div class="cookie-banner">We use cookies to measure our audience. <button>Accept</button></div>
  <main class="layout">
    <article class="post">
      <header>
      <h1>{escape(item.title)}</h1>
      <p class="dek">{escape(item.dek)}</p>
      <p class="byline">By <a rel="author" href="/{item.site}/authors/{author_slug}">{escape(item.author)}</a>
        &middot; <time datetime="{published}">{_human_date(item.published)}</time></p>
      </header>
      <div class="post-body">
{body}
      </div>
      <footer class="post-tags">Filed under: {tags}</footer>
    </article>
    <aside class="sidebar">
      <h2>Most read</h2>
      <ul>
{most_read}
      </ul>
      <h2>Newsletter</h2>
      <p>Get our weekly briefing in your inbox.</p>
      <form action="/{item.site}/subscribe"><input name="email"><button>Sign up</button></form>
    </aside>
  </main>
  <footer class="site-footer">
    <p>&copy; 2026 {escape(item.site_name)}. All rights reserved.</p>
    <a href="/{item.site}/privacy">Privacy</a> <a href="/{item.site}/terms">Terms</a>
    <a href="/{item.site}/contact">Contact</a>
  </footer>
</body>
</html>
"""


def _newsletter_shell(title: str, published: str, inner: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{escape(title)} - {NEWSLETTER_NAME}</title>
  <meta property="og:title" content="{escape(title)}">
  <meta property="og:site_name" content="{NEWSLETTER_NAME}">
  <meta property="article:published_time" content="{published}">
</head>
<body>
  <div class="topbar">
    <a class="navbar-title" href="{NEWSLETTER}/">{NEWSLETTER_NAME}</a>
    <nav><a href="{NEWSLETTER}/">Home</a> <a href="{NEWSLETTER}/archive">Archive</a>
      <a href="{NEWSLETTER}/about">About</a></nav>
    <a class="subscribe-btn" href="{NEWSLETTER}/subscribe">Subscribe</a>
  </div>
{inner}
  <footer class="footer">
    <p>&copy; 2026 {NEWSLETTER_NAME} &middot; <a href="{NEWSLETTER}/privacy">Privacy</a>
      &middot; <a href="{NEWSLETTER}/tos">Terms</a></p>
  </footer>
</body>
</html>
"""


@dataclass
class _Link:
    path: str  # on the articles host
    href: str  # what the issue links to
    title: str
    comment: str


def issue_html(day: str, note: str, links: list[_Link]) -> str:
    """A Substack-like issue: editorial note, image, commented links, share and comments."""
    slug = day.replace("-", "")
    page = f"{NEWSLETTER}/p/{slug}"
    title = f"Foresight Notes #{slug[:6]}: {_timestamp(day).strftime('%B %Y')}"
    items = "\n".join(
        f'          <li><p><a href="{escape(link.href)}">{escape(link.title)}</a> '
        f"&mdash; {escape(link.comment)}</p></li>"
        for link in links
    )
    inner = f"""  <article class="post newsletter-post">
    <div class="post-header">
      <h1 class="post-title">{escape(title)}</h1>
      <div class="post-meta">Anne Keller &middot; <time datetime="{_timestamp(day, 18).isoformat()}">{_human_date(day)}</time></div>
      <div class="post-ufi">
        <a class="share" href="https://twitter.com/intent/tweet?url={page}&text=Foresight%20Notes">Share on X</a>
        <a class="share" href="https://www.facebook.com/sharer/sharer.php?u={page}">Share on Facebook</a>
        <a class="comments" href="{page}/comments">Comments</a>
      </div>
    </div>
    <div class="available-content">
      <div class="body markup">
        <p>{escape(note)}</p>
        <figure><img src="{NEWSLETTER}{IMAGE_PATH}" alt="Cover illustration" width="48" height="32"></figure>
        <h3>This month's reading</h3>
        <ul>
{items}
        </ul>
        <p>Thanks for reading. Reply to this email with the signals you spotted this month.</p>
      </div>
    </div>
    <div class="post-footer">
      <a class="comments" href="{page}/comments">Leave a comment</a>
      <a class="share" href="https://twitter.com/intent/tweet?url={page}">Share</a>
      <a class="subscribe-btn" href="{NEWSLETTER}/subscribe?utm_source=post">Subscribe now</a>
    </div>
  </article>"""
    return _newsletter_shell(title, _timestamp(day, 18).isoformat(), inner)


def archive_html(days: list[str]) -> str:
    """The newsletter archive: plain links to every issue, newest first."""
    rows = "\n".join(
        f'      <li><a href="{NEWSLETTER}/p/{d.replace("-", "")}">Foresight Notes: '
        f'{_timestamp(d).strftime("%B %Y")}</a> <time datetime="{d}">{_human_date(d)}</time></li>'
        for d in sorted(days, reverse=True)
    )
    inner = f"""  <main class="archive">
    <h1>Archive</h1>
    <ul class="post-preview-list">
{rows}
    </ul>
  </main>"""
    return _newsletter_shell("Archive", _timestamp(days[-1]).isoformat(), inner)


def tag_page_html(items: list[DemoArticle]) -> str:
    """An index page: many links, almost no prose."""
    rows = "\n".join(
        f'      <li><a href="{ARTICLES_BASE}{a.path}">{escape(a.title)}</a> '
        f'<span class="date">{a.published}</span></li>'
        for a in items
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Energy | Gridline</title></head>
<body>
  <header class="site-header"><a class="logo" href="/gridline/">Gridline</a>
    <nav><a href="/gridline/">Home</a> <a href="/gridline/topics">Topics</a></nav></header>
  <main>
    <h1>Topic: energy</h1>
    <p>All our stories tagged energy.</p>
    <ul class="tag-list">
{rows}
    </ul>
    <nav class="pagination"><a href="/gridline/tags/energy.html?page=2">Older</a></nav>
  </main>
  <footer class="site-footer">&copy; 2026 Gridline</footer>
</body>
</html>
"""


# ---------------------------------------------------------------------------
# Feed, OPML, URL list.
# ---------------------------------------------------------------------------


def feed_xml(items: list[DemoArticle]) -> str:
    """An RSS 2.0 feed, newest first."""
    entries = "\n".join(
        f"""    <item>
      <title>{escape(a.title)}</title>
      <link>{ARTICLES_BASE}{a.path}</link>
      <guid isPermaLink="true">{ARTICLES_BASE}{a.path}</guid>
      <dc:creator>{escape(a.author)}</dc:creator>
      <pubDate>{format_datetime(_timestamp(a.published))}</pubDate>
      <description>{escape(a.dek)}</description>
    </item>"""
        for a in items
    )
    built = format_datetime(_timestamp(items[0].published))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Techwatch demo wire</title>
    <link>{ARTICLES_BASE}/</link>
    <description>The latest articles from the demo publishers.</description>
    <language>en</language>
    <lastBuildDate>{built}</lastBuildDate>
{entries}
  </channel>
</rss>
"""


def opml_xml() -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0">
  <head><title>Techwatch demo subscriptions</title></head>
  <body>
    <outline text="Tech">
      <outline type="rss" text="Techwatch demo wire" title="Techwatch demo wire"
        xmlUrl="{ARTICLES_BASE}{FEED_PATH}" htmlUrl="{ARTICLES_BASE}/"/>
    </outline>
  </body>
</opml>
"""


def urllist_text(paths: list[str]) -> str:
    """A URL list with comments, blank lines and two junk lines."""
    lines = [
        "# Techwatch demo: articles to read, one URL per line.",
        "# Lines starting with '#' are comments; blank lines are ignored.",
        "",
        f"{ARTICLES_BASE}{paths[0]}",
        f"{ARTICLES_BASE}{paths[1]}",
        "",
        "# climate and logistics",
        "not a url, just a note to self",
        f"{ARTICLES_BASE}{paths[2]}",
        "javascript:alert(document.cookie)",
        f"  {ARTICLES_BASE}{paths[3]}  ",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The site.
# ---------------------------------------------------------------------------


def _token(issue: str, path: str) -> str:
    return hashlib.sha256(f"{issue}|{path}".encode()).hexdigest()[:12]


def _write(root: Path, path: str, data: bytes | str, day: str | None = None) -> Path:
    """Write a file for a URL path; set its mtime to the given day (Last-Modified)."""
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if day:
        stamp = _timestamp(day).timestamp()
        os.utime(target, (stamp, stamp))
    return target


def _issue_links(
    day: str, regular: list[DemoArticle], specials: list[str], redirects: dict[str, str]
) -> list[_Link]:
    links = [_Link(a.path, f"{ARTICLES_BASE}{a.path}", a.title, a.dek) for a in regular]
    titles = {
        DEAD_PATH: "The battery recycling gap",
        BINARY_PATH: "Grid storage outlook 2026 (full report)",
        TAG_PATH: "Gridline: all energy stories",
        SHORT_NOTE.path: SHORT_NOTE.title,
        SYNDICATED.path: SYNDICATED.title + " (Energy Insider)",
    }
    links += [_Link(p, f"{ARTICLES_BASE}{p}", titles[p], _SPECIAL_COMMENTS[p]) for p in specials]
    # One link with tracking parameters, one through the newsletter's click redirect.
    links[1].href += "?utm_source=foresightnotes&utm_medium=email&utm_campaign=" + day
    token = _token(day, links[2].path)
    redirects[f"/redirect/{token}"] = f"{ARTICLES_BASE}{links[2].path}"
    links[2].href = f"{NEWSLETTER}/redirect/{token}"
    return links


def write_demo_site(root: Path) -> DemoSite:
    """Write the whole demo site under root (created if needed) and describe it."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    html_articles = [a for a in ARTICLES if a.kind == "html"]
    pdf = next(a for a in ARTICLES if a.kind == "pdf")
    cp1252 = next(a for a in ARTICLES if a.charset != "utf-8")
    content_types: dict[str, str] = {
        BINARY_PATH: "text/html; charset=utf-8",  # disguised: PNG bytes behind an .html name
        cp1252.path: "text/html; charset=windows-1252",
    }
    raw_paths = [BINARY_PATH]

    for item in [*html_articles, SYNDICATED, SHORT_NOTE]:
        others = [o for o in html_articles if o.slug != item.slug][:5]
        page = article_html(item, others)
        _write(root, item.path, page.encode(item.charset), item.published)
    _write(root, pdf.path, pdf_bytes(pdf), pdf.published)
    _write(root, BINARY_PATH, png_bytes(64, 64), "2026-08-20")
    _write(root, IMAGE_PATH, png_bytes(), "2026-06-01")
    energy = [a for a in ARTICLES if "energy" in a.tags or "climate" in a.tags]
    _write(root, TAG_PATH, tag_page_html(energy), "2026-09-30")
    _write(root, "/robots.txt", "User-agent: *\nAllow: /\n")

    # Newsletter issues: each month's articles plus the bad items, spread over the months.
    feed_only = {"drone-delivery-noise-complaints", "first-logical-qubit-cloud-service"}
    specials_by_month = {
        "2026-07": [DEAD_PATH],
        "2026-08": [BINARY_PATH],
        "2026-09": [TAG_PATH, SHORT_NOTE.path],
        "2026-10": [SYNDICATED.path],
    }
    redirects: dict[str, str] = {}
    issue_links: dict[str, list[str]] = {}
    issue_paths: list[str] = []
    for day, note in ISSUES.items():
        month = day[:7]
        regular = [a for a in ARTICLES if a.published.startswith(month) and a.slug not in feed_only]
        links = _issue_links(day, regular, specials_by_month.get(month, []), redirects)
        path = f"/p/{day.replace('-', '')}"
        _write(root, path + ".html", issue_html(day, note, links), day)
        issue_paths.append(path)
        issue_links[path] = [link.path for link in links]
    _write(root, ARCHIVE_PATH + ".html", archive_html(list(ISSUES)), list(ISSUES)[-1])
    latest = issue_paths[-1]
    home = f'  <main><h1>{NEWSLETTER_NAME}</h1><p>A monthly foresight letter.</p>\n    <p><a href="{NEWSLETTER}{latest}">Latest issue</a> &middot; <a href="{NEWSLETTER}/archive">Archive</a></p></main>'
    _write(root, "/index.html", _newsletter_shell(NEWSLETTER_NAME, "2026-10-31", home))
    about = "  <main><h1>About</h1><p>Written by Anne Keller, a foresight analyst.</p></main>"
    _write(root, "/about.html", _newsletter_shell("About", "2026-06-01", about))

    # Feed: the ten newest HTML articles (two of them in no issue).
    newest = sorted(html_articles, key=lambda a: a.published, reverse=True)[:10]
    _write(root, FEED_PATH, feed_xml(newest), newest[0].published)
    _write(root, OPML_PATH, opml_xml())
    url_slugs = [
        "open-source-licences-under-strain",
        "right-to-repair-smartphones-eu",
        "direct-air-capture-cost-reckoning",
        "drone-delivery-noise-complaints",
    ]
    urllist_items = [next(a.path for a in ARTICLES if a.slug == s) for s in url_slugs]
    _write(root, URLLIST_PATH, urllist_text(urllist_items))

    routes = {"redirects": redirects, "content_types": content_types, "raw": raw_paths}
    (root / ROUTES_FILE).write_text(json.dumps(routes, indent=2, sort_keys=True), "utf-8")

    expected = {a.path: "ok" for a in ARTICLES}
    expected.update(
        {
            SYNDICATED.path: "duplicate",
            SHORT_NOTE.path: "too_short",
            DEAD_PATH: "dead",
            BINARY_PATH: "binary",
            TAG_PATH: "not_article",
        }
    )
    articles = {a.path: a for a in [*ARTICLES, SYNDICATED, SHORT_NOTE]}
    return DemoSite(
        root=root,
        issue_paths=issue_paths,
        archive_path=ARCHIVE_PATH,
        feed_path=FEED_PATH,
        opml_path=OPML_PATH,
        urllist_path=URLLIST_PATH,
        articles=articles,
        expected=expected,
        issue_links=issue_links,
        feed_items=[a.path for a in newest],
        urllist_items=urllist_items,
        redirects={token: url.removeprefix(ARTICLES_BASE) for token, url in redirects.items()},
        duplicate_of={SYNDICATED.path: next(a.path for a in ARTICLES if a.slug == SYNDICATED.slug)},
        also_acceptable={TAG_PATH: {"too_short"}},
        pdf_path=pdf.path,
        windows1252_path=cp1252.path,
    )


REFERENCE_CARDS_FILE = Path(__file__).with_name("reference_cards.json")


def load_reference_cards() -> dict[str, Card]:
    """Hand-written gold cards for a card-quality benchmark, keyed by article URL path."""
    data = json.loads(REFERENCE_CARDS_FILE.read_text("utf-8"))
    return {path: Card.model_validate(raw) for path, raw in data.items()}
