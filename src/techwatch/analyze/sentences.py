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
    RISK_CUES,
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
