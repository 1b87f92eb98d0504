"""Any OpenAI-compatible `/embeddings` endpoint (OpenAI, Ollama, vLLM, llama.cpp server).

The openai SDK does the HTTP (timeouts, retries with backoff); this checks the reply
(one vector per input, in order, all of one size) and normalises the rows. The model id
is `openai:<model>:<dim>`: the same model name served elsewhere reuses its vectors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from techwatch.embed.base import EmbedderError, empty, normalise


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible server, in batches."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        dim: int = 0,
        batch_size: int = 64,
        timeout: float = 60.0,
        max_retries: int = 3,
    ) -> None:
        from openai import OpenAI

        if not model:
            raise EmbedderError("[embed] model is empty: name the embedding model to ask for")
        self.model = model
        self.batch_size = max(1, batch_size)
        self._dim = dim
        self._client = OpenAI(
            base_url=base_url,
            api_key=api_key or "unused",
            timeout=timeout,
            max_retries=max_retries,
        )

    @property
    def dim(self) -> int:
        """The vector size: from settings, or asked of the server once."""
        if not self._dim:
            self._dim = self._request(["dimension probe"]).shape[1]
        return self._dim

    @property
    def model_id(self) -> str:
        return f"openai:{self.model}:{self.dim}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return empty(self.dim)
        parts = [
            self._request(list(texts[i : i + self.batch_size]))
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.vstack(parts)

    def _request(self, batch: list[str]) -> np.ndarray:
        from openai import OpenAIError

        # Servers reject empty strings; a space embeds as "nothing".
        inputs = [t if t and t.strip() else " " for t in batch]
        try:
            reply = self._client.embeddings.create(
                model=self.model, input=inputs, encoding_format="float"
            )
        except OpenAIError as exc:
            raise EmbedderError(f"the embeddings endpoint failed: {exc}") from exc
        data = sorted(reply.data, key=lambda d: d.index)
        if len(data) != len(inputs):
            raise EmbedderError(
                f"the embeddings endpoint returned {len(data)} vectors for {len(inputs)} texts"
            )
        sizes = {len(d.embedding) for d in data}
        if len(sizes) != 1 or 0 in sizes:
            raise EmbedderError(f"the embeddings endpoint returned vectors of sizes {sizes}")
        size = sizes.pop()
        if self._dim and size != self._dim:
            raise EmbedderError(
                f"the embeddings endpoint returned {size} dimensions, expected {self._dim} "
                "([embed] dim)"
            )
        matrix = np.asarray([d.embedding for d in data], dtype=np.float32)
        if not np.isfinite(matrix).all():
            raise EmbedderError("the embeddings endpoint returned non-finite numbers")
        return normalise(matrix)
