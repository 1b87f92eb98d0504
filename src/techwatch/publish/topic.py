"""A topic page in the earlier system's layout, every statement citing its cards.

`# *Topic*: name`, a digest, the top weak signals table (name, description, change,
10-year, driving force), concerns, behaviors, technologies and issues, a card grid and
the articles' links.
"""

from __future__ import annotations

from collections.abc import Callable

from techwatch.publish.tables import clean_cell, render_table
from techwatch.publish.trends import cite, md, md_link, md_url
from techwatch.trends.cards import CardRef, Cited
from techwatch.trends.topic import TopicPage

SECTION_TITLES = {
    "concerns": "Concerns",
    "behaviors": "Behaviors",
    "technologies": "Technologies",
    "issues": "Issues",
}


def article_link(card: CardRef) -> str:
    return card.url


def _cited(item: Cited, cards: dict[str, CardRef], link: Callable[[CardRef], str]) -> str:
    sources = "; ".join(cite(cards[c], link) for c in item.card_ids if c in cards)
    return f"- {md(item.text)} ({sources})"


def card_grid(cards: list[CardRef], link: Callable[[CardRef], str], columns: int = 3) -> str:
    """Cards side by side, `columns` a row: title link, date and category, keywords."""
    cells = []
    for card in cards:
        keywords = ", ".join(md(k) for k in card.keywords[:4])
        text = f"**{md_link(card.title, link(card))}**<br>{md(card.date)} · {md(card.category)}"
        cells.append(clean_cell(text + (f"<br>{keywords}" if keywords else "")))
    if not cells:
        return ""
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    width = min(columns, len(cells))
    rows = [r + [""] * (width - len(r)) for r in rows]
    return render_table([" "] * width, rows, [False] * width)


def render_topic(
    page: TopicPage, link: Callable[[CardRef], str] = article_link, grid_image: str = ""
) -> str:
    """The page; `grid_image` (a relative path) embeds the deck's grid PNG of its cards."""
    cards = page.cited
    lines = [f"# *Topic*: {md(page.name)}", ""]
    if page.message:
        return "\n".join([*lines, md(page.message) + ".", ""])
    lines += ["## Digest", ""]
    lines += [_cited(d, cards, link) for d in page.digest]
    source = page.digest_source[:1].upper() + page.digest_source[1:]
    lines += ["", f"*{md(source)} digest of {len(page.cards)} cards.*", ""]
    if page.signals:
        lines += ["## Top weak signals", ""]
        rows = [
            [
                clean_cell(md(s.name)),
                clean_cell(md(s.description)),
                clean_cell(md(s.change)),
                clean_cell(md(s.ten_year)),
                clean_cell(md(s.driving_force)),
                clean_cell(cite(cards[s.card_id], link)),
            ]
            for s in page.signals
        ]
        headers = ["Name", "Description", "Change", "10-year", "Driving force", "Source"]
        lines += [render_table(headers, rows, [False] * 6), ""]
    for kind, title in SECTION_TITLES.items():
        items = page.items.get(kind) or []
        if items:
            lines += [f"## {title}", "", *[_cited(i, cards, link) for i in items], ""]
    if page.trends:
        lines += ["## Related trends", ""]
        for t in page.trends:
            lines.append(
                f"- {md(t['label'] or t['id'])} (`{t['id']}`, {t['kind']}, {len(t['cards'])} of these cards)"
            )
        lines.append("")
    lines += ["## Cards", "", card_grid(page.cards, link), ""]
    if grid_image:
        lines += [f"![Card grid of {md(page.name)}]({md_url(grid_image)})", ""]
    lines += ["## Articles", ""]
    lines += [f"- \\[{c.id[:8]}\\] {md_link(c.title, c.url)} ({md(c.date)})" for c in page.cards]
    lines.append("")
    return "\n".join(lines)
