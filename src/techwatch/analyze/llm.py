"""What every LLM backend shares: one call per article, JSON checks, repair, cache, costs.

A backend only knows how to send chat messages and get a reply (`_chat`); the
rest lives here so the OpenAI-compatible and llama.cpp analyzers behave alike:

- the article fits the context: ONE call for the whole card;
- it does not: map-reduce. Map: one card per chunk. Reduce: fully in code, no
  extra call (items deduped by name keeping the highest relevancy, summaries
  joined and cut to the word limit), so the merge is deterministic;
- a reply that is not a valid card gets ONE repair call, then a reasoned failure;
- evidence is grounded in the article text; successful raw cards are cached.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from techwatch.analyze.base import Analysis, ArticleInput, ResultCache
from techwatch.analyze.grounding import POLICIES, ground
from techwatch.analyze.prompt import PROMPT_VERSION, build_messages, repair_messages
from techwatch.card import CATEGORIES, ITEM_KINDS, SUMMARY_MAX_WORDS, TYPES, Card, card_json_schema

# Tokens the prompt may add beyond the article's own (measured: see tests/benchmarks).
PROMPT_OVERHEAD_TOKENS = 600
MAX_KEYWORDS = 12
MAX_THEMES = 6


@dataclass
class ChatReply:
    """One chat completion, reduced to what the card logic needs."""

    content: str
    finish_reason: str = "stop"
    refusal: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0


class LLMError(Exception):
    """A transport failure after retries: code is server_down, rate_limited, server_error..."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class CardError(Exception):
    """A reply that did not give a card: invalid_json, schema_violation, truncated, refusal."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class Usage:
    """Tokens and calls spent on one article."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    repairs: int = 0
    chunk_failures: list[str] = field(default_factory=list)

    def add(self, reply: ChatReply) -> None:
        self.prompt_tokens += reply.prompt_tokens
        self.completion_tokens += reply.completion_tokens
        self.calls += 1


# ---------------------------------------------------------------------------
# Parsing and validation
# ---------------------------------------------------------------------------

_REFUSAL_RE = re.compile(
    r"\b(i'?m sorry|i am sorry|i apologi[sz]e|i can(?:not|'t| not) (?:help|assist|comply|"
    r"provide|do that|fulfil)|i'?m (?:not able|unable) to|i am (?:not able|unable) to|"
    r"as an ai\b)",
    re.IGNORECASE,
)
_FENCE_RE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


def extract_json(content: str) -> Any:
    """Parse a reply as JSON, tolerating code fences and prose around one object."""
    text = _FENCE_RE.sub("", content.strip())
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        start, end = text.find("{"), text.rfind("}")
        if 0 <= start < end:
            try:
                return json.loads(text[start : end + 1])
            except json.JSONDecodeError:
                pass
        raise first


def _vocabulary(value: str, allowed: tuple[str, ...] | list[str]) -> str:
    """Map a free category/type onto the vocabulary (case-insensitive), else "others"."""
    by_lower = {a.lower(): a for a in allowed}
    found = by_lower.get(value.strip().lower())
    if found:
        return found
    return by_lower.get("others", "")


def _cut_words(text: str, limit: int) -> str:
    parts = text.split()
    return text if len(parts) <= limit else " ".join(parts[:limit]) + "…"


def parse_card(
    content: str,
    categories: tuple[str, ...] | list[str] = CATEGORIES,
    types: tuple[str, ...] | list[str] = TYPES,
) -> Card:
    """A validated Card from a reply, or CardError (refusal, invalid_json, schema_violation)."""
    try:
        data = extract_json(content)
    except json.JSONDecodeError as exc:
        if _REFUSAL_RE.search(content[:500]):
            raise CardError("refusal", content.strip()[:200]) from exc
        raise CardError("invalid_json", f"{exc.msg} at line {exc.lineno} col {exc.colno}") from exc
    if not isinstance(data, dict):
        raise CardError("schema_violation", f"expected a JSON object, got {type(data).__name__}")
    try:
        card = Card.model_validate(data)
    except ValidationError as exc:
        errors = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise CardError("schema_violation", errors) from exc
    named = {kind: [i for i in getattr(card, kind) if i.name.strip()] for kind in ITEM_KINDS}
    return card.model_copy(
        update={
            **named,  # a nameless item (a copied skeleton) says nothing
            "category": _vocabulary(card.category, categories),
            "type": _vocabulary(card.type, types),
            "summary": _cut_words(card.summary, SUMMARY_MAX_WORDS),
        }
    )


# ---------------------------------------------------------------------------
# Chunking and the deterministic reduce
# ---------------------------------------------------------------------------


