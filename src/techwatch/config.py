"""Settings: defaults, then the workspace's techwatch.toml, then environment, then flags.

Environment overrides use `TECHWATCH_<SECTION>__<KEY>` (e.g. `TECHWATCH_FETCH__TIMEOUT=5`),
plus a few well-known names (`TECHWATCH_DB`, `TECHWATCH_ALLOW_PRIVATE`, `OPENAI_BASE_URL`,
`OPENAI_API_KEY`). List settings take JSON (`["a", "b"]`) or comma-separated text; an
unknown `TECHWATCH_<SECTION>__<KEY>` is ignored with a warning.
"""

from __future__ import annotations

import json
import os
import tomllib
import warnings
from pathlib import Path
from typing import Any, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from techwatch.card import CATEGORIES, TYPES

CONFIG_FILE = "techwatch.toml"
# The one User-Agent of techwatch (the HTTP client's default is this setting's default).
USER_AGENT = "techwatch/0.1 (+https://github.com/techwatch/techwatch)"


class _Section(BaseModel):
    # NaN and infinity are never a meaningful setting (`timeout=nan` is refused).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class FetchConfig(_Section):
    timeout: float = Field(
        20.0, gt=0, description="Seconds for connect, read and the whole request."
    )
    max_bytes: int = Field(10 * 1024 * 1024, gt=0, description="Response size cap (decoded bytes).")
    retries: int = Field(3, ge=0)
    backoff: float = Field(
        0.5, ge=0, description="First retry delay in seconds; doubles each time."
    )
    max_retry_after: float = Field(60.0, ge=0)
    concurrency: int = Field(8, ge=1)
    per_host_concurrency: int = Field(2, ge=1)
    per_host_delay: float = Field(
        0.5, ge=0, description="Minimum seconds between two requests to a host."
    )
    max_redirects: int = Field(10, ge=0)
    respect_robots: bool = True
    allow_private: bool = Field(
        False, description="Allow URLs that resolve to private, loopback or link-local addresses."
    )
    allowed_networks: list[str] = Field(
        default_factory=list,
        description='Networks allowed despite the guard, e.g. ["127.0.0.0/8"] (narrower than allow_private).',
    )
    user_agent: str = USER_AGENT


class ExtractConfig(_Section):
    min_chars: int = Field(1500, ge=0)
    max_chars: int = Field(30000, gt=0)
    near_duplicate_threshold: float = Field(0.9, gt=0, le=1)
    workers: int = Field(
        0, ge=0, description="Extraction worker processes (always used): 0 for min(2, CPUs)."
    )
    timeout: float = Field(
        30.0, gt=0, description="Seconds one page may take to extract; its worker is then replaced."
    )


class AnalyzeConfig(_Section):
    backend: str = Field("extractive", description="extractive, openai or llamacpp.")
    grounding: str = Field("drop", description="drop or flag items whose evidence is not found.")
    categories: list[str] = Field(default_factory=lambda: list(CATEGORIES))
    types: list[str] = Field(default_factory=lambda: list(TYPES))
    max_items: int = Field(6, ge=1)
    workers: int = Field(
        0,
        ge=0,
        description="Processes for the extractive analyzer on large batches: 0 for one per CPU.",
    )
    profile: str = Field(
        "auto",
        pattern="^(auto|small|medium|large)$",
        description="LLM model profile: auto (from the model's size), small, medium or large.",
    )
    prompt_style: str = Field(
        "",
        pattern="^(|concise|explicit|guided|per-section)$",
        description=(
            "Override the profile's prompt style: concise, explicit, guided, or per-section "
            "(one short call per part of the card; the article is read once, from the cache)."
        ),
    )


class OpenAIConfig(_Section):
    base_url: str = "https://api.openai.com/v1"
    api_key: str = ""
    model: str = "gpt-4o-mini"
    concurrency: int = Field(4, ge=1)
    timeout: float = Field(120.0, gt=0)
    max_retries: int = Field(4, ge=0)
    context_tokens: int = Field(128000, gt=0)
    max_output_tokens: int | None = Field(
        None, gt=0, description="Reply token budget; empty: the model profile's."
    )
    price_prompt_per_mtok: float = Field(0.0, ge=0)
    price_completion_per_mtok: float = Field(0.0, ge=0)
    strict: bool | None = None


class LlamaCppConfig(_Section):
    model_path: str = ""
    n_ctx: int = Field(4096, gt=0)
    n_threads: int | None = Field(None, ge=1)
    max_output_tokens: int | None = Field(
        None, gt=0, description="Reply token budget; empty: the model profile's."
    )


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
        2.0,
        description="tfidf: refit (and re-embed) when the corpus grew this many times; 0: never.",
    )
    model_path: str = Field(
        "",
        description="minilm: a folder with model.onnx + tokenizer.json, or a sentence-transformers folder.",
    )
    runtime: str = Field("auto", description="minilm: auto, onnx or torch.")
    base_url: str = Field("", description="openai: the endpoint; empty = [openai] base_url.")
    api_key: str = Field("", description="openai: empty = [openai] api_key.")
    model: str = Field("text-embedding-3-small", description="openai: the embedding model.")
    batch_size: int = 64


