"""The demo corpus's articles: 34 hand-written pieces plus the special cases.

Recurring threads (data-centre energy, on-device models, sodium-ion, export controls,
water-utility security, deepfakes, drones, quantum error correction, CRISPR, cities)
come back over the five months so that trends can emerge across the corpus.
"""

from __future__ import annotations

from dataclasses import replace

from techwatch.demo.articles_ai import AI_ARTICLES
from techwatch.demo.articles_base import DemoArticle, article
from techwatch.demo.articles_digital import DIGITAL_ARTICLES
from techwatch.demo.articles_energy import ENERGY_ARTICLES
from techwatch.demo.articles_society import SOCIETY_ARTICLES

__all__ = ["ARTICLES", "SHORT_NOTE", "SYNDICATED", "DemoArticle", "by_slug"]

ARTICLES: tuple[DemoArticle, ...] = tuple(
    sorted(
        ENERGY_ARTICLES + AI_ARTICLES + DIGITAL_ARTICLES + SOCIETY_ARTICLES,
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
SHORT_NOTE: DemoArticle = article(
    slug="briefly-grid-fees-for-large-loads",
    title="Briefly: grid fees for large loads",
    dek="A two-paragraph note.",
    author="Maren Holt",
    site="gridline",
    site_name="Gridline",
    published="2026-09-19",
    tags=("energy", "grid"),
    body="""
Germany's network regulator has opened a consultation on making very large new loads, such as
data centres and electrolysers, pay a bigger share of the grid reinforcement they trigger.

We will cover the proposal in detail when the draft is published.
""",
)
