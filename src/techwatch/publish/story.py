"""The story of a newsletter issue as a markdown page (`story-YYYYMMDD.md`)."""

from __future__ import annotations

from techwatch.publish.markdown import page_filename
from techwatch.publish.tables import one_line

__all__ = ["render_story", "story_filename"]


def story_filename(issue_date: str) -> str:
    return f"story-{issue_date.replace('-', '')}.md"


def _md(text: str) -> str:
    """Untrusted text in markdown: no raw HTML, no link or emphasis syntax from the model."""
    out = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "[]`*_#":
        out = out.replace(ch, "\\" + ch)
    return out


def render_story(
    issue_date: str, title: str, text: str, sources: list[tuple[str, str]], model: str = ""
) -> str:
    """Title, the issue, the story's paragraphs, and the cards it was written from."""
    out = [f"# {_md(one_line(title))}", "", f"_A story from the issue of {issue_date}_", ""]
    for paragraph in text.split("\n"):
        out.append(_md(paragraph.strip()))
    while out and not out[-1]:
        out.pop()
    out += ["", "## Written from", ""]
    for article_id, card_title in sources:
        out.append(f"* [{_md(one_line(card_title)) or article_id}]({page_filename(article_id)})")
    if model:
        out += ["", f"_Fiction written by a language model ({_md(model)})._"]
    return "\n".join(out) + "\n"
