"""The demo corpus's articles: 34 hand-written pieces plus the special cases.

The articles are data, not code: one markdown file per article under `demo/data/`
(TOML front matter between `+++` lines, then the prose, paragraphs separated by blank
lines), shipped as package data and read once on import.

Recurring threads (data-centre energy, on-device models, sodium-ion, export controls,
water-utility security, deepfakes, drones, quantum error correction, CRISPR, cities)
come back over the five months so that trends can emerge across the corpus.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from importlib.resources.abc import Traversable

__all__ = ["ARTICLES", "SHORT_NOTE", "SYNDICATED", "DemoArticle", "by_slug", "load_article"]

_DATA = resources.files("techwatch.demo") / "data"


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


def load_article(source: Traversable) -> DemoArticle:
    """One article file: `+++` TOML front matter `+++`, then the prose."""
    text = source.read_text(encoding="utf-8")
    _, front, body = text.split("+++\n", 2)
    meta = tomllib.loads(front)
    meta["tags"] = tuple(meta.get("tags", ()))
    return DemoArticle(paragraphs=paragraphs(body), **meta)


ARTICLES: tuple[DemoArticle, ...] = tuple(
    sorted(
        (load_article(f) for f in (_DATA / "articles").iterdir() if f.name.endswith(".md")),
        key=lambda a: (a.published, a.slug),
    )
)


def by_slug(slug: str) -> DemoArticle:
    """The article with this slug (KeyError if none)."""
    for item in ARTICLES:
        if item.slug == slug:
            return item
    raise KeyError(slug)


def _syndicate(original: DemoArticle) -> DemoArticle:
    """The same article republished elsewhere with one new intro sentence."""
    intro = (
        f"This analysis first appeared in {original.site_name} and is republished here, "
        "unchanged, as part of our content partnership."
    )
    return replace(
        original,
        site="energyinsider",
        site_name="Energy Insider",
        published="2026-10-14",
        paragraphs=(intro, *original.paragraphs),
    )


# A near-duplicate: the pipeline should see it as a copy of an article it already has.
SYNDICATED: DemoArticle = _syndicate(by_slug("data-centres-sign-nuclear-geothermal-deals"))

# A real page whose prose is far below the pipeline's 1,500-character minimum.
SHORT_NOTE: DemoArticle = load_article(_DATA / "short-note.md")
