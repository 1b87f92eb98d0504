"""The foresight card: the one schema everything else derives from.

The LLM JSON schema, the markdown page, the database rows and the exports are all
generated from these models, so a field is added here and nowhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The reference vocabularies of the earlier system, kept so old and new cards compare.
CATEGORIES: tuple[str, ...] = (
    "technology",
    "science",
    "politics",
    "city",
    "infrastructures",
    "sport",
    "others",
)
TYPES: tuple[str, ...] = ("news", "blog post", "research article", "social network", "others")

SUMMARY_MAX_WORDS = 150

# Item lists of a card, in page order. Signals carry three more columns.
ITEM_KINDS: tuple[str, ...] = ("signals", "concerns", "behaviors", "technologies", "issues")


class Item(BaseModel):
    """A concern, behavior, technology or issue named by an article."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    relevancy: int | None = Field(default=None, ge=0, le=5)
    evidence: str = Field(
        default="",
        description="A verbatim span of the article that supports this item.",
    )
    grounded: bool | None = Field(
        default=None,
        description="Whether `evidence` was found verbatim in the article (None: not checked).",
    )

    @field_validator("relevancy", mode="before")
    @classmethod
    def _coerce_relevancy(cls, value: Any) -> Any:
        """Accept 4, 4.0, "4" and treat nan / blank as unknown."""
        if value is None:
            return None
        if isinstance(value, str):
            value = value.strip()
            if value == "" or value.lower() in {"nan", "none", "null", "-"}:
                return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        if number != number:  # NaN
            return None
        return max(0, min(5, round(number)))


class Signal(Item):
    """A weak signal: what changes, where it leads in ten years, and why."""

    change: str = ""
    ten_year: str = ""
    driving_force: str = ""


class Card(BaseModel):
    """What an analyzer says of one article."""

    model_config = ConfigDict(extra="forbid")

    title: str = ""
    summary: str = ""
    keywords: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    category: str = ""
    type: str = ""
    signals: list[Signal] = Field(default_factory=list)
    concerns: list[Item] = Field(default_factory=list)
    behaviors: list[Item] = Field(default_factory=list)
    technologies: list[Item] = Field(default_factory=list)
    issues: list[Item] = Field(default_factory=list)

    def items(self) -> dict[str, list[Item]]:
        """The five item lists by kind, in page order."""
        return {kind: getattr(self, kind) for kind in ITEM_KINDS}

    def is_empty(self) -> bool:
        return not (self.summary or self.keywords or any(self.items().values()))


class Provenance(BaseModel):
    """Who made a card, with what, and at what cost."""

    article_id: str
    analyzer: str
    model: str = ""
    prompt_version: str = ""
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0
    ungrounded_dropped: int = 0
    ungrounded_flagged: int = 0


class CardRecord(BaseModel):
    """A stored card with its provenance."""

    card: Card
    provenance: Provenance


# ---------------------------------------------------------------------------
# JSON schema for LLM structured output, derived from the models above.
# ---------------------------------------------------------------------------

_FIELD_HINTS: dict[str, str] = {
    "title": "The article's title, in the article's language.",
    "summary": f"A faithful summary of at most {SUMMARY_MAX_WORDS} words.",
    "keywords": "5 to 12 key terms or named entities, as they appear in the article.",
    "themes": "2 to 6 broad themes.",
    "change": "What shifts: from what to what.",
    "ten_year": "Where this could lead in ten years.",
    "driving_force": "What pushes the change.",
    "relevancy": "0 (irrelevant) to 5 (central) for foresight.",
    "evidence": "A short VERBATIM quote (one sentence or less) copied from the article.",
}

LlmStyle = Literal["strict", "grammar"]


# Length bounds for grammar-constrained decoding: they keep a small model from running on
# (or from leaving a name empty) without cutting what a good card says.
_STRING_BOUNDS: dict[str, tuple[int, int]] = {
    "name": (3, 90),
    "description": (10, 400),
    "change": (0, 300),
    "ten_year": (0, 300),
    "driving_force": (0, 300),
    "evidence": (10, 500),
    "summary": (150, 1500),
    "keyword": (2, 60),
}
SOURCE_HINT = "The number of the candidate sentence this item comes from; 0 if none."


def _string(field: str, bounded: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string"}
    if bounded and field in _STRING_BOUNDS:
        low, high = _STRING_BOUNDS[field]
        if low:
            out["minLength"] = low
        out["maxLength"] = high
    return out


def _item_schema(
    signal: bool, *, bounded: bool = False, max_source: int | None = None
) -> dict[str, Any]:
    """One item; with `max_source`, a candidate number replaces the evidence quote."""
    props: dict[str, Any] = {
        "name": _string("name", bounded),
        "description": _string("description", bounded),
    }
    if signal:
        for field in ("change", "ten_year", "driving_force"):
            props[field] = _string(field, bounded) | {"description": _FIELD_HINTS[field]}
    props["relevancy"] = {
        "type": "integer",
        "minimum": 0,
        "maximum": 5,
        "description": _FIELD_HINTS["relevancy"],
    }
    if max_source is not None:
        props["source"] = {
            "type": "integer",
            "minimum": 0,
            "maximum": max_source,
            "description": SOURCE_HINT,
        }
    else:
        props["evidence"] = _string("evidence", bounded) | {"description": _FIELD_HINTS["evidence"]}
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def card_json_schema(
    categories: tuple[str, ...] | list[str] = CATEGORIES,
    types: tuple[str, ...] | list[str] = TYPES,
    max_items: int | dict[str, int] | None = None,
    *,
    min_items: int | dict[str, int] | None = None,
    bounded: bool = False,
    max_source: int | None = None,
) -> dict[str, Any]:
    """A strict JSON schema for one card, as LLM structured output.

    Every property is required and no other property is allowed, which is what
    OpenAI strict mode and grammar-constrained decoding (llama.cpp) both need.
    The field set comes from `Card`, so the schema cannot drift from the model.

    `max_items` / `min_items` (one number for the five item lists, or a number per list
    name, keywords and themes included) become `maxItems` / `minItems`: a grammar then
    cannot close a list early, which is what keeps small models from leaving lists empty.
    `bounded` adds string length bounds (for grammars). With `max_source`, items carry a
    candidate number (`source`, 0..max_source) instead of an evidence quote: the caller
    fills the evidence from its numbered candidates (see `analyze/candidates.py`).
    """

    def bound(spec: int | dict[str, int] | None, name: str) -> int | None:
        if isinstance(spec, dict):
            return spec.get(name)
        return spec if name in ITEM_KINDS else None

    def array_of(name: str, schema: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": schema}
        low, high = bound(min_items, name), bound(max_items, name)
        if low:
            out["minItems"] = low if high is None else min(low, high)
        if high is not None:
            out["maxItems"] = high
        return out

    props: dict[str, Any] = {}
    for name, field in Card.model_fields.items():
        annotation = field.annotation
        if name == "category":
            props[name] = {"type": "string", "enum": list(categories)}
        elif name == "type":
            props[name] = {"type": "string", "enum": list(types)}
        elif annotation is str:
            props[name] = _string(name, bounded)
        elif name == "signals":
            props[name] = array_of(
                name, _item_schema(signal=True, bounded=bounded, max_source=max_source)
            )
        elif name in ITEM_KINDS:
            props[name] = array_of(
                name, _item_schema(signal=False, bounded=bounded, max_source=max_source)
            )
        else:  # list[str]
            props[name] = array_of(name, _string("keyword", bounded))
        if name in _FIELD_HINTS:
            props[name]["description"] = _FIELD_HINTS[name]
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }
