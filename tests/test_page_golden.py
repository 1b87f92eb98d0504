"""The page format is a byte contract: the reference seed card and our own golden pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from techwatch.card import Card, Item, Signal
from techwatch.publish.index import IndexEntry, render_index
from techwatch.publish.markdown import PageMeta, parse_page, render_page

GOLDEN = Path(__file__).parent / "golden"
MOJIBAKE, REPAIRED = "Chinaâ€™s", "China’s"


@pytest.fixture(scope="module")
def seed(seed_card: Path) -> str:
    return seed_card.read_text(encoding="utf-8")


def test_seed_repaired_render_differs_only_on_the_mojibake_row(seed: str) -> None:
    parsed = parse_page(seed)
    assert parsed.format == "current"
    assert [w for w in parsed.warnings if "mojibake" in w] and len(parsed.warnings) == 1
    assert any(REPAIRED in i.description for i in parsed.card.concerns)
    out = render_page(parsed.card, parsed.meta)
    old, new = seed.split("\n"), out.split("\n")
    assert len(old) == len(new)
    differ = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    assert len(differ) == 1
    row = differ[0]
    assert MOJIBAKE in old[row] and REPAIRED in new[row]
    # The seed's padding was computed on the clean text before it was garbled, so the
    # repaired row is exactly what pandas wrote in the first place.
    assert new[row] == old[row].replace(MOJIBAKE, REPAIRED)
    assert not out.endswith("\n") and not seed.endswith("\n")


def test_seed_unrepaired_keeps_every_cell_and_differs_only_by_padding(seed: str) -> None:
    parsed = parse_page(seed, repair=False)
    assert parsed.warnings == []
    assert any(MOJIBAKE in i.description for i in parsed.card.concerns)
    out = render_page(parsed.card, parsed.meta)
    old, new = seed.split("\n"), out.split("\n")
    differ = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    # Not byte-identical: the seed pads the garbled cell as if it were 2 characters shorter.
    assert len(differ) == 1 and MOJIBAKE in old[differ[0]]
    assert old[differ[0]].split() == new[differ[0]].split()
    assert len(old[differ[0]]) == len(new[differ[0]]) + 2


def test_seed_header_and_sections(seed: str) -> None:
    parsed = parse_page(seed)
    assert parsed.meta.origin_label == "20230701"
    assert parsed.meta.origin_url == "https://kghosh.substack.com/p/20230701"
    assert parsed.meta.url.startswith("https://www.tomshardware.com/news/")
    card = parsed.card
    assert card.keywords[:2] == ["ByteDance", "Nvidia"] and len(card.themes) == 4
    assert (card.category, card.type) == ("technology", "news")
    assert len(card.signals) == 5 and card.signals[1].relevancy == 5
    assert card.signals[0].ten_year.startswith("In a decade")
    assert all(len(getattr(card, k)) == 6 for k in ("concerns", "behaviors", "technologies"))
    assert card.issues and parsed.meta.item_relevancy


def _synthetic() -> tuple[Card, PageMeta]:
    card = Card(
        title="Tiny reactors | a test",
        summary="Small modular reactors move from paper to pilot sites.",
        keywords=["SMR", "nuclear", "grid"],
        themes=["energy", "industry"],
        category="technology",
        type="news",
        signals=[
            Signal(
                name="Pilot SMRs",
                description="Utilities order pilot units.",
                change="From studies to orders",
                ten_year="Fleets of small reactors",
                driving_force="Grid decarbonisation",
                relevancy=4,
            ),
            Signal(name="Cost | risk", description="Unknown costs.", relevancy=None),
        ],
        concerns=[Item(name="Waste", description="Spent fuel piles up.", relevancy=3)],
        technologies=[Item(name="環境 SMR", description="Wide characters count two.", relevancy=5)],
    )
    meta = PageMeta(
        title=card.title,
        url="https://example.org/smr",
        origin_label="20240101",
        origin_url="https://news.example.org/p/20240101",
    )
    return card, meta


def test_synthetic_card_matches_golden_page() -> None:
    card, meta = _synthetic()
    out = render_page(card, meta)
    assert out == (GOLDEN / "synthetic-card.md").read_text(encoding="utf-8")
    back = parse_page(out)
    assert back.format == "current" and back.warnings == []
    assert back.card.model_dump() == card.model_dump()
    assert render_page(back.card, back.meta) == out


def test_synthetic_card_without_item_relevancy_matches_golden_page() -> None:
    card, meta = _synthetic()
    meta.item_relevancy = False
    out = render_page(card, meta)
    assert out == (GOLDEN / "synthetic-card-no-relevancy.md").read_text(encoding="utf-8")
    back = parse_page(out)
    assert back.meta.item_relevancy is False
    assert render_page(back.card, back.meta) == out


def test_index_matches_golden_page() -> None:
    entries = [
        IndexEntry(
            "a1",
            "Older story",
            "https://x.org/1",
            "20230101",
            "https://n.org/p/20230101",
            "2023-01-01",
            "science",
        ),
        IndexEntry(
            "b2",
            "Newest [story]",
            "https://x.org/2",
            "20240301",
            "https://n.org/p/20240301",
            "2024-03-01",
            "technology",
        ),
        IndexEntry(
            "c3",
            "Another new one",
            "https://x.org/3",
            "20240301",
            "https://n.org/p/20240301",
            "2024-03-01",
            "",
        ),
        IndexEntry("d4", "Undated", "", "7701.0", "https://n.org/p/7701.0", "", "others"),
    ]
    out = render_index(entries)
    assert out == (GOLDEN / "index.md").read_text(encoding="utf-8")
    assert render_index(list(reversed(entries))) == out
