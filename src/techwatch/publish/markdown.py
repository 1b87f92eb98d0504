"""Foresight card pages: render a Card in the reference markdown format, and parse pages back.

The format is the one of `../shared/reference/seed-card.md` (pages written by an earlier
pipeline with pandas): rendering is byte-exact so that existing pages round-trip, and parsing
accepts every variant found in that corpus (current, legacy and broken pages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import ftfy

from techwatch.card import Card, Item, Signal
from techwatch.publish.tables import clean_cell, is_rule, one_line, render_table, split_row

__all__ = [
    "PageFormatError",
    "PageMeta",
    "ParsedPage",
    "page_filename",
    "parse_page",
    "render_page",
]


class PageFormatError(ValueError):
    """The text is not a card page at all (it has no `# ` title line)."""


@dataclass
class PageMeta:
    """The header data of a page, and the layout options that make parse -> render exact.

    style: "current" = `(from page [LABEL](URL).)` header; "legacy" = `from ([LABEL](URL).)`.
    layout: "current" = Keywords, Themes, Other, Summary, Signals (6 columns), Concerns,
    Behaviors, Technologies, Issues; "legacy" = Summary, Keywords, Themes, Signals
    (4 columns: Signal | Change | 10y horizon | Driving force), Closest.
    item_relevancy: whether Concerns..Issues tables carry a relevancy column (pages from
    March 2025 on do not).
    """

    title: str
    url: str
    origin_label: str
    origin_url: str
    style: str = "current"
    item_relevancy: bool = True
    layout: str = "current"


@dataclass
class ParsedPage:
    """What `parse_page` recovered from a page; `warnings` lists every repair it made."""

    card: Card
    meta: PageMeta
    closest: list[tuple[str, str]] = field(default_factory=list)
    format: str = "current"  # "current" | "legacy" | "broken"
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

_SIGNAL_HEADERS = ("name", "description", "change", "10-year", "driving-force", "relevancy")
_LEGACY_SIGNAL_HEADERS = ("Signal", "Change", "10y horizon", "Driving force")
_ITEM_SECTIONS = (
    ("Concerns", "concerns"),
    ("Behaviors", "behaviors"),
    ("Technologies", "technologies"),
    ("Issues", "issues"),
)
_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")
# In a link target, these would end the line or the link early (a `)` closes the link).
_URL_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>()]")
# In the page title (a heading, not a link), brackets could open a live link: escaped.
_TITLE_ESCAPE = re.compile(r"([\\\[\]])")
_TITLE_UNESCAPE = re.compile(r"\\([\\\[\]])")


def page_filename(article_id: str) -> str:
    """The page file name of an article; refuses ids that could escape the folder."""
    if not _ID_RE.fullmatch(article_id):
        raise ValueError(f"unsafe article id for a file name: {article_id!r}")
    return f"{article_id}.md"


def _line(text: str) -> str:
    """One line of untrusted text: no line break may start a new markdown block."""
    return one_line(text)


def _url(url: str) -> str:
    """A link target that cannot end the line or the link early."""
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)


def _label(label: str) -> str:
    return _line(label).replace("]", "\\]")


def _title(title: str) -> str:
    """The page title: one line, with backslashes and brackets escaped, so a title such as
    `[x](javascript:...)` stays text (`parse_page` undoes the escaping)."""
    return _TITLE_ESCAPE.sub(r"\\\1", _line(title))


def _summary(text: str) -> str:
    """The summary verbatim, except lines that would open a heading are escaped."""
    lines = text.strip("\n").split("\n")
    return "\n".join("\\" + ln if ln.lstrip().startswith("#") else ln for ln in lines)


def _relevancy(value: int | None) -> str:
    return "nan" if value is None else str(value)


def _bullets(values: list[str]) -> str:
    return "\n".join(f"* {_line(v)}" for v in values)


def _signals_table(signals: list[Signal], legacy: bool) -> str:
    if legacy:
        rows = [
            [
                clean_cell(s.name),
                clean_cell(s.change),
                clean_cell(s.ten_year),
                clean_cell(s.driving_force),
            ]
            for s in signals
        ]
        return render_table(_LEGACY_SIGNAL_HEADERS, rows, [False] * 4)
    rows = [
        [
            clean_cell(s.name),
            clean_cell(s.description),
            clean_cell(s.change),
            clean_cell(s.ten_year),
            clean_cell(s.driving_force),
            _relevancy(s.relevancy),
        ]
        for s in signals
    ]
    return render_table(_SIGNAL_HEADERS, rows, [False] * 5 + [True])


def _items_table(items: list[Item], relevancy: bool) -> str:
    if relevancy:
        rows = [
            [clean_cell(i.name), clean_cell(i.description), _relevancy(i.relevancy)] for i in items
        ]
        return render_table(("name", "description", "relevancy"), rows, [False, False, True])
    rows = [[clean_cell(i.name), clean_cell(i.description)] for i in items]
    return render_table(("name", "description"), rows, [False, False])


def _header(meta: PageMeta) -> str:
    origin = f"[{_label(meta.origin_label)}]({_url(meta.origin_url)})"
    where = f"from ({origin}.)" if meta.style == "legacy" else f"(from page {origin}.)"
    return f"# __{_title(meta.title)}__, {where}\n\n__[External link]({_url(meta.url)})__\n\n\n"


def render_page(card: Card, meta: PageMeta, closest: list[tuple[str, str]] | None = None) -> str:
    """The page of one card, byte for byte in the reference format (no final newline).

    Empty sections are left out. `closest` (title, target) links are written only in the
    legacy layout, where the reference pages had a `## Closest` section.
    """
    sections: list[tuple[str, str]] = []

    def add(name: str, body: str) -> None:
        if body:
            sections.append((name, body))

    other = []
    if card.category:
        other.append(f"* Category: {_line(card.category)}")
    if card.type:
        other.append(f"* Type: {_line(card.type)}")
    legacy = meta.layout == "legacy"
    if legacy:
        add("Summary", _summary(card.summary) if card.summary else "")
        add("Keywords", _bullets(card.keywords))
        add("Themes", _bullets(card.themes))
        add("Signals", _signals_table(card.signals, legacy=True) if card.signals else "")
        links = [f"* [{_label(t)}]({_url(u)})" if t or u else "* " for t, u in closest or []]
        add("Closest", "\n".join(links))
    else:
        add("Keywords", _bullets(card.keywords))
        add("Themes", _bullets(card.themes))
        add("Other", "\n".join(other))
        add("Summary", _summary(card.summary) if card.summary else "")
        add("Signals", _signals_table(card.signals, legacy=False) if card.signals else "")
        for title, kind in _ITEM_SECTIONS:
            items = getattr(card, kind)
            add(title, _items_table(items, meta.item_relevancy) if items else "")
    body = "\n\n".join(f"## {name}\n\n{text}" for name, text in sections)
    return _header(meta) + ("\n" + body if body else "")


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_TITLE_RE = re.compile(
    r"^# __(?P<title>.*)__, *"
    r"(?:\(from page \[(?P<label>.*?)\]\((?P<origin>.*)\)\.?\)"
    r"|from \(\[(?P<llabel>.*?)\]\((?P<lorigin>.*)\)\.?\))\s*$"
)
_LINK_RE = re.compile(r"^__\[External link\]\((?P<url>.*)\)__\s*$")
_CLOSEST_RE = re.compile(r"^\* \[(?P<title>.*)\]\((?P<target>[^)]*)\)\s*$")
_SECTIONS = (
    "Keywords",
    "Themes",
    "Other",
    "Summary",
    "Signals",
    "Concerns",
    "Behaviors",
    "Technologies",
    "Issues",
    "Closest",
)
_CURRENT_ORDER = [s for s in _SECTIONS if s != "Closest"]
_LEGACY_ORDER = ["Summary", "Keywords", "Themes", "Signals", "Closest"]
_COLUMN_FIELDS = {
    "name": "name",
    "signal": "name",
    "description": "description",
    "change": "change",
    "10-year": "ten_year",
    "10y horizon": "ten_year",
    "driving-force": "driving_force",
    "driving force": "driving_force",
    "relevancy": "relevancy",
}
_NAN = {"nan", "NaN", "None"}
_LEGACY_SIGNALS = tuple(h.lower() for h in _LEGACY_SIGNAL_HEADERS)
_ITEM_HEADERS = (("name", "description", "relevancy"), ("name", "description"))
_MIN_SPLIT_BULLETS = 4


class _Fixer:
    """Repairs mojibake (UTF-8 read as cp1252) in page text, recording what it changed."""

    def __init__(self, enabled: bool, warnings: list[str]) -> None:
        self.enabled = enabled
        self.warnings = warnings

    def __call__(self, text: str, where: str) -> str:
        if not self.enabled or text.isascii():
            return text
        fixed = ftfy.fix_encoding(text)
        if fixed != text:
            self.warnings.append(f"{where}: repaired mojibake {text[:40]!r} -> {fixed[:40]!r}")
        return fixed


def _split_sections(
    lines: list[str], warnings: list[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """Cut the body into known `## Name` sections; returns them and their order."""
    sections: dict[str, list[str]] = {}
    order: list[str] = []
    current: list[str] | None = None
    for raw in lines:
        if raw.startswith("## ") and raw[3:].strip() in _SECTIONS:
            name = raw[3:].strip()
            if name in sections:
                warnings.append(f"duplicate section {name}: merged")
                current = sections[name]
            else:
                current = sections[name] = []
                order.append(name)
            continue
        if current is None:
            if raw.strip() and not _LINK_RE.match(raw):
                warnings.append(f"text before the first section ignored: {raw[:40]!r}")
            continue
        current.append(raw)
    return sections, order


def _bullet_values(lines: list[str]) -> list[str]:
    out = []
    for ln in lines:
        if ln.startswith("* "):
            out.append(ln[2:])
        elif ln.rstrip() in {"*", "-"}:
            out.append("")
        elif ln.startswith("- "):
            out.append(ln[2:])
    return out


def _is_char_split(values: list[str]) -> bool:
    """Whether a list was written one character per bullet (a string iterated as a list)."""
    return len(values) >= _MIN_SPLIT_BULLETS and all(len(v) == 1 for v in values)


def _rejoin_split(values: list[str], where: str, warnings: list[str]) -> list[str]:
    """Undo a one-character-per-bullet list: join the characters, split on commas."""
    if not _is_char_split(values):
        return values
    joined = "".join(values)
    warnings.append(f"{where}: rejoined {len(values)} one-character bullets")
    return [part.strip() for part in joined.split(",") if part.strip()]


def _table(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    """The header and data rows of the first pipe table in a section."""
    rows = [ln for ln in lines if ln.lstrip().startswith("|")]
    if not rows:
        return [], []
    header = [h.lower() for h in split_row(rows[0])]
    data = [split_row(r) for r in rows[1:] if not is_rule(r)]
    return header, data


def _fit(cells: list[str], width: int) -> list[str]:
    """Pad a short row; glue the overflow of a long one (unescaped pipes) into column 2."""
    if len(cells) <= width:
        return cells + [""] * (width - len(cells))
    if width < 2:
        return [" | ".join(cells)]
    tail = width - 2
    middle = cells[1 : len(cells) - tail]
    return [cells[0], " | ".join(middle), *cells[len(cells) - tail :]]


def _items(
    lines: list[str], cls: type[Item], where: str, fix: _Fixer, warnings: list[str]
) -> tuple[list, tuple[str, ...]]:
    """Items of one table section, and the table's (lowercased) header."""
    header, data = _table(lines)
    if not header:
        if any(ln.strip() for ln in lines):
            warnings.append(f"{where}: no table found")
        return [], ()
    fields = [_COLUMN_FIELDS.get(h) for h in header]
    for h, f in zip(header, fields, strict=True):
        if f is None:
            warnings.append(f"{where}: unknown column {h!r} ignored")
    out = []
    for n, cells in enumerate(data):
        if len(cells) != len(header):
            warnings.append(f"{where} row {n + 1}: {len(cells)} cells for {len(header)} columns")
            cells = _fit(cells, len(header))
        values: dict[str, object] = {}
        for f, cell in zip(fields, cells, strict=True):
            if f is None:
                continue
            if f == "relevancy":
                values[f] = cell
            else:
                text = "" if cell in _NAN else cell
                values[f] = fix(text, f"{where} row {n + 1} {f}")
        values.setdefault("name", "")
        if cls is Item:
            values = {k: v for k, v in values.items() if k in Item.model_fields}
        out.append(cls.model_validate(values))
    return out, tuple(header)


