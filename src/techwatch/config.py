"""Settings: defaults, then the workspace's techwatch.toml, then environment, then flags.

Environment overrides use `TECHWATCH_<SECTION>__<KEY>` (e.g. `TECHWATCH_FETCH__TIMEOUT=5`),
plus a few well-known names (`TECHWATCH_DB`, `TECHWATCH_ALLOW_PRIVATE`, `OPENAI_BASE_URL`,
`OPENAI_API_KEY`).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from techwatch.card import CATEGORIES, TYPES

CONFIG_FILE = "techwatch.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FetchConfig(_Section):
    timeout: float = Field(20.0, description="Seconds for connect, read and the whole request.")
    max_bytes: int = Field(10 * 1024 * 1024, description="Response size cap (decoded bytes).")
    retries: int = 3
    backoff: float = Field(0.5, description="First retry delay in seconds; doubles each time.")
    max_retry_after: float = 60.0
    concurrency: int = 8
    per_host_concurrency: int = 2
    per_host_delay: float = Field(
        0.5, description="Minimum seconds between two requests to a host."
    )
    max_redirects: int = 10
    respect_robots: bool = True
    allow_private: bool = Field(
        False, description="Allow URLs that resolve to private, loopback or link-local addresses."
    )
    allowed_networks: list[str] = Field(
        default_factory=list,
        description='Networks allowed despite the guard, e.g. ["127.0.0.0/8"] (narrower than allow_private).',
    )
    user_agent: str = "techwatch/0.1 (+https://github.com/techwatch/techwatch)"


class ExtractConfig(_Section):
    min_chars: int = 1500
    max_chars: int = 30000
    near_duplicate_threshold: float = 0.9
    workers: int = Field(
        0, description="Extraction worker processes (always used): 0 for min(2, CPUs)."
    )
    timeout: float = Field(
        30.0, description="Seconds one page may take to extract; its worker is then replaced."
    )


class AnalyzeConfig(_Section):
    backend: str = Field("extractive", description="extractive, openai or llamacpp.")
    grounding: str = Field("drop", description="drop or flag items whose evidence is not found.")
    categories: list[str] = Field(default_factory=lambda: list(CATEGORIES))
    types: list[str] = Field(default_factory=lambda: list(TYPES))
    max_items: int = 6
    workers: int = Field(
        0, description="Processes for the extractive analyzer on large batches: 0 for one per CPU."
    )


class OpenAIConfig(_Section):
    base_url: str = "https://api.openai.com/v1"
    api_key: str = ""
    model: str = "gpt-4o-mini"
    concurrency: int = 4
    timeout: float = 120.0
    max_retries: int = 4
    context_tokens: int = 128000
    max_output_tokens: int = 4096
    price_prompt_per_mtok: float = 0.0
    price_completion_per_mtok: float = 0.0
    strict: bool | None = None


class LlamaCppConfig(_Section):
    model_path: str = ""
    n_ctx: int = 4096
    n_threads: int | None = None
    max_output_tokens: int = 1024


class PagesConfig(_Section):
    out: str = "pages"


# -- outputs: delivery ------------------------------------------------------------------
class MailConfig(_Section):
    host: str = Field("", description="SMTP server; empty: e-mail delivery is off.")
    port: int = 587
    security: str = Field("starttls", description="starttls, ssl, or none (loopback only).")
    username: str = ""
    password: str = Field("", description="Or TECHWATCH_MAIL__PASSWORD / SMTP_PASSWORD.")
    sender: str = Field("", description="From address, e.g. watch@example.org.")
    ca_file: str = Field("", description="CA bundle to verify the server (self-signed servers).")
    timeout: float = 30.0
    retries: int = Field(2, description="Retries on connection errors and 4xx replies.")
    backoff: float = Field(1.0, description="First retry delay in seconds; doubles each time.")


class SendConfig(_Section):
    to: list[str] = Field(
        default_factory=list,
        description='Where `techwatch run --send` delivers: "mail:a@b.org", "webhook:https://...".',
    )
    what: str = Field("draft", description="What `run` sends: draft or review.")
    webhook_format: str = Field("json", description="json, slack or teams.")
    timeout: float = 20.0
    retries: int = 2
    backoff: float = 1.0


class EmbedConfig(_Section):
    backend: str = Field("tfidf", description="tfidf (offline default), minilm or openai.")
    dim: int = Field(
        0, description="0: the backend's own (tfidf: 256 SVD components, fewer on a small corpus)."
    )
    refit_growth: float = Field(
        2.0, description="tfidf: refit (and re-embed) when the corpus grew this many times; 0: never."
    )
    model_path: str = Field(
        "", description="minilm: a folder with model.onnx + tokenizer.json, or a sentence-transformers folder."
    )
    runtime: str = Field("auto", description="minilm: auto, onnx or torch.")
    base_url: str = Field("", description="openai: the endpoint; empty = [openai] base_url.")
    api_key: str = Field("", description="openai: empty = [openai] api_key.")
    model: str = Field("text-embedding-3-small", description="openai: the embedding model.")
    batch_size: int = 64


class WebConfig(_Section):
    public_read: bool = Field(
        False, description="Let visitors read pages without logging in (writes always need one)."
    )
    session_hours: float = Field(12.0, description="How long a login lasts.")
    site_out: str = Field("site", description="Where `techwatch site` writes the static site.")


class Settings(_Section):
    db: str = Field("", description="SQLAlchemy URL; empty = SQLite file in the workspace.")
    log_file: str = "techwatch.log"
    fetch: FetchConfig = Field(default_factory=FetchConfig)
    extract: ExtractConfig = Field(default_factory=ExtractConfig)
    analyze: AnalyzeConfig = Field(default_factory=AnalyzeConfig)
    openai: OpenAIConfig = Field(default_factory=OpenAIConfig)
    llamacpp: LlamaCppConfig = Field(default_factory=LlamaCppConfig)
    pages: PagesConfig = Field(default_factory=PagesConfig)
    mail: MailConfig = Field(default_factory=MailConfig)
    send: SendConfig = Field(default_factory=SendConfig)
    embed: EmbedConfig = Field(default_factory=EmbedConfig)
    web: WebConfig = Field(default_factory=WebConfig)


_TRUE = {"1", "true", "yes", "on"}


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith("TECHWATCH_") or "__" not in key:
            continue
        section, _, name = key[len("TECHWATCH_") :].lower().partition("__")
        out.setdefault(section, {})[name] = value
    if environ.get("TECHWATCH_DB"):
        out["db"] = environ["TECHWATCH_DB"]
    if "TECHWATCH_ALLOW_PRIVATE" in environ:
        allowed = environ["TECHWATCH_ALLOW_PRIVATE"].strip().lower() in _TRUE
        out.setdefault("fetch", {})["allow_private"] = allowed
    if environ.get("TECHWATCH_BACKEND"):
        out.setdefault("analyze", {})["backend"] = environ["TECHWATCH_BACKEND"]
    if environ.get("OPENAI_BASE_URL"):
        out.setdefault("openai", {}).setdefault("base_url", environ["OPENAI_BASE_URL"])
    if environ.get("OPENAI_API_KEY"):
        out.setdefault("openai", {}).setdefault("api_key", environ["OPENAI_API_KEY"])
    return out


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(
    workspace: Path | None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Defaults < techwatch.toml < environment < explicit overrides (CLI flags)."""
    data: dict[str, Any] = {}
    if workspace is not None and (workspace / CONFIG_FILE).is_file():
        with open(workspace / CONFIG_FILE, "rb") as fh:
            data = tomllib.load(fh)
    data = _merge(data, _env_overrides(dict(os.environ if environ is None else environ)))
    if overrides:
        data = _merge(data, overrides)
    return Settings.model_validate(data)


def default_config_text() -> str:
    """The techwatch.toml written by `techwatch init`: every setting, commented out."""
    lines = [
        "# techwatch settings. Uncomment to change a default.",
        "# Environment overrides: TECHWATCH_<SECTION>__<KEY>, e.g. TECHWATCH_FETCH__TIMEOUT=5.",
        "",
    ]
    defaults = Settings()
    for name in Settings.model_fields:
        value = getattr(defaults, name)
        if isinstance(value, BaseModel):
            continue
        lines.append(f"# {name} = {_toml_value(value)}")
    for name in Settings.model_fields:
        section = getattr(defaults, name)
        if not isinstance(section, BaseModel):
            continue
        lines += ["", f"[{name}]"]
        for key, field in type(section).model_fields.items():
            value = getattr(section, key)
            if field.description:
                lines.append(f"# {field.description}")
            if value is None:
                lines.append(f"# {key} =")
            else:
                lines.append(f"# {key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
