"""Choosing an analyzer by name (`--backend` or `[analyze] backend`)."""

from __future__ import annotations

import logging
import os

from techwatch.analyze.base import Analyzer, ResultCache
from techwatch.config import Settings

BACKENDS = ("extractive", "openai", "llamacpp")


class BackendError(ValueError):
    """A backend that cannot be built from the settings (unknown name, no model file)."""


def make_analyzer(
    backend: str,
    settings: Settings,
    cache: ResultCache | None,
    log: logging.Logger | None = None,
) -> Analyzer:
    """Build the named analyzer from the settings; heavy imports happen only here.

    `log` receives what the backend reports (llama.cpp's own log lines included).
    """
    analyze = settings.analyze
    style = analyze.prompt_style or None
    if backend == "extractive":
        from techwatch.analyze.extractive import ExtractiveAnalyzer

        return ExtractiveAnalyzer(
            categories=tuple(analyze.categories),
            types=tuple(analyze.types),
            max_items=analyze.max_items,
            workers=analyze.workers if analyze.workers > 0 else (os.cpu_count() or 1),
        )
    if backend == "openai":
        from techwatch.analyze.openai_backend import OpenAIAnalyzer

        cfg = settings.openai
        return OpenAIAnalyzer(
            cfg.base_url,
            cfg.api_key or "not-needed",
            cfg.model,
            cache=cache,
            concurrency=cfg.concurrency,
            timeout=cfg.timeout,
            max_retries=cfg.max_retries,
            context_tokens=cfg.context_tokens,
            max_output_tokens=cfg.max_output_tokens,
            price_prompt_per_mtok=cfg.price_prompt_per_mtok,
            price_completion_per_mtok=cfg.price_completion_per_mtok,
            strict=cfg.strict,
            grounding=analyze.grounding,
            categories=analyze.categories,
            types=analyze.types,
            profile=analyze.profile,
            prompt_style=style,
        )
    if backend == "llamacpp":
        from techwatch.analyze.llamacpp_backend import LlamaCppAnalyzer

        cfg = settings.llamacpp
        if not cfg.model_path:
            raise BackendError(
                "the llamacpp backend needs a GGUF file: set [llamacpp] model_path in "
                "techwatch.toml or TECHWATCH_LLAMACPP__MODEL_PATH"
            )
        return LlamaCppAnalyzer(
            cfg.model_path,
            cache=cache,
            n_ctx=cfg.n_ctx,
            n_threads=cfg.n_threads,
            max_output_tokens=cfg.max_output_tokens,
            grounding=analyze.grounding,
            categories=analyze.categories,
            types=analyze.types,
            profile=analyze.profile,
            prompt_style=style,
            log=log,
        )
    raise BackendError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
