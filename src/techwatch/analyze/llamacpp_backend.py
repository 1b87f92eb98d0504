"""The analyzer for a local GGUF file, run in-process by llama.cpp (xllamacpp).

The card's JSON schema goes in the request body, and llama.cpp turns it into a
grammar: the model cannot emit anything but JSON of that shape (it can still
run out of tokens, which gives a "truncated" failure). The profile comes from the
file's own metadata (`general.size_label`) unless set. Tokens are counted by the
model's tokenizer (the `/tokenize` endpoint of xllamacpp's loopback server), and
llama.cpp's C-level log goes to the given logger, never to the terminal.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.request
from pathlib import Path
from typing import Any

from techwatch.analyze.base import ResultCache
from techwatch.analyze.llm import ChatReply, LLMCardAnalyzer, LLMError, estimate_tokens
from techwatch.analyze.native_log import native_stderr_to
from techwatch.analyze.profiles import ModelProfile
from techwatch.card import CATEGORIES, TYPES

# llama.cpp log verbosity: 2 keeps warnings and errors, 3 adds the load report (captured
# into the logger) and per-request timings (on stderr: asked for with -v only).
QUIET_VERBOSITY = 2
VERBOSE_VERBOSITY = 3


class LlamaCppAnalyzer(LLMCardAnalyzer):
    """Cards from a GGUF model file, with grammar-constrained JSON output. Never downloads."""

    name = "llamacpp"

    def __init__(
        self,
        model_path: str | Path,
        *,
        cache: ResultCache | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        max_output_tokens: int | None = None,
        grounding: str = "drop",
        categories: tuple[str, ...] | list[str] = CATEGORIES,
        types: tuple[str, ...] | list[str] = TYPES,
        max_items: int | dict[str, int] | None = None,
        min_items: int | dict[str, int] | None = None,
        profile: str | ModelProfile = "auto",
        prompt_style: str | None = None,
        seed: int = 42,
        log: logging.Logger | None = None,
    ) -> None:
        path = Path(model_path)
        super().__init__(
            path.name,
            cache=cache,
            context_tokens=n_ctx,
            max_output_tokens=max_output_tokens,
            grounding=grounding,
            categories=categories,
            types=types,
            max_items=max_items,
            min_items=min_items,
            profile=profile,
            prompt_style=prompt_style,
            profile_hint=str(path),
        )
        self.model_path = path
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, os.cpu_count() or 1)
        self.seed = seed
        self.log = log if log is not None else logging.getLogger("techwatch.llamacpp")
        self._server: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        """Load the model once, on first use (loading costs about a second per 100 MB)."""
        with self._lock:
            if self._server is None:
                if not self.model_path.is_file():
                    raise LLMError("model_missing", f"no GGUF file at {self.model_path}")
                import xllamacpp

                params = xllamacpp.CommonParams()
                params.model.path = str(self.model_path)
                params.n_ctx = self.n_ctx
                params.n_parallel = 1
                params.cpuparams.n_threads = self.n_threads
                params.cpuparams_batch.n_threads = self.n_threads
                params.hostnames = ["127.0.0.1"]  # its built-in HTTP server: loopback only
                params.port = 0
                params.sampling.temp = 0
                params.sampling.seed = self.seed
                verbose = self.log.isEnabledFor(logging.DEBUG)
                params.verbosity = VERBOSE_VERBOSITY if verbose else QUIET_VERBOSITY
                with native_stderr_to(self.log):
                    self._server = xllamacpp.Server(params)
                self.log.info(
                    "llama.cpp: loaded %s (profile %s: %s)",
                    self.model_path.name,
                    self.profile.name,
                    self.profile_reason,
                )
            return self._server

    def close(self) -> None:
        """Free the model and stop its loopback server (the next call loads it again)."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            with native_stderr_to(self.log):
                del server  # the last reference: llama.cpp frees the model here

    def count_tokens(self, text: str) -> int:
        """Tokens by the model's own tokenizer (its loopback /tokenize endpoint)."""
        try:
            server = self._load()
            body = json.dumps({"content": text, "add_special": False}).encode()
            request = urllib.request.Request(
                server.listening_address.rstrip("/") + "/tokenize",
                data=body,
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=60) as resp:
                return len(json.load(resp)["tokens"])
        except (OSError, ValueError, KeyError) as exc:
            self.log.warning("llama.cpp tokenizer unavailable (%s); estimating", exc)
            return estimate_tokens(text)

    def _chat(
        self, messages: list[dict[str, str]], max_tokens: int, schema: dict[str, Any] | None = None
    ) -> ChatReply:
        server = self._load()
        request = {
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0,
            "seed": self.seed,
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": "foresight_card",
                    "strict": True,
                    "schema": schema or self.schema,
                },
            },
        }
        result = server.handle_chat_completions(request)
        if not isinstance(result, dict):
            raise LLMError("server_error", f"unexpected reply type {type(result).__name__}")
        if "error" in result:
            err = result["error"]
            message = err.get("message", str(err)) if isinstance(err, dict) else str(err)
            kind = err.get("type", "") if isinstance(err, dict) else ""
            code = "too_long" if "context" in str(kind) else "server_error"
            raise LLMError(code, str(message)[:300])
        choice = (result.get("choices") or [{}])[0]
        message = choice.get("message") or {}
        usage = result.get("usage") or {}
        return ChatReply(
            content=message.get("content") or "",
            finish_reason=choice.get("finish_reason") or "stop",
            refusal=message.get("refusal") or "",
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            cached_tokens=int((usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0),
        )