def estimate_tokens(text: str) -> int:
    """A deliberately high token estimate (3 UTF-8 bytes a token) to decide fit."""
    return len(text.encode("utf-8")) // 3 + 1


def split_chunks(text: str, max_tokens: int) -> list[str]:
    """Split text at paragraph, then sentence, then hard boundaries into chunks that fit."""
    budget = max(1, max_tokens) * 3  # bytes, the inverse of estimate_tokens

    def pieces(block: str) -> Iterator[str]:
        if len(block.encode("utf-8")) <= budget:
            yield block
            return
        sentences = re.split(r"(?<=[.!?。])\s+", block)
        if len(sentences) > 1:
            for sentence in sentences:
                yield from pieces(sentence)
            return
        step = budget // 4  # chars; 4 bytes per char at worst
        for i in range(0, len(block), max(1, step)):
            yield block[i : i + step]

    chunks: list[str] = []
    current = ""
    for paragraph in re.split(r"\n\s*\n", text):
        for piece in pieces(paragraph.strip()):
            if not piece:
                continue
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate.encode("utf-8")) <= budget:
                current = candidate
            else:
                if current:
                    chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks or [text]


def _dedupe(values: Iterable[str], limit: int) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        key = " ".join(value.split()).casefold()
        if key and key not in seen:
            seen[key] = value.strip()
    return list(seen.values())[:limit]


def merge_cards(cards: list[Card], title: str = "") -> Card:
    """Reduce chunk cards into one, deterministically (same inputs, same card)."""
    if len(cards) == 1:
        return cards[0]
    lists: dict[str, list[Any]] = {}
    for kind in ITEM_KINDS:
        best: dict[str, Any] = {}
        for card in cards:
            for item in getattr(card, kind):
                key = " ".join(item.name.split()).casefold()
                old = best.get(key)
                if old is None or (item.relevancy or 0) > (old.relevancy or 0):
                    best[key] = item  # dict keeps first-seen order of names
        lists[kind] = list(best.values())

    def most_common(values: list[str]) -> str:
        counts = Counter(v for v in values if v)
        if not counts:
            return ""
        top = max(counts.values())
        return next(v for v in values if counts.get(v) == top)

    summary = " ".join(c.summary.strip() for c in cards if c.summary.strip())
    return Card(
        title=title or next((c.title for c in cards if c.title), ""),
        summary=_cut_words(summary, SUMMARY_MAX_WORDS),
        keywords=_dedupe((k for c in cards for k in c.keywords), MAX_KEYWORDS),
        themes=_dedupe((t for c in cards for t in c.themes), MAX_THEMES),
        category=most_common([c.category for c in cards]),
        type=most_common([c.type for c in cards]),
        **lists,
    )


# ---------------------------------------------------------------------------
# The analyzer skeleton
# ---------------------------------------------------------------------------


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def schema_hash(schema: dict[str, Any]) -> str:
    return text_hash(json.dumps(schema, sort_keys=True, separators=(",", ":")))


