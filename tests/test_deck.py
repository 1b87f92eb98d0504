"""Card decks: real images and PDFs, inspected (sizes, boxes, QR codes, pages)."""

from __future__ import annotations

import numpy as np
import pytest
import zxingcpp
from PIL import Image, features
from pypdf import PdfReader

from techwatch.card import Card, Item, Signal
from techwatch.outputs.decks import (
    DeckItem,
    EmptyDeckError,
    build_deck,
    deck_card,
    horizon_for,
    items_of_rows,
)
from techwatch.publish.deck import DeckCard, render_card, render_grid, render_pdf
from techwatch.publish.deck_text import font_chain, runs
from techwatch.store.db import sqlite_url
from techwatch.store.store import NewArticle, Store

HARD = {
    "long": DeckCard(
        "signal",
        "A very long title about sodium-ion batteries, grid storage, rural microgrids and the "
        "end of cobalt in every consumer device sold in Europe and Asia " * 3,
        "word " * 600,
        "example.org · 2025-03-01",
        "NEXT",
        "https://example.org/articles/sodium?id=42&ref=deck",
        "1c62918abc",
    ),
    "cjk": DeckCard(
        "concern",
        "人工知能の規制と社会への影響について長いタイトルの例です" * 3,
        "数据中心的能源消耗正在快速增长，电网面临压力。" * 30,
        "例え.jp",
        "NOW",
        "https://example.jp/記事/1",
    ),
    "arabic": DeckCard(
        "technology",
        "الذكاء الاصطناعي في المدن الذكية",
        "تقنيات جديدة لإدارة حركة المرور والطاقة في المدن الكبرى " * 20,
        "مثال.com",
        "NEAR",
        "https://example.com/ar",
    ),
    "emoji": DeckCard(
        "behavior",
        "People 😀🚀🔋 share batteries 👩‍👩‍👧 🇫🇷",
        "Nospacesatall" * 80,
        "s",
        "NOW",
        "",
    ),
}


@pytest.mark.parametrize("name", sorted(HARD))
def test_cards_keep_their_text_inside_the_box(name):
    rendered = render_card(HARD[name])
    image = rendered.image
    assert image.size == (744, 1039)  # 63 x 88 mm at 300 dpi
    for key, box in rendered.boxes.items():
        assert rendered.inner.contains(box), (key, box, rendered.inner)
    # Text that cannot fit is cut with an ellipsis, never drawn past its box.
    if name in ("long", "cjk", "arabic"):
        assert rendered.truncated["text"]
    # The margin between the border and the inner box holds no ink but the border's colour.
    pixels = np.asarray(image)
    strip = pixels[40:1000, 14:30]  # inside the border, left of the content
    assert (strip == 255).all()
    bottom = pixels[1039 - 30 : 1039 - 14, 40:700]
    assert (bottom == 255).all()


def test_the_qr_code_decodes_back_to_the_url():
    for card in (HARD["long"], HARD["cjk"], HARD["arabic"]):
        image = render_card(card).image
        decoded = [r.text for r in zxingcpp.read_barcodes(image)]
        assert decoded == [card.url]
    assert "qr" not in render_card(HARD["emoji"]).boxes  # no URL, no code


def test_scripts_and_emoji_have_a_font_each():
    chain = font_chain()
    names = [face.path for face in chain]
    assert any("Arabic" in n for n in names) and any("Emoji" in n for n in names)
    assert any("CJK" in n for n in names)
    # Each script is set in its own face: no .notdef boxes for CJK, Arabic or emoji.
    parts = runs("Grid 電池 بطارية 🔋")
    faces = {names[i].rsplit("/", 1)[-1].split("[")[0].split("-")[0] for i, _ in parts}
    assert {"NotoSans", "NotoSansArabic", "NotoEmoji", "NotoSansCJK"} <= faces


def test_arabic_is_shaped_when_raqm_is_available():
    if not features.check("raqm"):
        pytest.skip("Pillow without raqm: Arabic is drawn unshaped")
    # Shaped Arabic joins letters: the word is narrower than its isolated forms side by side.
    from techwatch.publish.deck_text import text_width

    word = "بطارية"
    assert text_width(word, 40) < sum(text_width(ch, 40) for ch in word)


