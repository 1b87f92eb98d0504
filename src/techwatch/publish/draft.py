"""A newsletter draft as markdown: themes with one line per article, signals, topics, story."""

from __future__ import annotations

from techwatch.outputs.drafts import Draft, DraftSignal
from techwatch.publish.markdown import page_filename
from techwatch.publish.tables import one_line

__all__ = ["md_text", "md_url", "render_draft"]


def md_text(text: str) -> str:
    """Untrusted text in markdown prose: no raw HTML, links, emphasis or headings from it."""
    out = one_line(text).replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "[]`*_|":
        out = out.replace(ch, "\\" + ch)
    return out.strip()


def md_url(url: str) -> str:
    """A URL safe inside `(...)`: spaces and brackets percent-encoded, scripts refused."""
    url = one_line(url).strip()
    if not url.lower().startswith(("http://", "https://")) and ":" in url.split("/")[0]:
        return "#"
    return "".join(f"%{ord(c):02X}" if c in " <>()[]\"'" else c for c in url)


def _signal(s: DraftSignal) -> str:
    rel = f" (relevancy {s.relevancy})" if s.relevancy is not None else ""
    seen = f", in {s.cards} cards" if s.cards > 1 else ""
    desc = f": {md_text(s.description)}" if s.description else ""
    return (
        f"* **{md_text(s.name)}**{desc}{rel}{seen}: "
        f"[{md_text(s.title) or s.article_id}]({page_filename(s.article_id)})"
    )


def render_draft(draft: Draft) -> str:
    out = [f"# {md_text(draft.title)}", ""]
    n, t = draft.articles, len(draft.themes)
    out.append(f"{n} article{'s' if n != 1 else ''} in {t} theme{'s' if t != 1 else ''}.")
    for theme, articles in draft.themes.items():
        out += ["", f"## {md_text(theme[:1].upper() + theme[1:])}", ""]
        for a in articles:
            line = f" {md_text(a.line)}" if a.line else ""
            out.append(
                f"* [{md_text(a.title) or a.article_id}]({md_url(a.url)}){line} "
                f"([card]({page_filename(a.article_id)}))"
            )
    if draft.strongest:
        out += ["", "## Strongest signals", ""] + [_signal(s) for s in draft.strongest]
    if draft.newest:
        out += ["", "## New signals", ""] + [_signal(s) for s in draft.newest]
    out += ["", "## Topics", ""]
    if draft.topics:
        out += [f"* [{md_text(label)}]({md_url(link)})" for label, link in draft.topics]
    else:
        themes = list(draft.themes)[:5]
        out += [f'* `techwatch topic "{md_text(t).replace("`", "")}"`' for t in themes]
    if draft.story is not None:
        out += ["", f"## Story: {md_text(draft.story.title)}", ""]
        for paragraph in (p for p in draft.story.text.split("\n") if p.strip()):
            out += [md_text(paragraph), ""]
        out += ["_Fiction written by a language model from this issue's summaries._"]
    return "\n".join(out) + "\n"
