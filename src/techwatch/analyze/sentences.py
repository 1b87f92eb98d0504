"""Sentence splitting that keeps verbatim spans, and cue detection on sentences.

Spans (not re-joined strings) are kept so every piece of evidence the analyzer quotes is
an exact substring of the article, whatever whitespace or punctuation the article uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from techwatch.analyze.lexicons import (
    BEHAVIOR_CUES,
    CAUSE_CUES,
    CHANGE_CUES,
    FUTURE_CUES,
    ISSUE_CUES,
    NOT_VERBS,
    RISK_CUES,
    VERB_BASES,
    VERB_FORMS,
)

# A sentence ends at . ! ? … (plus closing quotes/brackets) followed by space and an
# upper-case letter, digit or opening quote; or at a blank line / a line break before a
# list marker or heading. Bounded quantifiers only: article text is hostile.
_BOUNDARY = re.compile(
    r"(?<=[.!?…])[\"'”’)\]]{0,3}\s+(?=[\"'“‘(\[]?[A-ZÀ-ÖØ-Þ0-9])"
    r"|\n[ \t]*\n\s*"
    r"|\n(?=[ \t]*(?:[-*•#>]|\d{1,3}[.)])\s)"
)
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "e.g",
        "i.e",
        "fig",
        "no",
        "nos",
        "approx",
        "est",
        "dept",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "mt",
        "gen",
        "gov",
        "sen",
        "rep",
    ]
)
_WORD = re.compile(r"[^\W_][\w'’-]*", re.UNICODE)
MAX_SENTENCE_CHARS = 600


@dataclass(frozen=True)
class Sentence:
    """A sentence as a verbatim span of the article."""

    index: int
    start: int
    end: int
    text: str

    @property
    def words(self) -> list[str]:
        return _WORD.findall(self.text)


def _ends_with_abbreviation(chunk: str) -> bool:
    tail = chunk.rstrip("\"'”’)] ").rsplit(None, 1)
    if not tail:
        return False
    last = tail[-1].rstrip(".").lower()
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def split_sentences(text: str, limit_chars: int = 60_000) -> list[Sentence]:
    """Split `text` (up to `limit_chars`) into trimmed verbatim sentence spans."""
    text = text[:limit_chars]
    pieces: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.start()
        blank_line = match.group(0).count("\n") >= 2
        if not blank_line and _ends_with_abbreviation(text[start:end]):
            continue
        pieces.append((start, end))
        start = match.end()
    pieces.append((start, len(text)))
    out: list[Sentence] = []
    for begin, end in pieces:
        chunk = text[begin:end]
        stripped = chunk.strip()
        if not stripped:
            continue
        begin += len(chunk) - len(chunk.lstrip())
        end = begin + len(stripped)
        # Very long "sentences" (tables, run-on text) are cut at a word boundary.
        if end - begin > MAX_SENTENCE_CHARS:
            cut = text.rfind(" ", begin, begin + MAX_SENTENCE_CHARS)
            end = cut if cut > begin else begin + MAX_SENTENCE_CHARS
        out.append(Sentence(len(out), begin, end, text[begin:end]))
    return out


@cache
def _compiled(cues: tuple[tuple[str, float], ...]) -> tuple[tuple[re.Pattern[str], float], ...]:
    return tuple((re.compile(p, re.IGNORECASE), w) for p, w in cues)


@cache
def _compiled_any(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in cues), re.IGNORECASE)


CUE_KINDS: dict[str, tuple[tuple[str, float], ...]] = {
    "signals": CHANGE_CUES,
    "concerns": RISK_CUES,
    "behaviors": BEHAVIOR_CUES,
    "issues": ISSUE_CUES,
}


def cue_scores(sentence: str) -> dict[str, float]:
    """Cue strength of a sentence for each item kind (0 when no cue)."""
    scores: dict[str, float] = {}
    for kind, cues in CUE_KINDS.items():
        total = 0.0
        for pattern, weight in _compiled(cues):
            if pattern.search(sentence):
                total += weight
        scores[kind] = total
    return scores


_FROM_TO = re.compile(r"\bfrom\s+[^,.;:!?]{2,80}?\s+to(?:wards?)?\s+[^,.;:!?]{2,80}", re.IGNORECASE)


def change_span(sentence: str) -> str:
    """The "from X to Y" span of a sentence, or "" when there is none."""
    match = _FROM_TO.search(sentence)
    return match.group(0).strip() if match else ""


def has_future_horizon(sentence: str) -> bool:
    """Whether a sentence speaks of the future (will, could, by 2030, within a decade...)."""
    return bool(_compiled_any(FUTURE_CUES).search(sentence))


def cause_span(sentence: str) -> str:
    """The stated cause of a sentence ("driven by ...", "because ...") or ""."""
    match = _compiled_any(CAUSE_CUES).search(sentence)
    if not match:
        return ""
    rest = sentence[match.start() :]
    cut = re.search(r"[.;:!?]|,\s+(?:and|but|which|while)\b", rest)
    span = rest[: cut.start()] if cut else rest
    span = span.strip(" ,\"'”’")
    return span if len(span.split()) >= 3 else ""


# ---------------------------------------------------------------------------- noun phrases
# A light chunker: with no tagger offline, a noun phrase is a run of words between
# "boundaries" (punctuation, stopwords, verbs recognised by list or suffix). Names and
# keywords built from these runs read like "Commercial Deployment", not "Deals Suggest".
_CHUNK_TOKEN = re.compile(r"[^\W_][\w'’-]*|[^\w\s]", re.UNICODE)
_VERB_SUFFIX = re.compile(r"(?:ises|izes|ifies|ised|ized|ified)$")
_MODALS = frozenset(
    [
        "to",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "will",
        "would",
        "does",
        "did",
    ]
)
_RELATIVES = frozenset(["that", "which", "who"])
_AUXILIARIES = frozenset(["is", "are", "was", "were", "be", "been", "being", "has", "have", "had"])
_ADVERBS = frozenset(
    ["worldwide", "nationwide", "overseas", "abroad", "together", "earlier", "further", "faster"]
)
# Stopwords that are fine inside a noun phrase ("pilot line", "large batteries").
_PHRASE_WORDS = frozenset(
    ["line", "lines", "large", "small", "big", "old", "new", "good", "bad", "half"]
)
_NOT_VERB_SUFFIX = frozenset(
    [
        "crises",
        "premises",
        "enterprises",
        "franchises",
        "exercises",
        "promises",
        "surprises",
        "expertise",
        "sizes",
        "prizes",
    ]
)


def is_verb_like(word: str, previous: str = "", following: str = "", before: str = "") -> bool:
    """Whether `word` is probably a verb in context (list, then suffix rules).

    `previous` is the preceding word of the same phrase, `before` the raw preceding token.
    """
    low = word.lower().replace("’", "'")
    prior = before.lower()
    if prior in _MODALS:
        return True
    if prior in _RELATIVES and low.endswith("s") and not low.endswith("ss"):
        return True  # "... that interprets error syndromes"
    if (prior in _AUXILIARIES or prior.endswith("ly")) and low.endswith(("ing", "ed")):
        return True  # "are increasingly building", "was removed"
    if low in NOT_VERBS:
        return False
    plural = previous.lower()
    if low in VERB_BASES and plural.endswith("s") and not plural.endswith("ss"):
        return True  # "grid operators pay", "data centres account"
    if low in VERB_FORMS or low in _ADVERBS:
        return True
    if low in _NOT_VERB_SUFFIX or word[:1].isupper() and previous:
        return False
    if _VERB_SUFFIX.search(low) or low.endswith("ly"):
        return True
    if low.endswith("ed") and len(low) > 4:
        # "advanced packaging" (pre-noun adjective) vs "batteries earned" (verb).
        return bool(previous) or not following
    return False


def noun_phrases(text: str, stop: frozenset[str], max_words: int = 4) -> list[tuple[int, str]]:
    """Candidate noun phrases of a sentence as (offset, verbatim words), in order."""
    tokens = list(_CHUNK_TOKEN.finditer(text))
    words = [t.group(0) for t in tokens]
    out: list[tuple[int, str]] = []
    run: list[int] = []

    def flush() -> None:
        while run and not _good_edge(words[run[-1]]):
            run.pop()
        while run and not _good_edge(words[run[0]]):
            run.pop(0)
        if run:
            kept = run[-max_words:]  # English noun phrases are head-final
            out.append((tokens[kept[0]].start(), " ".join(words[i] for i in kept)))
        run.clear()

    for i, word in enumerate(words):
        low = word.lower()
        boundary = (
            not word[:1].isalnum()
            or (low in stop and low not in _PHRASE_WORDS)
            or low.isdigit()
            or is_verb_like(
                word,
                words[run[-1]] if run else "",
                words[i + 1] if i + 1 < len(words) and words[i + 1][:1].isalnum() else "",
                words[i - 1] if i else "",
            )
        )
        if boundary:
            flush()
        else:
            run.append(i)
    flush()
    return out


def _good_edge(word: str) -> bool:
    """A phrase may not start or end with a possessive-less fragment like "-" or "'s"."""
    return len(word) > 1 and word[:1].isalnum() and not word.lower().endswith("ly")
