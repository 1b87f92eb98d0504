"""What every LLM backend shares: one call per article, JSON checks, repair, cache, costs.

A backend only knows how to send chat messages and get a reply (`_chat`); the
rest lives here so the OpenAI-compatible and llama.cpp analyzers behave alike:

- a model profile (`profiles.py`) sets the prompt style, the list minimums the schema
  enforces, and the output budget; `auto` picks it from the model's size;
- the article fits the context (counted with the model's own tokenizer where the
  backend has one): ONE call for the whole card;
- it does not: map-reduce. Map: one card per chunk. Reduce: fully in code, no
  extra call (near-duplicate items merged within and across lists, keeping the
  highest relevancy; summaries joined and cut to the word limit), so the merge is
  deterministic;
- `guided` style: the extractive analyzer's cue sentences go to the model as numbered
  candidates; items name their candidate, and the evidence is that verbatim sentence;
- `per-section` style (`sections.py`): one short call per part of the card, each with
  its own definition and candidates, the article a shared prefix the server caches;
- a reply that is not a valid card gets ONE repair call, then a reasoned failure;
- evidence is grounded in the article text; successful raw cards are cached.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from techwatch.analyze.base import Analysis, ArticleInput, ResultCache
from techwatch.analyze.grounding import POLICIES, ground, words
from techwatch.analyze.profiles import PROFILES, ModelProfile, resolve_profile
from techwatch.analyze.prompt import PROMPT_VERSION, STYLES, build_messages, repair_messages
from techwatch.card import CATEGORIES, ITEM_KINDS, SUMMARY_MAX_WORDS, TYPES, Card, card_json_schema

# Tokens a chat template adds per message (role markers); the rest is counted.
TEMPLATE_TOKENS_PER_MESSAGE = 8
# Room kept per guided candidate line: a cue sentence has at most 80 words.
CANDIDATE_TOKENS = 110
MAX_KEYWORDS = 12
MAX_THEMES = 6
# Failure codes that say the backend, not the article, is at fault.
SYSTEMIC_CODES = frozenset({"auth_error", "server_down", "not_found", "model_missing"})


@dataclass
class ChatReply:
    """One chat completion, reduced to what the card logic needs."""

    content: str
    finish_reason: str = "stop"
    refusal: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens the server reused from its cache (0: unknown)


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
    cached_tokens: int = 0
    calls: int = 0
    repairs: int = 0
    chunk_failures: list[str] = field(default_factory=list)

    def add(self, reply: ChatReply) -> None:
        self.prompt_tokens += reply.prompt_tokens
        self.completion_tokens += reply.completion_tokens
        self.cached_tokens += reply.cached_tokens
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


SUMMARY_MAX_SENTENCES = 6


def trim_summary(
    text: str, max_words: int = SUMMARY_MAX_WORDS, max_sentences: int = SUMMARY_MAX_SENTENCES
) -> str:
    """Whole sentences only: at most `max_sentences` and `max_words` (small models run on).

    A first sentence longer than the word limit is cut with an ellipsis, as before.
    """
    from techwatch.analyze.sentences import split_sentences

    kept: list[str] = []
    words = 0
    for sentence in split_sentences(text):
        n = len(sentence.text.split())
        if len(kept) == max_sentences or words + n > max_words:
            break
        kept.append(" ".join(sentence.text.split()))
        words += n
    return " ".join(kept) if kept else _cut_words(text, max_words)


def best_sentence(text: str, query: str, min_shared: int = 2) -> str:
    """The article sentence sharing the most content words with `query`, or ""."""
    from techwatch.analyze.sentences import split_sentences

    wanted = {w for w in words(query) if len(w) > 3}
    best, score = "", 0
    for sentence in split_sentences(text):
        shared = len(wanted & set(words(sentence.text)))
        if shared > score:
            best, score = sentence.text, shared
    return best if score >= min_shared else ""


def resolve_sources(data: dict[str, Any], candidates: list[str], text: str) -> dict[str, Any]:
    """Guided replies: each item's `source` number becomes its evidence sentence.

    Source k (1-based) gives candidate k verbatim; 0 or an unknown number gives the
    article sentence that best matches the item, so evidence stays a real sentence.
    """
    for kind in ITEM_KINDS:
        items = data.get(kind)
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict) or "source" not in item:
                continue
            source = item.pop("source")
            index = source if isinstance(source, int) and not isinstance(source, bool) else 0
            if 1 <= index <= len(candidates):
                item["evidence"] = candidates[index - 1]
            else:
                query = f"{item.get('name', '')} {item.get('description', '')}"
                item["evidence"] = best_sentence(text, str(query))
    return data


def parse_card(
    content: str,
    categories: tuple[str, ...] | list[str] = CATEGORIES,
    types: tuple[str, ...] | list[str] = TYPES,
    *,
    candidates: list[str] | None = None,
    text: str = "",
) -> Card:
    """A validated Card from a reply, or CardError (refusal, invalid_json, schema_violation).

    With `candidates` (guided style), item `source` numbers are resolved to evidence.
    Items repeated within or across lists are dropped (the first one is kept).
    """
    try:
        data = extract_json(content)
    except json.JSONDecodeError as exc:
        if _REFUSAL_RE.search(content[:500]):
            raise CardError("refusal", content.strip()[:200]) from exc
        raise CardError("invalid_json", f"{exc.msg} at line {exc.lineno} col {exc.colno}") from exc
    if not isinstance(data, dict):
        raise CardError("schema_violation", f"expected a JSON object, got {type(data).__name__}")
    if candidates is not None:
        data = resolve_sources(data, candidates, text)
    try:
        card = Card.model_validate(data)
    except ValidationError as exc:
        errors = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise CardError("schema_violation", errors) from exc
    named = {kind: [i for i in getattr(card, kind) if i.name.strip()] for kind in ITEM_KINDS}
    card = card.model_copy(
        update={
            **named,  # a nameless item (a copied skeleton) says nothing
            "category": _vocabulary(card.category, categories),
            "type": _vocabulary(card.type, types),
            "summary": trim_summary(card.summary),
        }
    )
    return dedupe_items(card)


def _name_key(name: str) -> frozenset[str]:
    """A name's content words, naively singular: "Grid batteries" ~ "grid battery"."""
    out = set()
    for w in words(name):
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.add(w)
    return frozenset(out)


