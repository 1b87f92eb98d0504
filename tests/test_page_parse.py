"""Parsing on small synthetic pages: every variant and oddity the corpus shows."""

from __future__ import annotations

import pytest

from techwatch.card import Card, Item
from techwatch.publish.markdown import (
    PageFormatError,
    PageMeta,
    page_filename,
    parse_page,
    render_page,
)

LEGACY = """# __Old page__, from ([20220105](https://n.example/p/20220105).)

__[External link](https://a.example/x)__



## Summary

An old summary.

## Keywords

* alpha
* beta

## Themes

* gamma

## Signals

| Signal   | Change   | 10y horizon   | Driving force   |
|:---------|:---------|:--------------|:----------------|
| Robots   | More     | Everywhere    | Cost            |

## Closest

* [Another card](0123456789abcdef0123456789abcdef)
* [Third](fedcba9876543210fedcba9876543210)"""

CURRENT_NO_REL = """# __New page__, (from page [20250504 ](https://n.example/p/20250504 ).)

__[External link](https://a.example/y)__



## Summary

Only a summary.

## Concerns

| name   | description   |
|:-------|:--------------|
| Risk   | Bad things.   |"""


def test_legacy_table_and_closest_links() -> None:
    parsed = parse_page(LEGACY)
    assert parsed.format == "legacy" and parsed.warnings == []
    signal = parsed.card.signals[0]
    assert (signal.name, signal.change, signal.ten_year, signal.driving_force) == (
        "Robots",
        "More",
        "Everywhere",
        "Cost",
    )
    assert parsed.closest[1] == ("Third", "fedcba9876543210fedcba9876543210")
    assert parsed.meta.origin_label == "20220105" and parsed.meta.style == "legacy"
    assert render_page(parsed.card, parsed.meta, parsed.closest) == LEGACY


def test_missing_sections_and_no_item_relevancy_round_trip() -> None:
    parsed = parse_page(CURRENT_NO_REL)
    assert parsed.format == "current"
    assert parsed.meta.origin_label == "20250504 " and parsed.meta.item_relevancy is False
    assert parsed.card.keywords == [] and parsed.card.signals == []
    assert parsed.card.concerns == [Item(name="Risk", description="Bad things.")]
    assert render_page(parsed.card, parsed.meta) == CURRENT_NO_REL


def test_nan_cells_become_empty_or_unknown() -> None:
    page = CURRENT_NO_REL.replace(
        "| name   | description   |", "| name | description | relevancy |"
    )
    page = page.replace("|:-------|:--------------|", "|:--|:--|--:|")
    page = page.replace("| Risk   | Bad things.   |", "| Risk | nan | nan |\n| nan | Other | 4.0 |")
    parsed = parse_page(page)
    first, second = parsed.card.concerns
    assert (first.description, first.relevancy) == ("", None)
    assert (second.name, second.relevancy) == ("", 4)
    assert parsed.meta.item_relevancy is True
    assert "|         nan |" in render_page(parsed.card, parsed.meta)


def test_char_split_keywords_are_rejoined() -> None:
    chars = "* " + "\n* ".join("solar cells, grid")
    page = LEGACY.replace("* alpha\n* beta", chars).replace("[20220105]", "[7701.0]")
    parsed = parse_page(page)
    assert parsed.card.keywords == ["solar cells", "grid"]
    assert parsed.format == "broken" and parsed.meta.origin_label == "7701.0"
    assert any("one-character" in w for w in parsed.warnings)
    raw = parse_page(page, repair=False)
    assert raw.card.keywords[:3] == ["s", "o", "l"]
    assert render_page(raw.card, raw.meta, raw.closest) == page


def test_single_letter_keyword_is_not_a_split_list() -> None:
    page = LEGACY.replace("* alpha\n* beta", "* X\n* social network")
    assert parse_page(page).card.keywords == ["X", "social network"]


def test_mojibake_is_repaired_with_a_warning() -> None:
    page = LEGACY.replace("| Robots   |", "| Chinaâ€™s robots |")
    parsed = parse_page(page)
    assert parsed.card.signals[0].name == "China’s robots"
    assert any("mojibake" in w for w in parsed.warnings)
    assert parse_page(page, repair=False).card.signals[0].name == "Chinaâ€™s robots"


def test_escaped_and_stray_pipes_in_cells() -> None:
    page = CURRENT_NO_REL.replace("| Risk   | Bad things.   |", "| A \\| B | x | y |")
    parsed = parse_page(page)
    item = parsed.card.concerns[0]
    assert item.name == "A | B" and item.description == "x | y"
    assert any("cells for 2 columns" in w for w in parsed.warnings)


def test_no_title_line_raises_but_odd_pages_do_not() -> None:
    with pytest.raises(PageFormatError):
        parse_page("just some text\n\n## Summary\n\nhello")
    odd = parse_page("# Something else entirely\n\n## Summary\n\nhello\n\n## Signals\n\n| a |")
    assert odd.format == "broken" and odd.card.summary == "hello"
    assert odd.meta.title == "Something else entirely"


def test_hostile_text_cannot_break_the_page_structure() -> None:
    card = Card(
        title="T\n## Signals",
        summary="Fine.\n\n## Signals\n\n| name | x |",
        keywords=["a\nb", "\x1b[31mred"],
        concerns=[Item(name="n|m", description="line\nbreak", relevancy=2)],
    )
    meta = PageMeta(title=card.title, url="https://e.x/a b\n)", origin_label="1]2", origin_url="u")
    out = render_page(card, meta)
    assert [ln for ln in out.split("\n") if ln.startswith("## ")] == [
        "## Keywords",
        "## Summary",
        "## Concerns",
    ]
    assert "\x1b" not in out
    back = parse_page(out)
    assert back.card.concerns[0].name == "n|m"
    assert back.card.summary == card.summary and back.card.signals == []


def test_page_filename_refuses_paths() -> None:
    assert page_filename("0123abcd") == "0123abcd.md"
    for bad in ("../x", "a/b", "", "a.b"):
        with pytest.raises(ValueError):
            page_filename(bad)