# -- trends (clustering and emergence; defaults documented in the README) ---------------
class TrendsConfig(_Section):
    similarity: float = Field(
        0.35,
        description="Cosine to a trend's centroid for a new item to join it; also the cluster cut.",
    )
    min_size: int = Field(3, description="Items a group needs to become a trend.")
    merge_similarity: float = Field(
        0.85, description="Trends whose centroids are this close merge."
    )
    period: str = Field("month", description="Default period: week, month, quarter or year.")
    window: int = Field(6, description="Periods in Yoon's window (DoV/DoD growth).")
    time_weight: float = Field(0.05, description="Yoon's tw: older periods weigh 1 - tw x (n - j).")
    burst_s: float = Field(2.0, description="Kleinberg's s: burst rate = s x base rate.")
    burst_gamma: float = Field(1.0, description="Kleinberg's gamma: cost of entering a burst.")
    decay: float = Field(0.01, description="BERTrend popularity decay per idle period (squared).")
    decay_power: float = 2.0
    low_percentile: float = Field(10.0, description="Popularity below this percentile: noise.")
    high_percentile: float = Field(75.0, description="Popularity above this percentile: strong.")
    min_periods: int = Field(3, description="Periods of history below which: insufficient_history.")
    llm_labels: bool = Field(
        False, description="Let the configured LLM name the trends it relabels (c-TF-IDF else)."
    )


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
    trends: TrendsConfig = Field(default_factory=TrendsConfig)
    web: WebConfig = Field(default_factory=WebConfig)


_TRUE = {"1", "true", "yes", "on"}
_PREFIX = "TECHWATCH_"
_SECRET_WORDS = ("key", "password", "token", "secret", "db")


class SettingsError(ValueError):
    """Invalid settings, naming where each bad value came from (the file or a variable)."""


class SettingsWarning(UserWarning):
    """A setting that was ignored (an unknown TECHWATCH_* variable)."""


def _field(section: str, name: str) -> FieldInfo | None:
    """The field of `[section] name`, or None when there is no such setting."""
    top = Settings.model_fields.get(section)
    model = top.annotation if top is not None else None
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    return model.model_fields.get(name)


def _env_value(raw: str, field: FieldInfo, variable: str) -> Any:
    """A variable's text as the setting's type: lists as JSON or comma-separated text."""
    if get_origin(field.annotation) is not list:
        return raw
    text = raw.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SettingsError(
                f"environment variable {variable}: invalid JSON list ({exc})"
            ) from None
    return [part.strip() for part in text.split(",") if part.strip()]


def _env_overrides(environ: dict[str, str]) -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    """Settings from the environment, and the variable each came from (to blame it)."""
    out: dict[str, Any] = {}
    origin: dict[tuple[str, str], str] = {}

    def put(section: str, name: str, value: Any, variable: str) -> None:
        out.setdefault(section, {})[name] = value
        origin[(section, name)] = variable

    for key, value in sorted(environ.items()):
        if not key.startswith(_PREFIX) or "__" not in key:
            continue
        section, _, name = key[len(_PREFIX) :].lower().partition("__")
        field = _field(section, name)
        if field is None:
            warnings.warn(
                f"ignoring {key}: there is no setting [{section}] {name}",
                SettingsWarning,
                stacklevel=3,
            )
            continue
        put(section, name, _env_value(value, field, key), key)
    if environ.get("TECHWATCH_DB"):
        out["db"] = environ["TECHWATCH_DB"]
        origin[("db", "")] = "TECHWATCH_DB"
    if "TECHWATCH_ALLOW_PRIVATE" in environ:
        allowed = environ["TECHWATCH_ALLOW_PRIVATE"].strip().lower() in _TRUE
        put("fetch", "allow_private", allowed, "TECHWATCH_ALLOW_PRIVATE")
    if environ.get("TECHWATCH_BACKEND"):
        put("analyze", "backend", environ["TECHWATCH_BACKEND"], "TECHWATCH_BACKEND")
    for name, variable in (("base_url", "OPENAI_BASE_URL"), ("api_key", "OPENAI_API_KEY")):
        if environ.get(variable) and name not in out.get("openai", {}):
            put("openai", name, environ[variable], variable)
    return out, origin


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(exc: ValidationError, blame: Any) -> str:
    """One line per invalid value, each with where it came from; secrets are not echoed."""
    lines = []
    for error in exc.errors():
        loc = tuple(str(part) for part in error["loc"])
        where = blame(loc)
        name = ".".join(loc)
        shown = "" if any(w in name for w in _SECRET_WORDS) else f" (got {error['input']!r})"
        lines.append(f"{where}: {name}: {error['msg']}{shown}")
    return "; ".join(lines)


def load_settings(
    workspace: Path | None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Defaults < techwatch.toml < environment < explicit overrides (CLI flags).

    Each layer is checked as it is added, so an error names its origin: the file, the
    environment variable, or the options given.
    """
    data: dict[str, Any] = {}
    path = workspace / CONFIG_FILE if workspace is not None else None
    if path is not None and path.is_file():
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path} is not valid TOML: {exc}") from None
        try:
            Settings.model_validate(data)
        except ValidationError as exc:
            raise SettingsError(_describe(exc, lambda loc: str(path))) from None
    env, origin = _env_overrides(dict(os.environ if environ is None else environ))
    data = _merge(data, env)

    def from_env(loc: tuple[str, ...]) -> str:
        variable = origin.get((loc[0], loc[1] if len(loc) > 1 else ""))
        return f"environment variable {variable}" if variable else str(path or "settings")

    try:
        Settings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, from_env)) from None
    if overrides:
        data = _merge(data, overrides)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, lambda loc: "options")) from None


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