def same_item(a: frozenset[str], b: frozenset[str]) -> bool:
    """Near-duplicate names: equal word sets, or one holding most of the other's words."""
    if not a or not b:
        return a == b
    shared = len(a & b)
    return a == b or shared / len(a | b) >= 0.6 or shared == min(len(a), len(b)) >= 2


def dedupe_items(card: Card, order: tuple[str, ...] = ITEM_KINDS) -> Card:
    """Drop items that repeat an earlier one, within a list or across lists.

    Lists are read in `order` (page order by default), so a repeated item stays in the
    first list naming it; within a list, the item with the higher relevancy is kept in
    the first one's place.
    """
    seen: list[frozenset[str]] = []
    update: dict[str, list[Any]] = {}
    for kind in order:
        kept: list[Any] = []
        keys: list[frozenset[str]] = []
        for item in getattr(card, kind):
            key = _name_key(item.name)
            if any(same_item(key, other) for other in seen):
                continue
            twin = next((i for i, other in enumerate(keys) if same_item(key, other)), None)
            if twin is None:
                kept.append(item)
                keys.append(key)
            elif (item.relevancy or 0) > (kept[twin].relevancy or 0):
                kept[twin] = item
        update[kind] = kept
        seen.extend(keys)
    return card.model_copy(update=update)


# ---------------------------------------------------------------------------
# Chunking and the deterministic reduce
# ---------------------------------------------------------------------------


def estimate_tokens(text: str) -> int:
    """A deliberately high token estimate (3 UTF-8 bytes a token) to decide fit."""
    return len(text.encode("utf-8")) // 3 + 1


