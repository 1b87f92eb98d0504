"""The shape of one demo article, shared by the article modules.

Bodies are written as plain text with blank lines between paragraphs, so the prose
stays readable in the source; `article()` turns them into paragraph tuples.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoArticle:
    """One hand-written article of the demo corpus."""

    slug: str
    title: str
    author: str
    site: str
    site_name: str
    published: str  # ISO date, YYYY-MM-DD
    paragraphs: tuple[str, ...]
    dek: str = ""
    lang: str = "en"
    tags: tuple[str, ...] = ()
    kind: str = "html"  # "html" or "pdf"
    charset: str = "utf-8"

    @property
    def path(self) -> str:
        """The URL path of the article on the articles host."""
        if self.kind == "pdf":
            return f"/{self.site}/reports/{self.slug}.pdf"
        year, month, _ = self.published.split("-")
        return f"/{self.site}/{year}/{month}/{self.slug}.html"

    @property
    def text(self) -> str:
        """The article's prose, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


def paragraphs(body: str) -> tuple[str, ...]:
    """Split a body on blank lines and unwrap each paragraph onto one line."""
    blocks = [" ".join(line.strip() for line in block.splitlines()) for block in body.split("\n\n")]
    return tuple(block.strip() for block in blocks if block.strip())


def article(body: str, **fields: object) -> DemoArticle:
    """Build a DemoArticle from a wrapped text body and its metadata."""
    return DemoArticle(paragraphs=paragraphs(body), **fields)  # type: ignore[arg-type]
