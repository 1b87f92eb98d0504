"""Every page of the shared reference corpus parses, and current-format pages round-trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from techwatch.publish.markdown import parse_page, render_page


@pytest.fixture(scope="module")
def pages(corpus_pages: Path) -> dict[str, str]:
    files = sorted(corpus_pages.glob("*.md"))
    assert files, f"no page in {corpus_pages}"
    return {f.name: f.read_text(encoding="utf-8") for f in files}


def test_every_page_parses_and_current_pages_round_trip(pages: dict[str, str]) -> None:
    formats: dict[str, int] = {}
    round_trip = 0
    failures = []
    for name, text in pages.items():
        parsed = parse_page(text)
        formats[parsed.format] = formats.get(parsed.format, 0) + 1
        assert parsed.meta.title, name
        out = render_page(parsed.card, parsed.meta, parsed.closest)
        if out == text:
            round_trip += 1
        elif parsed.format == "current":
            failures.append(name)
        if parsed.format == "current":
            assert parsed.card.signals and parsed.card.summary, name
    assert failures == []
    share = round_trip / len(pages)
    current = formats.get("current", 0) / len(pages)
    print(f"\nround-trip {round_trip}/{len(pages)} = {share:.1%}; formats {formats}")
    assert formats.get("current", 0) > 0 and formats.get("legacy", 0) > 0
    assert share >= current


def test_unrepaired_parse_round_trips_nearly_everything(pages: dict[str, str]) -> None:
    """Without repairs even broken pages come back byte for byte (one-character bullets too)."""
    same = [n for n, t in pages.items() if render_page(*_card_meta_closest(t)) == t]
    assert len(same) >= len(pages) - 1, sorted(set(pages) - set(same))


def _card_meta_closest(text: str):
    parsed = parse_page(text, repair=False)
    return parsed.card, parsed.meta, parsed.closest


def test_legacy_pages_keep_their_signals_and_closest_links(pages: dict[str, str]) -> None:
    legacy = [parse_page(t) for t in pages.values()]
    legacy = [p for p in legacy if p.format == "legacy"]
    assert legacy
    for parsed in legacy:
        assert parsed.meta.style == "legacy" and parsed.meta.layout == "legacy"
        assert parsed.card.signals and all(s.change for s in parsed.card.signals)
        assert all(s.description == "" and s.relevancy is None for s in parsed.card.signals)
    assert sum(len(p.closest) for p in legacy) >= len(legacy)
    assert all(len(t) == 32 for p in legacy for _, t in p.closest if t)


def test_broken_pages_get_their_lists_rejoined(pages: dict[str, str]) -> None:
    broken = [parse_page(t) for t in pages.values()]
    rejoined = [p for p in broken if any("one-character" in w for w in p.warnings)]
    assert rejoined
    for parsed in rejoined:
        assert parsed.format == "broken"
        assert parsed.card.keywords and all(len(k) > 1 for k in parsed.card.keywords)
        assert parsed.meta.origin_label.endswith(".0")