def split_chunks(
    text: str, max_tokens: int, count: Callable[[str], int] = estimate_tokens
) -> list[str]:
    """Split text at paragraph, then sentence, then hard boundaries into chunks that fit.

    `count` is the token counter (the model's own tokenizer where the backend has one).
    """
    budget = max(1, max_tokens)

    def fits(block: str) -> bool:
        # well under the budget by the byte estimate: surely fits; else count for real
        return estimate_tokens(block) <= budget // 2 or count(block) <= budget

    def pieces(block: str) -> Iterator[str]:
        if fits(block):
            yield block
            return
        sentences = re.split(r"(?<=[.!?。])\s+", block)
        if len(sentences) > 1:
            for sentence in sentences:
                yield from pieces(sentence)
            return
        step = max(1, budget * 3 // 4)  # chars: at most 4 bytes each, 3 bytes a token
        for i in range(0, len(block), step):
            yield block[i : i + step]

    chunks: list[str] = []
    current = ""
    for paragraph in re.split(r"\n\s*\n", text):
        for piece in pieces(paragraph.strip()):
            if not piece:
                continue
            candidate = f"{current}\n\n{piece}" if current else piece
            if fits(candidate):
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
    merged = Card(
        title=title or next((c.title for c in cards if c.title), ""),
        summary=trim_summary(summary),
        keywords=_dedupe((k for c in cards for k in c.keywords), MAX_KEYWORDS),
        themes=_dedupe((t for c in cards for t in c.themes), MAX_THEMES),
        category=most_common([c.category for c in cards]),
        type=most_common([c.type for c in cards]),
        **lists,
    )
    return dedupe_items(merged)  # chunks name one thing in different words or lists


# ---------------------------------------------------------------------------
# The analyzer skeleton
# ---------------------------------------------------------------------------


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def schema_hash(schema: dict[str, Any]) -> str:
    return text_hash(json.dumps(schema, sort_keys=True, separators=(",", ":")))


class LLMCardAnalyzer:
    """Base of the LLM analyzers: subclasses implement `_chat` and set name and model.

    `profile` ("small", "medium", "large", a ModelProfile, or "auto" to detect it from
    `profile_hint`) sets the defaults; `prompt_style`, `min_items`, `max_items` and
    `max_output_tokens` override it.
    """

    name = "llm"

    def __init__(
        self,
        model: str,
        *,
        cache: ResultCache | None = None,
        context_tokens: int = 8192,
        max_output_tokens: int | None = None,
        price_prompt_per_mtok: float = 0.0,
        price_completion_per_mtok: float = 0.0,
        grounding: str = "drop",
        categories: tuple[str, ...] | list[str] = CATEGORIES,
        types: tuple[str, ...] | list[str] = TYPES,
        max_items: int | dict[str, int] | None = None,
        min_items: int | dict[str, int] | None = None,
        profile: str | ModelProfile = "large",
        prompt_style: str | None = None,
        profile_hint: str | None = None,
    ) -> None:
        if grounding not in POLICIES:
            raise ValueError(f"grounding must be one of {POLICIES}")
        if isinstance(profile, ModelProfile):
            chosen, why = profile, "given"
        else:
            chosen, why = resolve_profile(profile, model, profile_hint)
        style = prompt_style or chosen.prompt_style
        if style not in STYLES:
            raise ValueError(f"prompt style must be one of {STYLES}, not {style!r}")
        self.model = model
        self.profile = chosen
        self.profile_reason = why
        self.prompt_style = style
        self.cache = cache
        self.context_tokens = context_tokens
        self.max_output_tokens = max_output_tokens or chosen.max_output_tokens
        self.price_prompt_per_mtok = price_prompt_per_mtok
        self.price_completion_per_mtok = price_completion_per_mtok
        self.grounding = grounding
        self.categories = tuple(categories)
        self.types = tuple(types)
        self.min_items = _per_list(min_items, chosen.min_items)
        self.max_items = _per_list(max_items, chosen.max_items)
        self.bounded = chosen.bounded
        self.n_candidates = chosen.candidates or PROFILES["small"].candidates
        self.schema = self.schema_for(None)
        self._extractive: Any = None
        self._overhead: int | None = None

    # -- to implement ------------------------------------------------------

    def _chat(
        self, messages: list[dict[str, str]], max_tokens: int, schema: dict[str, Any] | None = None
    ) -> ChatReply:
        """Send messages, return the reply; raise LLMError on transport failure.

        `schema` is the JSON schema of this call (guided calls number their candidates);
        None means `self.schema`.
        """
        raise NotImplementedError

    def count_tokens(self, text: str) -> int:
        """Tokens of `text`; backends with the model's tokenizer override this estimate."""
        return estimate_tokens(text)

    def close(self) -> None:
        """Release clients, connections and models; the analyzer may not be used after."""

    def __enter__(self) -> LLMCardAnalyzer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ------------------------------------------------------------

    @property
    def prompt_version(self) -> str:
        """The prompt version with its style ("card-v2-guided"): cards say how they were asked."""
        if self.prompt_style == "per-section":
            from techwatch.analyze.sections import SECTIONS_VERSION

            return SECTIONS_VERSION
        return f"{PROMPT_VERSION}-{self.prompt_style}"

    def schema_for(self, candidates: int | None) -> dict[str, Any]:
        """The card schema of one call; guided calls get a `source` number per item."""
        schema = card_json_schema(
            self.categories,
            self.types,
            max_items=self.max_items or None,
            min_items=self.min_items or None,
            bounded=self.bounded,
            max_source=candidates if self.prompt_style == "guided" else None,
        )
        if self.prompt_style == "per-section":  # its calls have their own schemas
            from techwatch.analyze.sections import describe_prompt

            schema["x-sections"] = describe_prompt(self.categories, self.types)
        return schema

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
            self.prompt_version,
            schema_hash(self.schema),
        ]
        return text_hash("\x1f".join(parts))

    def input_budget(self, messages: list[dict[str, str]] | None = None) -> int:
        """Article tokens that fit one call beside the prompt (counted) and the reply."""
        if self.prompt_style == "per-section":
            from techwatch.analyze.sections import (
                SECTION_CANDIDATES,
                SECTION_PROMPT_TOKENS,
                SYSTEM,
                item_schema,
                reply_budget,
                verdict_schema,
            )

            high = max(self.max_items.get(kind, 3) for kind in ITEM_KINDS)
            reply = max(
                reply_budget(item_schema("signals", SECTION_CANDIDATES, 1, high)),
                reply_budget(verdict_schema("signals", SECTION_CANDIDATES)),
            )
            instruction = self.count_tokens(SYSTEM) + SECTION_PROMPT_TOKENS
            fixed = instruction + SECTION_CANDIDATES * CANDIDATE_TOKENS + 3 * 8
            return max(256, self.context_tokens - reply - fixed)
        if messages is None:
            if self._overhead is None:  # the same for every article: count it once
                self._overhead = self._count_messages(self._messages("", ""))
            overhead = self._overhead
        else:
            overhead = self._count_messages(messages)
        budget = self.context_tokens - self.max_output_tokens - overhead
        if self.prompt_style == "guided":  # room for the candidates (sentences of <= 80 words)
            budget -= self.n_candidates * CANDIDATE_TOKENS
        return max(256, budget)

    # -- internals ---------------------------------------------------------

    def _count_messages(self, messages: list[dict[str, str]]) -> int:
        return sum(self.count_tokens(m["content"]) + TEMPLATE_TOKENS_PER_MESSAGE for m in messages)

    def _messages(
        self, text: str, title: str, candidates: list[tuple[str, str]] | None = None
    ) -> list[dict[str, str]]:
        return build_messages(
            text,
            title,
            self.categories,
            self.types,
            style=self.prompt_style,
            min_items=self.min_items,
            max_items=self.max_items,
            candidates=candidates or (),
        )

    def _fits(self, text: str, budget: int) -> bool:
        """Whether the text fits: the byte estimate first, the model's count near the limit."""
        return estimate_tokens(text) <= budget // 2 or self.count_tokens(text) <= budget

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
            if self._fits(article.text, budget)
            else split_chunks(article.text, budget, self.count_tokens)
        )
        cards: list[Card] = []
        for chunk in chunks:
            try:
                cards.append(self._card_for(chunk, article, usage))
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

    def _candidates(self, text: str, article: ArticleInput) -> list[tuple[str, str]]:
        """The extractive analyzer's cue sentences of this text (guided style only)."""
        if self.prompt_style != "guided":
            return []
        if self._extractive is None:
            from techwatch.analyze.extractive import ExtractiveAnalyzer

            self._extractive = ExtractiveAnalyzer()
        chunk = ArticleInput(
            id=article.id, text=text, title=article.title, language=article.language
        )
        return self._extractive.cue_sentences(chunk, limit=self.n_candidates)

    def _card_for(self, text: str, article: ArticleInput, usage: Usage) -> Card:
        if self.prompt_style == "per-section":
            return self._section_card(text, article, usage)
        candidates = self._candidates(text, article)
        messages = self._messages(text, article.title, candidates)
        schema = self.schema_for(len(candidates)) if self.prompt_style == "guided" else None
        sentences = [sentence for _, sentence in candidates]
        guided = sentences if self.prompt_style == "guided" else None
        reply = self._chat(messages, self.max_output_tokens, schema)
        usage.add(reply)
        try:
            return self._check(reply, guided, text)
        except CardError as exc:
            if exc.code not in ("invalid_json", "schema_violation"):
                raise
            usage.repairs += 1
            fixed = self._chat(
                repair_messages(messages, reply.content, str(exc)), self.max_output_tokens, schema
            )
            usage.add(fixed)
            return self._check(fixed, guided, text)

    def _section_card(self, text: str, article: ArticleInput, usage: Usage) -> Card:
        """Per-section mode: six short calls with the article as their shared prefix."""
        from techwatch.analyze.sections import SectionLimits, section_card

        if self._extractive is None:
            from techwatch.analyze.extractive import ExtractiveAnalyzer

            self._extractive = ExtractiveAnalyzer()
        card = section_card(
            lambda messages, max_tokens, schema: self._chat(messages, max_tokens, schema),
            self._reply_json,
            text,
            article,
            self._extractive,
            usage,
            categories=self.categories,
            types=self.types,
            limits=SectionLimits(self.min_items, self.max_items),
        )
        return card.model_copy(
            update={
                "category": _vocabulary(card.category, self.categories),
                "type": _vocabulary(card.type, self.types),
                "summary": trim_summary(card.summary),
            }
        )

    def _reply_json(self, reply: ChatReply) -> dict[str, Any]:
        """The JSON object of one reply, or CardError (refusal, truncated, invalid_json)."""
        if reply.refusal:
            raise CardError("refusal", reply.refusal[:200])
        if reply.finish_reason == "length":
            raise CardError("truncated", f"reply cut at {reply.completion_tokens} tokens")
        try:
            data = extract_json(reply.content)
        except json.JSONDecodeError as exc:
            raise CardError("invalid_json", f"{exc.msg} at col {exc.colno}") from exc
        if not isinstance(data, dict):
            raise CardError("schema_violation", "expected a JSON object")
        return data

    def _check(self, reply: ChatReply, candidates: list[str] | None = None, text: str = "") -> Card:
        if reply.refusal:
            raise CardError("refusal", reply.refusal[:200])
        if reply.finish_reason == "length":
            raise CardError(
                "truncated", f"reply cut at {reply.completion_tokens} tokens (max_output_tokens)"
            )
        if reply.finish_reason == "content_filter":
            raise CardError("refusal", "content filter")
        return parse_card(
            reply.content, self.categories, self.types, candidates=candidates, text=text
        )

    def _grounded(self, raw: Card, article: ArticleInput, usage: Usage, **extra: Any) -> Analysis:
        card, dropped, flagged = ground(raw, article.text, self.grounding)
        result = Analysis(
            status="ok", card=card, ungrounded_dropped=dropped, ungrounded_flagged=flagged
        )
        return self._result(result, usage, **extra)

    def _result(self, analysis: Analysis, usage: Usage, **extra: Any) -> Analysis:
        analysis.model = self.model
        analysis.prompt_version = self.prompt_version
        analysis.prompt_tokens = usage.prompt_tokens
        analysis.completion_tokens = usage.completion_tokens
        analysis.calls = usage.calls
        if usage.cached_tokens:
            analysis.extra["cached_prompt_tokens"] = usage.cached_tokens
        analysis.cost_usd = self.cost(usage.prompt_tokens, usage.completion_tokens)
        analysis.extra.update(extra)
        analysis.extra["repairs"] = usage.repairs
        analysis.extra["profile"] = self.profile.name
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
            "prompt_version": self.prompt_version,
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


def _per_list(value: int | dict[str, int] | None, default: dict[str, int]) -> dict[str, int]:
    """Per-list counts: a number applies to the five item lists, a dict overrides some."""
    if value is None:
        return dict(default)
    if isinstance(value, dict):
        return dict(default) | value
    return {k: v for k, v in default.items() if k not in ITEM_KINDS} | dict.fromkeys(
        ITEM_KINDS, value
    )


def failure_code(reason: str) -> str:
    """The machine-readable code that starts a failure reason ("server_down: ...")."""
    head = reason.split(":", 1)[0].strip()
    return head if head.replace("_", "").isalnum() else ""


def is_systemic(reason: str) -> bool:
    """Whether a failure is the backend's (auth, server down, no model), not the article's."""
    return failure_code(reason) in SYSTEMIC_CODES
