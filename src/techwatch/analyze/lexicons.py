"""The offline analyzer's word lists, loaded from `data/lexicons.json` (shipped in the package).

The lists are data, not code: they live in one JSON file that is reviewed like code and
versioned by its content. `LEXICON_VERSION` is a hash of that file, and it is part of the
extractive analyzer's model name, so editing a list changes the version and
`analyze --replace` redoes cards made with the old lists. Terms are lowercase; matching is
on word boundaries, and a trailing `*` means "any word ending" (``batter*`` matches
battery and batteries). This module only loads the data and builds the patterns.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

_DATA = resources.files("techwatch.analyze") / "data" / "lexicons.json"
_RAW = _DATA.read_bytes()
_LISTS: dict[str, Any] = json.loads(_RAW)

# A content hash: the word lists' version (part of the extractive model name).
LEXICON_VERSION = hashlib.sha256(_RAW).hexdigest()[:10]


def _pairs(rows: list[list[Any]]) -> tuple[tuple[str, float], ...]:
    return tuple((str(term), float(weight)) for term, weight in rows)


# Theme -> trigger terms. Scored by term frequency in the article.
THEMES: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _LISTS["themes"].items()}
# Category -> the themes that vote for it, and its own cue terms.
CATEGORY_THEMES: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _LISTS["category_themes"].items()
}
CATEGORY_CUES: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _LISTS["category_cues"].items()
}
# Type -> (regex, weight) cues; URL fragments that hint at a type.
TYPE_CUES: dict[str, tuple[tuple[str, float], ...]] = {
    k: _pairs(v) for k, v in _LISTS["type_cues"].items()
}
TYPE_URL_HINTS: tuple[tuple[str, str], ...] = tuple(
    (str(a), str(b)) for a, b in _LISTS["type_url_hints"]
)
# Cue (regex, weight) pairs of the item kinds: signals, concerns, behaviors, issues.
CHANGE_CUES = _pairs(_LISTS["change_cues"])
RISK_CUES = _pairs(_LISTS["risk_cues"])
BEHAVIOR_CUES = _pairs(_LISTS["behavior_cues"])
ISSUE_CUES = _pairs(_LISTS["issue_cues"])
FUTURE_CUES: tuple[str, ...] = tuple(_LISTS["future_cues"])
CAUSE_CUES: tuple[str, ...] = tuple(_LISTS["cause_cues"])
# Technologies: known terms, and head nouns that make "<modifier> <head>" a technology.
TECH_TERMS: tuple[str, ...] = tuple(_LISTS["tech_terms"])
TECH_HEADS: tuple[str, ...] = tuple(_LISTS["tech_heads"])
NON_TECH_ACRONYMS: frozenset[str] = frozenset(_LISTS["non_tech_acronyms"])
# English words that YAKE's list lacks but that make poor key phrases.
EXTRA_EN_STOPWORDS: frozenset[str] = frozenset(_LISTS["extra_en_stopwords"])
# Single words too vague as keywords or names; nouns naming actors rather than things.
GENERIC_WORDS: frozenset[str] = frozenset(_LISTS["generic_words"])
ACTOR_NOUNS: frozenset[str] = frozenset(_LISTS["actor_nouns"])


def _term_regex(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation for a term list; `*` is a word-suffix wildcard."""
    parts = []
    for term in sorted(set(terms), key=len, reverse=True):
        if term.endswith("*"):
            parts.append(re.escape(term[:-1]) + r"\w*")
        else:
            parts.append(re.escape(term))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


@cache
def theme_patterns() -> dict[str, re.Pattern[str]]:
    return {theme: _term_regex(terms) for theme, terms in THEMES.items()}


@cache
def category_patterns() -> dict[str, re.Pattern[str]]:
    return {cat: _term_regex(terms) for cat, terms in CATEGORY_CUES.items()}


@cache
def tech_term_pattern() -> re.Pattern[str]:
    return _term_regex(TECH_TERMS)


@cache
def stopwords(language: str) -> frozenset[str]:
    """YAKE's stopword list for a language (two-letter code), English when unknown.

    English gets `EXTRA_EN_STOPWORDS` too, so key phrases are mostly noun phrases.
    """
    import yake

    base = Path(yake.__file__).parent / "core" / "StopwordsList"
    code = (language or "en")[:2].lower()
    path = base / f"stopwords_{code}.txt"
    if not path.exists():
        path = base / "stopwords_en.txt"
    words = frozenset(path.read_text(encoding="utf-8", errors="replace").lower().split())
    return words | EXTRA_EN_STOPWORDS if path.name == "stopwords_en.txt" else words


def yake_language(language: str) -> str:
    """The YAKE language code for an article language ("fr-FR" -> "fr"), "en" if unknown."""
    import yake

    code = (language or "en")[:2].lower()
    base = Path(yake.__file__).parent / "core" / "StopwordsList"
    return code if (base / f"stopwords_{code}.txt").exists() else "en"


# ---------------------------------------------------------------------------- name shaping
# Item names and keywords should be noun phrases. With no tagger available offline, verbs
# are recognised from a list (bases that are rarely nouns, with their inflections) plus
# suffix rules in `sentences.py`. Bases that are often nouns too (use, report, plan, change)
# only contribute their unambiguous forms.
_VERB_BASES: tuple[str, ...] = tuple(_LISTS["verb_bases"])
_NOUN_LIKE_BASES: frozenset[str] = frozenset(_LISTS["noun_like_bases"])
_IRREGULAR: tuple[str, ...] = tuple(_LISTS["irregular_verbs"])


def _verb_forms() -> frozenset[str]:
    forms: set[str] = set(_IRREGULAR)
    for base in _VERB_BASES:
        stem = base[:-1] if base.endswith("e") else base
        ed = base + "d" if base.endswith("e") else base + "ed"
        s_form = base + "es" if base.endswith(("s", "sh", "ch", "x")) else base + "s"
        if base.endswith("y") and base[-2] not in "aeiou":
            ed, s_form = base[:-1] + "ied", base[:-1] + "ies"
        forms.update({ed, stem + "ing"})
        if base not in _NOUN_LIKE_BASES:
            forms.update({base, s_form})
    return frozenset(forms)


VERB_FORMS: frozenset[str] = _verb_forms()
VERB_BASES: frozenset[str] = frozenset([*_VERB_BASES, *_LISTS["extra_verb_bases"]])
# -ed / -ing words that are nouns or usual pre-noun adjectives, not verbs.
NOT_VERBS: frozenset[str] = frozenset(_LISTS["not_verbs"])
# Reporting verbs: in "experts warn that X", the item is X, not the experts.
REPORTING_THAT = re.compile(
    r"\b(?:" + "|".join(_LISTS["reporting_verbs"]) + r")(?:s|ed)?\b[^.;:]{0,25}?\bthat\b",
    re.IGNORECASE,
)
