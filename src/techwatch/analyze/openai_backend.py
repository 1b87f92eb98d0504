"""The analyzer for any OpenAI-compatible chat-completions server.

One protocol covers OpenAI, vLLM, Ollama, llama.cpp server and LM Studio. The SDK
runs with max_retries=0: the retry loop is ours, so every attempt is counted and
bounded, and Retry-After is honoured. Near the context limit, tokens are counted by the
server's own tokenizer where it has one (llama.cpp server: `POST /tokenize`), else
estimated. `close()` (or `with OpenAIAnalyzer(...) as analyzer:`) closes the HTTP client.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import openai

from techwatch.analyze.base import Analysis, ArticleInput, ResultCache
from techwatch.analyze.llm import ChatReply, LLMCardAnalyzer, LLMError, estimate_tokens
from techwatch.analyze.profiles import ModelProfile
from techwatch.card import CATEGORIES, TYPES
from techwatch.config import OpenAIConfig


class _StrictRejected(Exception):
    """The server answered 400 to a json_schema response_format."""


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds to wait from Retry-After / retry-after-ms headers, if any."""
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return max(0.0, parsed.timestamp() - time.time())


# Knob defaults are those of the `[openai]` settings: one place, so they cannot drift.
_DEFAULTS = OpenAIConfig()