def test_pdf_deck_has_the_right_pages_and_size(tmp_path):
    images = [render_card(HARD["long"]).image] * 10
    a4 = tmp_path / "a4.pdf"
    assert render_pdf(images, a4, "a4") == 2  # 9 cards per A4 page
    reader = PdfReader(a4)
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.28) < 1 and abs(float(box.height) - 841.89) < 1
    letter = tmp_path / "letter.pdf"
    render_pdf(images[:3], letter, "letter")
    box = PdfReader(letter).pages[0].mediabox
    assert abs(float(box.width) - 612) < 1 and abs(float(box.height) - 792) < 1
    with pytest.raises(ValueError, match="zero cards"):
        render_pdf([], tmp_path / "none.pdf")
    assert not (tmp_path / "none.pdf").exists()


def test_grid_puts_cards_side_by_side():
    images = [render_card(c).image for c in HARD.values()]
    grid = render_grid(images, cols=2, scale=0.5)
    assert grid.width > 2 * 372 and grid.height > 2 * 519
    with pytest.raises(ValueError):
        render_grid([])


@pytest.mark.parametrize(
    ("item", "kind", "date", "state", "expected"),
    [
        (
            Signal(name="x", change="Cars will be electric by 2035"),
            "signals",
            "2025-01-01",
            "",
            "NEXT",
        ),
        (Signal(name="x", change="Rules apply from 2027"), "signals", "2025-01-01", "", "NEAR"),
        (Signal(name="x", change="Plants already run on it"), "signals", "2025-01-01", "", "NOW"),
        (Signal(name="x", description="within the coming years"), "signals", "", "", "NEAR"),
        (Signal(name="x", description="over decades"), "signals", "", "strong", "NEXT"),
        (Item(name="Heat pumps"), "technologies", "", "emerging", "NEXT"),
        (Item(name="Heat pumps"), "technologies", "", "strong", "NOW"),
        (Item(name="Heat pumps"), "technologies", "", "", "NOW"),
        (Item(name="Privacy"), "concerns", "", "noise", "NEAR"),
        (Signal(name="Quiet change"), "signals", "", "", "NEXT"),
    ],
)
def test_horizon_rule(item, kind, date, state, expected):
    label, reason = horizon_for(kind, item, date, state)
    assert label == expected, reason


def _store_with_card(tmp_path, card: Card) -> Store:
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    article_id, _ = store.discover(
        NewArticle(url="https://news.example/a", origin_kind="issue", origin_date="2025-04-01")
    )
    store.save_card(article_id, status="ok", card=card, provenance={"analyzer": "extractive"})
    return store


def test_build_deck_from_a_stored_card(tmp_path):
    card = Card(
        title="Sodium",
        signals=[Signal(name="Cheap storage", change="from lithium to sodium", ten_year="grid")],
        concerns=[Item(name="Mining", description="Cobalt mining harms rivers.")],
        technologies=[Item(name="Sodium-ion battery")],
    )
    store = _store_with_card(tmp_path, card)
    entries = items_of_rows(store.list_cards())
    assert [e.kind for e in entries] == ["signals", "concerns", "technologies"]
    printed = deck_card(entries[0])
    assert printed.kind == "signal" and "In 10 years: grid" in printed.text
    assert printed.source == "news.example · 2025-04-01"
    result = build_deck(entries, tmp_path / "out", name="t", paper="letter")
    assert result.cards == 3 and len(result.pngs) == 3 and result.pages == 1
    first = Image.open(result.pngs[0])
    assert first.size == (744, 1039) and round(first.info["dpi"][0]) == 300
    assert [r.text for r in zxingcpp.read_barcodes(first)] == ["https://news.example/a"]
    assert len(PdfReader(result.pdf).pages) == 1
    with pytest.raises(EmptyDeckError):
        build_deck([], tmp_path / "empty")
    assert not (tmp_path / "empty").exists()


def test_deck_item_without_url_has_no_qr(tmp_path):
    entry = DeckItem(article_id="abc", kind="issues", item=Item(name="Data law"), url="file:///x")
    printed = deck_card(entry)
    assert printed.url == "" and printed.horizon == "NEAR"


def test_grid_for_a_page(tmp_path):
    from techwatch.outputs.decks import write_grid

    entries = [
        DeckItem(article_id=f"{n:032x}", kind="signals", item=Signal(name=f"Signal {n}"))
        for n in range(5)
    ]
    path = write_grid(entries, tmp_path / "g" / "grid.png", limit=4, cols=2)
    image = Image.open(path)
    assert image.width < image.height  # 2 columns, 2 rows of portrait cards
    assert write_grid([], tmp_path / "none.png") is None and not (tmp_path / "none.png").exists()
