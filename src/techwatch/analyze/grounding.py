"""Evidence grounding: keep only items whose quote really is in the article.

LLMs invent quotes. An item is grounded when its evidence occurs in the article
after normalising case, whitespace, quotes, apostrophes and dashes, or nearly so
(at least `threshold` of the quote's words, in order, inside one short window).
"""

from __future__ import annotations

import math
import re
import unicodedata
from difflib import SequenceMatcher

from techwatch.card import ITEM_KINDS, Card, Item

POLICIES = ("drop", "flag")
NEAR_THRESHOLD = 0.9
_MIN_NEAR_WORDS = 5  # shorter quotes must match exactly
_MAX_WINDOWS = 2000  # bounds the cost of one look-up

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
    }
)
_WORD_RE = re.compile(r"\w+")


def normalize(text: str) -> str:
    """Case-, whitespace-, quote- and dash-insensitive form of a text."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE).casefold()
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """The normalised words of a text, punctuation dropped."""
    return _WORD_RE.findall(normalize(text))


class _Article:
    """An article prepared once for many quote look-ups."""

    def __init__(self, text: str) -> None:
        self.words = words(text)
        self.joined = " " + " ".join(self.words) + " "
        self.positions: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            self.positions.setdefault(w, []).append(i)

    def contains(self, quote: str, threshold: float = NEAR_THRESHOLD) -> bool:
        q = words(quote)
        if not q:
            return False
        if " " + " ".join(q) + " " in self.joined:
            return True
        if len(q) < _MIN_NEAR_WORDS:
            return False
        n = len(q)
        need = math.ceil(threshold * n)
        slack = n - need
        # At most `slack` quote words are missing, so one of the `slack + 1` rarest
        # is matched: anchor candidate windows on those (rare words, few windows).
        rarest = sorted(set(q), key=lambda w: len(self.positions.get(w, ())))[: slack + 1]
        starts = sorted(
            {
                max(0, p - j - slack)
                for w in rarest
                for j in (j for j, qw in enumerate(q) if qw == w)
                for p in self.positions.get(w, ())
            }
        )
        for start in starts[:_MAX_WINDOWS]:
            window = self.words[start : start + n + 2 * slack]
            matcher = SequenceMatcher(None, q, window, autojunk=False)
            if sum(b.size for b in matcher.get_matching_blocks()) >= need:
                return True
        return False


def is_grounded(quote: str, text: str, threshold: float = NEAR_THRESHOLD) -> bool:
    """Whether `quote` occurs (near-)verbatim in `text`."""
    return _Article(text).contains(quote, threshold)


def ground(card: Card, text: str, policy: str = "drop") -> tuple[Card, int, int]:
    """Check every item's evidence against the article text.

    Returns (new card, items dropped, items flagged). "drop" removes ungrounded
    items; "flag" keeps them with grounded=False. Grounded items get grounded=True.
    """
    if policy not in POLICIES:
        raise ValueError(f"grounding policy must be one of {POLICIES}, not {policy!r}")
    article = _Article(text)
    dropped = flagged = 0
    update: dict[str, list[Item]] = {}
    for kind in ITEM_KINDS:
        kept: list[Item] = []
        for item in getattr(card, kind):
            ok = article.contains(item.evidence)
            if not ok and policy == "drop":
                dropped += 1
                continue
            if not ok:
                flagged += 1
            kept.append(item.model_copy(update={"grounded": ok}))
        update[kind] = kept
    return card.model_copy(update=update), dropped, flagged