class OpenAIAnalyzer(LLMCardAnalyzer):
    """Cards from an OpenAI-compatible server, with strict JSON schema when it has it."""

    name = "openai"

    def __init__(
        self,
        base_url: str | None,
        api_key: str | None,
        model: str,
        *,
        cache: ResultCache | None = None,
        concurrency: int = _DEFAULTS.concurrency,
        timeout: float = _DEFAULTS.timeout,
        max_retries: int = _DEFAULTS.max_retries,
        context_tokens: int = _DEFAULTS.context_tokens,
        max_output_tokens: int | None = None,  # None: the model profile's budget
        price_prompt_per_mtok: float = _DEFAULTS.price_prompt_per_mtok,
        price_completion_per_mtok: float = _DEFAULTS.price_completion_per_mtok,
        strict: bool | None = _DEFAULTS.strict,
        grounding: str = "drop",
        categories: tuple[str, ...] | list[str] = CATEGORIES,
        types: tuple[str, ...] | list[str] = TYPES,
        max_items: int | dict[str, int] | None = None,
        min_items: int | dict[str, int] | None = None,
        profile: str | ModelProfile = "auto",
        prompt_style: str | None = None,
        backoff_base: float = 1.0,
        max_backoff: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            model,
            cache=cache,
            context_tokens=context_tokens,
            max_output_tokens=max_output_tokens,
            price_prompt_per_mtok=price_prompt_per_mtok,
            price_completion_per_mtok=price_completion_per_mtok,
            grounding=grounding,
            categories=categories,
            types=types,
            max_items=max_items,
            min_items=min_items,
            profile=profile,
            prompt_style=prompt_style,
        )
        self.client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", max_retries=0, timeout=timeout
        )
        self.concurrency = max(1, concurrency)
        self.max_retries = max(0, max_retries)
        self.strict = strict
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._strict_ok: bool | None = strict  # learnt from the server when strict is None
        self._tokenize_ok: bool | None = None  # learnt: does the server have /tokenize?
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the HTTP client and its pooled connections."""
        self.client.close()

    def count_tokens(self, text: str) -> int:
        """The server's own count (llama.cpp's /tokenize) where it has one, else an estimate."""
        if self._tokenize_ok is False:
            return estimate_tokens(text)
        root = str(self.client.base_url).rstrip("/").removesuffix("/v1")
        try:
            response = self.client._client.post(  # the SDK's httpx client: same pool, timeouts
                root + "/tokenize", json={"content": text, "add_special": False}
            )
            if response.status_code == 200:
                tokens = response.json()["tokens"]
                self._tokenize_ok = True
                return len(tokens)
        except Exception:  # noqa: BLE001 - best effort: any failure means "estimate"
            pass
        if self._tokenize_ok is None:
            self._tokenize_ok = False  # not a llama.cpp server: estimate from now on
        return estimate_tokens(text)

    # -- the call ----------------------------------------------------------

    def _response_format(self, strict: bool, schema: dict[str, Any]) -> dict[str, Any]:
        if strict:
            return {
                "type": "json_schema",
                "json_schema": {"name": "foresight_card", "strict": True, "schema": schema},
            }
        return {"type": "json_object"}

    def _chat(
        self, messages: list[dict[str, str]], max_tokens: int, schema: dict[str, Any] | None = None
    ) -> ChatReply:
        schema = schema or self.schema
        strict = self._strict_ok is not False
        try:
            reply = self._call(messages, max_tokens, strict, schema)
        except _StrictRejected as exc:
            if self.strict is not None:  # strict forced on: no fallback
                raise LLMError("bad_request", f"strict json_schema rejected: {exc}") from exc
            with self._lock:
                self._strict_ok = False
            reply = self._call(messages, max_tokens, False, schema)
        else:
            if strict and self._strict_ok is None:
                with self._lock:
                    self._strict_ok = True
        return reply

    @property
    def mode(self) -> str:
        """ "strict", "json" or "unknown" (not yet learnt from the server)."""
        return {True: "strict", False: "json", None: "unknown"}[self._strict_ok]

    def _call(
        self,
        messages: list[dict[str, str]],
        max_tokens: int,
        strict: bool,
        schema: dict[str, Any],
    ) -> ChatReply:
        attempt = 0
        while True:
            try:
                response = self.client.chat.completions.create(
                    model=self.model,
                    messages=messages,  # type: ignore[arg-type]
                    max_tokens=max_tokens,
                    temperature=0,
                    response_format=self._response_format(strict, schema),  # type: ignore[arg-type]
                )
                return _reply(response)
            except openai.APITimeoutError:
                code, detail, headers = "server_error", "timed out", None
            except openai.APIConnectionError as exc:
                raise LLMError("server_down", f"{exc.__class__.__name__}: {exc}"[:300]) from exc
            except openai.RateLimitError as exc:
                code, detail, headers = "rate_limited", "HTTP 429", exc.response.headers
            except openai.InternalServerError as exc:
                status = exc.status_code
                code, detail, headers = "server_error", f"HTTP {status}", exc.response.headers
            except openai.APIStatusError as exc:
                status = exc.status_code
                if status == 400 and strict:
                    raise _StrictRejected(_message(exc)) from exc
                if status == 408:
                    code, detail, headers = "server_error", "HTTP 408", exc.response.headers
                else:
                    kind = {401: "auth_error", 403: "auth_error", 404: "not_found"}.get(
                        status, "bad_request"
                    )
                    raise LLMError(kind, f"HTTP {status}: {_message(exc)}") from exc
            if attempt >= self.max_retries:
                raise LLMError(code, f"{detail}, gave up after {attempt + 1} attempts")
            delay = retry_after_seconds(headers)
            if delay is None:
                delay = self.backoff_base * (2**attempt) * (0.5 + random.random() / 2)
            self._sleep(min(delay, self.max_backoff))
            attempt += 1

    # -- batches -----------------------------------------------------------

    def analyze_many(
        self, articles: Iterable[ArticleInput]
    ) -> Iterator[tuple[ArticleInput, Analysis]]:
        """Analyse with at most `concurrency` calls in flight; yields as they complete.

        Closing the generator early (the stage stops on a dead backend) cancels the
        calls not yet started and waits only for those in flight.
        """
        window = self.concurrency * 2
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="techwatch-llm")
        pending: dict[Future[Analysis], ArticleInput] = {}
        try:
            for article in articles:
                pending[pool.submit(self.analyze, article)] = article
                if len(pending) >= window:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield pending.pop(future), future.result()
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield pending.pop(future), future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def analyze(self, article: ArticleInput) -> Analysis:
        analysis = super().analyze(article)
        analysis.extra.setdefault("mode", self.mode)
        return analysis


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:300]
    return str(exc)[:300]


def _reply(response: Any) -> ChatReply:
    usage = getattr(response, "usage", None)
    choices = getattr(response, "choices", None) or []
    if not choices:
        return ChatReply(content="", finish_reason="stop")
    choice = choices[0]
    message = choice.message
    return ChatReply(
        content=message.content or "",
        finish_reason=choice.finish_reason or "stop",
        refusal=getattr(message, "refusal", None) or "",
        prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
        completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
        cached_tokens=getattr(getattr(usage, "prompt_tokens_details", None), "cached_tokens", 0)
        or 0,
    )
