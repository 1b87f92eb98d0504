"""Model profiles: how to ask a model for a card, by model size.

A 1.5B model on a laptop and a hosted frontier model need different prompts: the small
one leaves lists empty unless the grammar forbids it, copies quotes badly, and writes a
one-line summary unless told how many sentences. A profile bundles those choices:

- `small` (up to 3B parameters): per-section calls (`sections.py`: one short call per
  list, each with its own definition and numbered cue sentences from the extractive
  analyzer; evidence by construction), `minItems` on every list, bounded strings.
- `medium` (7B to 14B): explicit instructions and minimums, evidence quoted by the model.
- `large` (hosted models): the concise prompt, no minimums (an empty list stays possible),
  a larger output budget.

`auto` picks one from what is known of the model: the parameter count in its name
("qwen2.5-7b-instruct"), GGUF metadata (`general.size_label`, or the file size), or a
hosted model's name (gpt-*, claude-*, ...).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

PROFILE_NAMES = ("auto", "small", "medium", "large")
PROMPT_STYLES = ("concise", "explicit", "guided", "per-section")


@dataclass(frozen=True)
class ModelProfile:
    """Prompt style, list minimums and output budget for one class of model."""

    name: str
    prompt_style: str
    min_items: dict[str, int] = field(default_factory=dict)
    max_items: dict[str, int] = field(default_factory=dict)
    bounded: bool = False  # string length bounds in the schema (grammar backends)
    max_output_tokens: int = 2048
    candidates: int = 0  # numbered candidate sentences handed to the model (guided)


_LISTS_MAX = {"keywords": 10, "themes": 4, "signals": 4, "concerns": 4}
_LISTS_MAX |= {"behaviors": 4, "technologies": 5, "issues": 4}
_SMALL_MIN = {"keywords": 6, "themes": 2, "signals": 2, "concerns": 2}
_SMALL_MIN |= {"behaviors": 2, "technologies": 2, "issues": 2}

PROFILES: dict[str, ModelProfile] = {
    "small": ModelProfile(
        "small",
        # per-section beat guided on the 1.5B benchmark (same 6 articles: mean P/R
        # 0.61/0.49 vs 0.51/0.39; no empty list, every summary 4-6 sentences): README
        prompt_style="per-section",
        min_items=_SMALL_MIN,
        max_items=_LISTS_MAX,
        bounded=True,
        max_output_tokens=2048,  # measured cards took up to 1,440 tokens
        candidates=14,
    ),
    "medium": ModelProfile(
        "medium",
        prompt_style="explicit",
        min_items=_SMALL_MIN,
        max_items=_LISTS_MAX | {"keywords": 12, "themes": 6, "technologies": 6},
        bounded=True,
        max_output_tokens=2048,
    ),
    "large": ModelProfile(
        "large",
        prompt_style="concise",
        min_items={},
        max_items={},
        bounded=False,
        max_output_tokens=4096,
    ),
}

SMALL_MAX_PARAMS = 3.5e9
MEDIUM_MAX_PARAMS = 16e9
# Hosted model families: always "large" (their size is not published, but it is large).
_HOSTED = re.compile(
    r"^(?:gpt-|o\d|chatgpt|claude|gemini|mistral-(?:large|medium)|command-r|grok|deepseek-(?:chat|reasoner))",
    re.IGNORECASE,
)
_PARAMS_IN_NAME = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*([bBmM])(?![a-zA-Z])")
# Bytes per parameter of common GGUF quantisations lie between 0.55 (Q4) and 1.1 (Q8).
_BYTES_PER_PARAM_GUESS = 0.65


def params_from_name(name: str) -> float | None:
    """Parameters from a name like "Qwen2.5-Coder-1.5B-Instruct" or "SmolLM2-135M"."""
    found = None
    for number, unit in _PARAMS_IN_NAME.findall(name.replace("_", "-")):
        value = float(number) * (1e9 if unit.lower() == "b" else 1e6)
        found = value  # the last one wins: "qwen2.5-7b" -> 7B, not 2.5
    return found


def profile_for_params(params: float) -> str:
    if params <= SMALL_MAX_PARAMS:
        return "small"
    if params <= MEDIUM_MAX_PARAMS:
        return "medium"
    return "large"


def detect_profile(model: str = "", gguf_path: str | Path | None = None) -> tuple[str, str]:
    """(profile name, why) from what is known of the model; unknown local models are small."""
    if gguf_path:
        path = Path(gguf_path)
        meta = gguf_metadata(path, ("general.size_label", "general.name"))
        for key in ("general.size_label", "general.name"):
            value = meta.get(key)
            if isinstance(value, str) and (params := params_from_name(value)):
                return profile_for_params(params), f"{key} = {value}"
        if params := params_from_name(path.name):
            return profile_for_params(params), f"file name {path.name}"
        if path.is_file():
            guess = path.stat().st_size / _BYTES_PER_PARAM_GUESS
            return profile_for_params(guess), f"file size {path.stat().st_size / 1e9:.1f} GB"
    if model:
        if _HOSTED.match(model):
            return "large", f"hosted model {model}"
        if params := params_from_name(model):
            return profile_for_params(params), f"model name {model}"
    return "small", "size unknown: assuming a small local model"


def resolve_profile(
    name: str, model: str = "", gguf_path: str | Path | None = None
) -> tuple[ModelProfile, str]:
    """The profile for a setting value ("auto" detects), with the reason it was chosen."""
    if name not in PROFILE_NAMES:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILE_NAMES)}")
    if name != "auto":
        return PROFILES[name], "set in the settings"
    chosen, why = detect_profile(model, gguf_path)
    return PROFILES[chosen], why


# ---------------------------------------------------------------------------- GGUF header

_GGUF_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_GGUF_STRING, _GGUF_ARRAY = 8, 9


def gguf_metadata(path: Path, keys: tuple[str, ...], max_kv: int = 64) -> dict[str, object]:
    """Scalar metadata values of a GGUF file's header (no model load; {} if unreadable).

    Reads key/value pairs in order and stops once every wanted key is found or after
    `max_kv` pairs; arrays (the vocabulary) are skipped without being read into memory.
    """
    found: dict[str, object] = {}
    try:
        with path.open("rb") as f:
            if f.read(4) != b"GGUF":
                return {}
            version = struct.unpack("<I", f.read(4))[0]
            if version < 2:
                return {}
            _tensors, kv_count = struct.unpack("<QQ", f.read(16))
            for _ in range(min(kv_count, max_kv)):
                key = _read_str(f)
                kind = struct.unpack("<I", f.read(4))[0]
                value = _read_value(f, kind)
                if key in keys:
                    found[key] = value
                    if len(found) == len(keys):
                        break
    except (OSError, struct.error, ValueError, UnicodeDecodeError):
        return found
    return found


def _read_str(f: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", f.read(8))
    if length > 1 << 20:
        raise ValueError("implausible GGUF string length")
    return f.read(length).decode("utf-8")


def _read_value(f: BinaryIO, kind: int) -> object:
    if kind in _GGUF_SCALARS:
        fmt = _GGUF_SCALARS[kind]
        return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]
    if kind == _GGUF_STRING:
        return _read_str(f)
    if kind == _GGUF_ARRAY:
        item_kind, count = struct.unpack("<IQ", f.read(12))
        if item_kind in _GGUF_SCALARS:
            f.seek(struct.calcsize(_GGUF_SCALARS[item_kind]) * count, 1)
        else:
            for _ in range(count):
                _read_value(f, item_kind)
        return None
    raise ValueError(f"unknown GGUF value type {kind}")
