"""A chat model for prose outputs (answers, stories), streamed token by token.

`openai`: any OpenAI-compatible server from `[openai]`. `llamacpp`: the GGUF file of
`[llamacpp] model_path`, served by the project's own llama.cpp server process
(`LocalLLMServer`, on 127.0.0.1, stopped on exit) and spoken to over the same protocol.
`extractive` (the default) means no model: callers fall back or say one is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from techwatch.config import Settings

__all__ = ["ChatModel", "LLMUnavailable", "chat_model", "llm_backend"]

_DEFAULT_OPENAI = "https://api.openai.com/v1"


class LLMUnavailable(RuntimeError):
    """No model is configured, or the one configured cannot be reached."""


def llm_backend(settings: Settings, backend: str | None = None) -> str | None:
    """The LLM backend to use (openai / llamacpp), or None when none is configured."""
    name = (backend or settings.analyze.backend or "").strip().lower()
    if name == "openai":
        cfg = settings.openai
        if cfg.api_key or cfg.base_url.rstrip("/") != _DEFAULT_OPENAI:
            return "openai"
        return None
    if name == "llamacpp":
        return "llamacpp" if settings.llamacpp.model_path else None
    return None


@dataclass
class ChatModel:
    """One OpenAI-compatible chat endpoint."""

    backend: str
    model: str
    client: Any
    max_tokens: int = 700

    def stream(
        self, messages: list[dict[str, str]], *, max_tokens: int | None = None, seed: int = 7
    ) -> Iterator[str]:
        """Yield the reply piece by piece; errors become LLMUnavailable with the reason."""
        import openai

        try:
            chunks = self.client.chat.completions.create(
                model=self.model,
                messages=messages,
                stream=True,
                temperature=0.2,
                max_tokens=max_tokens or self.max_tokens,
                seed=seed,
            )
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.APIStatusError as exc:
            raise LLMUnavailable(
                f"the model server answered {exc.status_code}: {exc.message}"
            ) from exc
        except openai.APIError as exc:
            raise LLMUnavailable(f"the model server failed: {exc}") from exc

    def complete(self, messages: list[dict[str, str]], **kw: Any) -> str:
        return "".join(self.stream(messages, **kw))


@contextmanager
def chat_model(settings: Settings, backend: str | None = None) -> Iterator[ChatModel | None]:
    """The configured chat model (None when there is none), started and stopped around use."""
    import openai

    name = llm_backend(settings, backend)
    if name is None:
        yield None
        return
    if name == "openai":
        cfg = settings.openai
        client = openai.OpenAI(
            base_url=cfg.base_url,
            api_key=cfg.api_key or "not-needed",
            timeout=cfg.timeout,
            max_retries=min(cfg.max_retries, 2),
        )
        try:
            yield ChatModel(
                "openai", cfg.model, client, max_tokens=min(cfg.max_output_tokens or 1200, 1200)
            )
        finally:
            client.close()
        return
    from techwatch.analyze.llm_server import LocalLLMServer

    cfg_l = settings.llamacpp
    server = LocalLLMServer(cfg_l.model_path, n_ctx=cfg_l.n_ctx, threads=cfg_l.n_threads)
    try:
        base_url = server.start()
    except (OSError, RuntimeError) as exc:
        raise LLMUnavailable(f"cannot start the local model {cfg_l.model_path}: {exc}") from exc
    client = openai.OpenAI(base_url=base_url, api_key="not-needed", timeout=600, max_retries=0)
    try:
        yield ChatModel("llamacpp", server.model_path.name, client, cfg_l.max_output_tokens or 700)
    finally:
        client.close()
        server.stop()
