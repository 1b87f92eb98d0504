"""Embedders: texts to unit vectors, offline by default.

`get_embedder(settings, workspace_root)` picks one from the `[embed]` settings:

- `tfidf` (default): TF-IDF + SVD fitted on the corpus, saved in the workspace
  (`models/tfidf-svd.npz`); needs scikit-learn only.
- `minilm`: all-MiniLM-L6-v2 from an installed package or a local folder (ONNX or torch).
- `openai`: any OpenAI-compatible `/embeddings` endpoint.
"""

from __future__ import annotations

from pathlib import Path

from techwatch.config import EmbedConfig, Settings
from techwatch.embed.base import CorpusFitted, Embedder, EmbedderError, normalise
from techwatch.embed.hashing import HashingEmbedder
from techwatch.embed.minilm import (
    MiniLMOnnxEmbedder,
    MiniLMTorchEmbedder,
    load_minilm,
    onnx_available,
    torch_available,
)
from techwatch.embed.openai_embed import OpenAIEmbedder
from techwatch.embed.tfidf import MODEL_FILE, TfidfSvdEmbedder

BACKENDS = ("tfidf", "minilm", "openai")
MODELS_DIR = "models"
TFIDF_DIM = 256

__all__ = [
    "BACKENDS",
    "CorpusFitted",
    "Embedder",
    "EmbedderError",
    "HashingEmbedder",
    "MiniLMOnnxEmbedder",
    "MiniLMTorchEmbedder",
    "OpenAIEmbedder",
    "TfidfSvdEmbedder",
    "get_embedder",
    "minilm_available",
    "normalise",
    "tfidf_model_path",
]


def tfidf_model_path(workspace_root: Path) -> Path:
    return Path(workspace_root) / MODELS_DIR / MODEL_FILE


def minilm_available(model_path: str = "") -> bool:
    """Whether MiniLM can load offline by either route."""
    return onnx_available(model_path) or torch_available(model_path)


def get_embedder(
    settings: Settings | EmbedConfig | str, workspace_root: Path | str | None = None
) -> Embedder:
    """The embedder the settings ask for (or one named: tfidf, minilm, hashing, default).

    Without a workspace root the TF-IDF model lives in memory only (fitted again by the
    next process; deterministic, so the same corpus gives the same model id).
    """
    if isinstance(settings, str):
        return _by_name(settings, workspace_root)
    full = settings if isinstance(settings, Settings) else None
    config = settings.embed if isinstance(settings, Settings) else settings
    backend = config.backend.strip().lower()
    if backend == "tfidf":
        path = tfidf_model_path(Path(workspace_root)) if workspace_root is not None else None
        return TfidfSvdEmbedder(path, dim=config.dim or TFIDF_DIM, refit_growth=config.refit_growth)
    if backend == "minilm":
        return load_minilm(config.runtime, config.model_path, config.batch_size)
    if backend == "openai":
        base_url = config.base_url or (full.openai.base_url if full else "")
        api_key = config.api_key or (full.openai.api_key if full else "")
        if not base_url:
            raise EmbedderError("[embed] base_url is empty: set the endpoint of the server")
        return OpenAIEmbedder(
            base_url,
            config.model,
            api_key=api_key,
            dim=config.dim,
            batch_size=config.batch_size,
            timeout=full.openai.timeout if full else 60.0,
            max_retries=full.openai.max_retries if full else 3,
        )
    raise EmbedderError(f"unknown embed backend {config.backend!r}; choose one of {BACKENDS}")


def _by_name(name: str, workspace_root: Path | str | None) -> Embedder:
    if name == "hashing":
        return HashingEmbedder()
    if name in ("tfidf", "minilm"):
        return get_embedder(EmbedConfig(backend=name), workspace_root)
    if name == "default":
        return load_minilm() if minilm_available() else HashingEmbedder()
    raise ValueError(f"unknown embedder {name!r} (tfidf, minilm, hashing, default)")