def _is_legacy_layout(order: list[str], signals_header: tuple[str, ...]) -> bool:
    """Legacy pages have Closest links or a 4-column Signals table, and no item sections."""
    if "Closest" in order or signals_header == _LEGACY_SIGNALS:
        return True
    current_only = {"Other", "Concerns", "Behaviors", "Technologies", "Issues"}
    return bool(order) and order[0] == "Summary" and not current_only & set(order)


def _header_meta(line: str, warnings: list[str]) -> PageMeta:
    m = _TITLE_RE.match(line)
    if m is None:
        warnings.append("header: not in a known form; whole line kept as the title")
        title = line[2:].strip()
        if title.startswith("__") and "__" in title[2:]:
            title = title[2 : title.index("__", 2)]
        return PageMeta(title=title, url="", origin_label="", origin_url="", style="current")
    title = _TITLE_UNESCAPE.sub(r"\1", m.group("title"))
    if m.group("label") is not None:
        return PageMeta(title, "", m.group("label"), m.group("origin"), "current")
    return PageMeta(title, "", m.group("llabel"), m.group("lorigin"), "legacy")


def parse_page(text: str, repair: bool = True) -> ParsedPage:
    """Parse a card page of any corpus variant; never raises except on a page with no title.

    With `repair`, mojibake is fixed with ftfy (a warning per change) and lists written one
    character per bullet are rejoined; `repair=False` keeps every cell as written.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    start = next((i for i, ln in enumerate(lines) if ln.startswith("# ")), None)
    if start is None:
        raise PageFormatError("not a card page: no '# ' title line")
    warnings: list[str] = []
    fix = _Fixer(repair, warnings)
    meta = _header_meta(lines[start], warnings)
    meta.title = fix(meta.title, "title")
    body = lines[start + 1 :]
    for ln in body:
        if ln.startswith("## "):
            break
        m = _LINK_RE.match(ln)
        if m:
            meta.url = m.group("url")
            break
    else:
        warnings.append("no external link line")
    sections, order = _split_sections(body, warnings)

    keywords = _bullet_values(sections.get("Keywords", []))
    themes = _bullet_values(sections.get("Themes", []))
    split = _is_char_split(keywords) or _is_char_split(themes)
    if repair:
        keywords = _rejoin_split(keywords, "keywords", warnings)
        themes = _rejoin_split(themes, "themes", warnings)
    keywords = [fix(k, "keywords") for k in keywords]
    themes = [fix(t, "themes") for t in themes]

    category = type_ = ""
    for value in _bullet_values(sections.get("Other", [])):
        key, _, rest = value.partition(":")
        if key.strip().lower() == "category":
            category = rest.strip()
        elif key.strip().lower() == "type":
            type_ = rest.strip()
    summary_lines = sections.get("Summary", [])
    summary = "\n".join(
        ln[1:] if ln.startswith("\\") and ln[1:].lstrip().startswith("#") else ln
        for ln in summary_lines
    ).strip("\n")
    summary = fix(summary, "summary")

    signals, header = _items(sections.get("Signals", []), Signal, "signals", fix, warnings)
    legacy_order = _is_legacy_layout(order, header)
    meta.layout = "legacy" if legacy_order else "current"
    odd: list[str] = []  # why the page would not round-trip
    if header and header != (_LEGACY_SIGNALS if legacy_order else _SIGNAL_HEADERS):
        odd.append("signals table columns")
    lists: dict[str, list[Item]] = {}
    headers: set[tuple[str, ...]] = set()
    for title, kind in _ITEM_SECTIONS:
        lists[kind], header = _items(sections.get(title, []), Item, kind, fix, warnings)
        if header:
            headers.add(header)
    meta.item_relevancy = _ITEM_HEADERS[0] in headers or not headers
    if not headers <= set(_ITEM_HEADERS) or len(headers) > 1:
        odd.append("item table columns")
    if not meta.url:
        odd.append("external link")
    expected = _LEGACY_ORDER if legacy_order else _CURRENT_ORDER
    if [s for s in expected if s in order] != order:
        odd.append("section order")

    closest = []
    for ln in sections.get("Closest", []):
        m = _CLOSEST_RE.match(ln)
        if m:
            closest.append((fix(m.group("title"), "closest"), m.group("target")))
        elif ln.strip() == "*":
            closest.append(("", ""))  # an empty link, written as a bare bullet
        elif ln.strip():
            warnings.append(f"closest: unreadable line {ln[:40]!r}")

    if split:
        odd.append("one-character bullets")
    if meta.style != meta.layout:
        odd.append("header style does not match the section layout")
    if not _TITLE_RE.match(lines[start]):
        odd.append("header line")
    fmt = "broken" if odd else meta.layout
    if odd:
        warnings.append("broken page: " + ", ".join(odd))
    card = Card(
        title=meta.title,
        summary=summary,
        keywords=keywords,
        themes=themes,
        category=category,
        type=type_,
        signals=signals,
        **lists,
    )
    return ParsedPage(card=card, meta=meta, closest=closest, format=fmt, warnings=warnings)