class LLMCardAnalyzer:
    """Base of the LLM analyzers: subclasses implement `_chat` and set name and model."""

    name = "llm"
    prompt_version = PROMPT_VERSION

    def __init__(
        self,
        model: str,
        *,
        cache: ResultCache | None = None,
        context_tokens: int = 8192,
        max_output_tokens: int = 2048,
        price_prompt_per_mtok: float = 0.0,
        price_completion_per_mtok: float = 0.0,
        grounding: str = "drop",
        categories: tuple[str, ...] | list[str] = CATEGORIES,
        types: tuple[str, ...] | list[str] = TYPES,
        max_items: int | None = None,
    ) -> None:
        if grounding not in POLICIES:
            raise ValueError(f"grounding must be one of {POLICIES}")
        self.model = model
        self.cache = cache
        self.context_tokens = context_tokens
        self.max_output_tokens = max_output_tokens
        self.price_prompt_per_mtok = price_prompt_per_mtok
        self.price_completion_per_mtok = price_completion_per_mtok
        self.grounding = grounding
        self.categories = tuple(categories)
        self.types = tuple(types)
        self.schema = card_json_schema(self.categories, self.types, max_items=max_items)

    # -- to implement ------------------------------------------------------

    def _chat(self, messages: list[dict[str, str]], max_tokens: int) -> ChatReply:
        """Send messages, return the reply; raise LLMError on transport failure."""
        raise NotImplementedError

    # -- public ------------------------------------------------------------

    def analyze(self, article: ArticleInput) -> Analysis:
        """One article in, one Analysis out; never raises."""
        try:
            return self._analyze(article)
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop a batch
            return self._result(
                Analysis.failed(f"error: {type(exc).__name__}: {exc}"[:500]), Usage()
            )

    def analyze_many(
        self, articles: Iterable[ArticleInput]
    ) -> Iterator[tuple[ArticleInput, Analysis]]:
        for article in articles:
            yield article, self.analyze(article)

    def cache_key(self, article: ArticleInput) -> str:
        parts = [
            article.content_hash or text_hash(article.text),
            self.name,
            self.model,
            PROMPT_VERSION,
            schema_hash(self.schema),
        ]
        return text_hash("\x1f".join(parts))

    def input_budget(self) -> int:
        """Article tokens that fit one call beside the prompt and the reply."""
        return max(256, self.context_tokens - self.max_output_tokens - PROMPT_OVERHEAD_TOKENS)

    # -- internals ---------------------------------------------------------

    def _analyze(self, article: ArticleInput) -> Analysis:
        key = self.cache_key(article) if self.cache is not None else ""
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return self._from_cache(article, hit)
        usage = Usage()
        budget = self.input_budget()
        chunks = (
            [article.text]
            if estimate_tokens(article.text) <= budget
            else split_chunks(article.text, budget)
        )
        cards: list[Card] = []
        for chunk in chunks:
            try:
                cards.append(self._card_for(chunk, article.title, usage))
            except (CardError, LLMError) as exc:
                if isinstance(exc, LLMError) or len(chunks) == 1:
                    return self._result(Analysis.failed(str(exc)[:500]), usage, chunks=len(chunks))
                usage.chunk_failures.append(str(exc)[:200])
        if not cards:
            reason = usage.chunk_failures[0] if usage.chunk_failures else "no chunk gave a card"
            return self._result(Analysis.failed(reason), usage, chunks=len(chunks))
        raw = merge_cards(cards, article.title)
        if not raw.title and article.title:
            raw = raw.model_copy(update={"title": article.title})
        if self.cache is not None:
            self.cache.put(key, self._cache_value(raw, usage, len(chunks)))
        return self._grounded(raw, article, usage, chunks=len(chunks))

    def _card_for(self, text: str, title: str, usage: Usage) -> Card:
        messages = build_messages(text, title, self.categories, self.types)
        reply = self._chat(messages, self.max_output_tokens)
        usage.add(reply)
        try:
            return self._check(reply)
        except CardError as exc:
            if exc.code not in ("invalid_json", "schema_violation"):
                raise
            usage.repairs += 1
            fixed = self._chat(
                repair_messages(messages, reply.content, str(exc)), self.max_output_tokens
            )
            usage.add(fixed)
            return self._check(fixed)

    def _check(self, reply: ChatReply) -> Card:
        if reply.refusal:
            raise CardError("refusal", reply.refusal[:200])
        if reply.finish_reason == "length":
            raise CardError(
                "truncated", f"reply cut at {reply.completion_tokens} tokens (max_output_tokens)"
            )
        if reply.finish_reason == "content_filter":
            raise CardError("refusal", "content filter")
        return parse_card(reply.content, self.categories, self.types)

    def _grounded(self, raw: Card, article: ArticleInput, usage: Usage, **extra: Any) -> Analysis:
        card, dropped, flagged = ground(raw, article.text, self.grounding)
        result = Analysis(
            status="ok", card=card, ungrounded_dropped=dropped, ungrounded_flagged=flagged
        )
        return self._result(result, usage, **extra)

    def _result(self, analysis: Analysis, usage: Usage, **extra: Any) -> Analysis:
        analysis.model = self.model
        analysis.prompt_version = PROMPT_VERSION
        analysis.prompt_tokens = usage.prompt_tokens
        analysis.completion_tokens = usage.completion_tokens
        analysis.calls = usage.calls
        analysis.cost_usd = self.cost(usage.prompt_tokens, usage.completion_tokens)
        analysis.extra.update(extra)
        analysis.extra["repairs"] = usage.repairs
        if usage.chunk_failures:
            analysis.extra["chunk_failures"] = usage.chunk_failures
        return analysis

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.price_prompt_per_mtok
            + completion_tokens * self.price_completion_per_mtok
        ) / 1_000_000

    def _cache_value(self, raw: Card, usage: Usage, chunks: int) -> dict[str, Any]:
        return {
            "card": raw.model_dump(mode="json"),
            "model": self.model,
            "prompt_version": PROMPT_VERSION,
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "calls": usage.calls,
            "chunks": chunks,
        }

    def _from_cache(self, article: ArticleInput, value: dict[str, Any]) -> Analysis:
        raw = Card.model_validate(value["card"])
        first = {k: value.get(k, 0) for k in ("prompt_tokens", "completion_tokens", "calls")}
        analysis = self._grounded(raw, article, Usage(), chunks=value.get("chunks", 1))
        analysis.cached = True
        analysis.extra["first_run"] = first
        return analysis
