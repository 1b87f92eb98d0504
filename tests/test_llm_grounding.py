"""Evidence grounding: verbatim after normalisation, near-verbatim, drop and flag."""

from __future__ import annotations

import time

import pytest

from techwatch.analyze.grounding import ground, is_grounded, normalize
from techwatch.card import Card, Item, Signal

TEXT = (
    "The city council voted on Tuesday to ban private cars from the historic centre by 2030.\n"
    "Officials said that “electric buses” and bike lanes will replace car traffic — all of it.\n"
    "Shop owners worry that fewer customers will come."
)


def test_normalize_folds_case_space_quotes_dashes() -> None:
    assert normalize("“Hello”\n  World — it’s") == '"hello" world - it\'s'


@pytest.mark.parametrize(
    "quote",
    [
        "voted on Tuesday to ban private cars",
        "VOTED   on tuesday\nto ban private cars",
        '"electric buses" and bike lanes',
        "car traffic - all of it",
        "Shop owners worry that fewer customers will come.",
    ],
)
def test_verbatim_after_normalisation(quote: str) -> None:
    assert is_grounded(quote, TEXT)


def test_near_verbatim_one_word_changed_in_a_long_quote() -> None:
    quote = "The city council voted on Tuesday to ban all private cars from the historic centre"
    assert is_grounded(quote, TEXT)


@pytest.mark.parametrize(
    "quote",
    [
        "The mayor announced a tax on petrol vans in the suburbs",
        "council voted Wednesday",  # short: must be exact
        "The city council refused on Monday to allow private trucks in the modern centre",
        "",
    ],
)
def test_invented_quotes_are_not_grounded(quote: str) -> None:
    assert not is_grounded(quote, TEXT)


def _card() -> Card:
    return Card(
        summary="s",
        signals=[Signal(name="car ban", evidence="ban private cars from the historic centre")],
        concerns=[
            Item(name="shops", evidence="Shop owners worry that fewer customers will come."),
            Item(name="made up", evidence="Taxes on bread will triple next year."),
        ],
        technologies=[Item(name="no evidence", evidence="")],
    )


def test_drop_removes_ungrounded_items() -> None:
    card, dropped, flagged = ground(_card(), TEXT, "drop")
    assert (dropped, flagged) == (2, 0)
    assert [i.name for i in card.concerns] == ["shops"]
    assert card.technologies == []
    assert card.signals[0].grounded is True and card.concerns[0].grounded is True


def test_flag_keeps_ungrounded_items_marked() -> None:
    original = _card()
    card, dropped, flagged = ground(original, TEXT, "flag")
    assert (dropped, flagged) == (0, 2)
    assert [i.grounded for i in card.concerns] == [True, False]
    assert card.technologies[0].grounded is False
    assert original.concerns[1].grounded is None  # the input card is not mutated


def test_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError):
        ground(_card(), TEXT, "ignore")


def test_fast_on_a_long_article() -> None:
    text = " ".join(f"word{i % 500} filler the of and" for i in range(20_000))  # 100k words
    items = [
        Item(name=f"i{n}", evidence=f"word{n} filler the of and word{n + 1} filler the of made")
        for n in range(50)
    ]
    start = time.perf_counter()
    card, dropped, _ = ground(Card(concerns=items), text)
    assert time.perf_counter() - start < 5
    assert dropped == 0  # 9 of 10 words in order: near-verbatim
