"""The analyzer for a local GGUF file, run in-process by llama.cpp (xllamacpp).

The card's JSON schema goes in the request body, and llama.cpp turns it into a
grammar: the model cannot emit anything but JSON of that shape (it can still
run out of tokens, which gives a "truncated" failure).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from techwatch.analyze.base import ResultCache
from techwatch.analyze.llm import ChatReply, LLMCardAnalyzer, LLMError
from techwatch.card import CATEGORIES, TYPES


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
        max_output_tokens: int = 1024,
        grounding: str = "drop",
        categories: tuple[str, ...] | list[str] = CATEGORIES,
        types: tuple[str, ...] | list[str] = TYPES,
        max_items: int | None = 3,
        seed: int = 42,
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
        )
        self.model_path = path
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, os.cpu_count() or 1)
        self.seed = seed
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
                self._server = xllamacpp.Server(params)
            return self._server

    def close(self) -> None:
        """Free the model (the next call loads it again)."""
        with self._lock:
            self._server = None

    def _chat(self, messages: list[dict[str, str]], max_tokens: int) -> ChatReply:
        server = self._load()
        request = {
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0,
            "seed": self.seed,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "foresight_card", "strict": True, "schema": self.schema},
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
        )
