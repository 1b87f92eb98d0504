"""Settings: defaults < techwatch.toml < environment < flags."""

from __future__ import annotations

import re
import tomllib

import pytest

from techwatch.config import (
    CONFIG_FILE,
    SettingsError,
    SettingsWarning,
    default_config_text,
    load_settings,
)


def test_layers_override_in_order(tmp_path):
    (tmp_path / CONFIG_FILE).write_text(
        "[fetch]\ntimeout = 7\nretries = 5\n[extract]\nmin_chars = 10\n"
    )
    env = {"TECHWATCH_FETCH__RETRIES": "2", "TECHWATCH_ALLOW_PRIVATE": "1"}
    settings = load_settings(tmp_path, {"extract": {"min_chars": 99}}, environ=env)
    assert settings.fetch.timeout == 7
    assert settings.fetch.retries == 2
    assert settings.fetch.allow_private is True
    assert settings.extract.min_chars == 99
    assert settings.extract.max_chars == 30000


def test_private_addresses_are_refused_by_default(tmp_path):
    assert load_settings(tmp_path, environ={}).fetch.allow_private is False
    env = {"TECHWATCH_ALLOW_PRIVATE": "0"}
    assert load_settings(tmp_path, environ=env).fetch.allow_private is False


def test_unknown_setting_is_an_error(tmp_path):
    (tmp_path / CONFIG_FILE).write_text("[fetch]\ntimeuot = 7\n")
    with pytest.raises(SettingsError, match=r"techwatch.toml: fetch.timeuot"):
        load_settings(tmp_path, environ={})


@pytest.mark.parametrize(
    "line",
    ["timeout = nan", "timeout = 0", "timeout = -1", "retries = -1", "concurrency = 0",
     "max_bytes = 0", "per_host_delay = -0.5", "timeout = inf"],
)  # fmt: skip
def test_meaningless_numbers_are_refused(tmp_path, line):
    (tmp_path / CONFIG_FILE).write_text(f"[fetch]\n{line}\n")
    with pytest.raises(SettingsError, match=line.split()[0]):
        load_settings(tmp_path, environ={})


def test_an_invalid_variable_is_blamed_not_the_file(tmp_path):
    (tmp_path / CONFIG_FILE).write_text("[fetch]\ntimeout = 7\n")
    env = {"TECHWATCH_FETCH__TIMEOUT": "soon"}
    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path, environ=env)
    message = str(caught.value)
    assert "environment variable TECHWATCH_FETCH__TIMEOUT" in message
    assert CONFIG_FILE not in message


def test_a_stray_variable_is_ignored_with_a_warning(tmp_path):
    env = {"TECHWATCH_FOO__BAR": "1", "TECHWATCH_FETCH__NOPE": "2", "TECHWATCH_FETCH__RETRIES": "1"}
    with pytest.warns(SettingsWarning) as warned:
        settings = load_settings(tmp_path, environ=env)
    assert settings.fetch.retries == 1
    text = " ".join(str(w.message) for w in warned)
    assert "TECHWATCH_FOO__BAR" in text and "TECHWATCH_FETCH__NOPE" in text


def test_list_settings_from_the_environment(tmp_path):
    env = {"TECHWATCH_FETCH__ALLOWED_NETWORKS": "127.0.0.0/8, ::1/128"}
    assert load_settings(tmp_path, environ=env).fetch.allowed_networks == [
        "127.0.0.0/8",
        "::1/128",
    ]
    env = {"TECHWATCH_ANALYZE__CATEGORIES": '["energy", "cities"]'}
    assert load_settings(tmp_path, environ=env).analyze.categories == ["energy", "cities"]
    with pytest.raises(SettingsError, match="TECHWATCH_ANALYZE__TYPES"):
        load_settings(tmp_path, environ={"TECHWATCH_ANALYZE__TYPES": "[broken"})


def test_client_and_analyzer_defaults_come_from_the_settings():
    """One mapping: the constructors' defaults are the settings' defaults (no drift)."""
    import inspect

    from techwatch.analyze.openai_backend import OpenAIAnalyzer
    from techwatch.config import FetchConfig, OpenAIConfig
    from techwatch.fetch.client import FetchSettings

    assert FetchSettings() == FetchSettings.from_config(FetchConfig())
    params = inspect.signature(OpenAIAnalyzer).parameters
    shared = [name for name in OpenAIConfig.model_fields if name in params]
    assert len(shared) >= 8
    for name in shared:
        if params[name].default is not inspect.Parameter.empty:
            assert params[name].default == getattr(OpenAIConfig(), name), name


def test_one_user_agent():
    from pathlib import Path

    import techwatch
    from techwatch.config import USER_AGENT
    from techwatch.fetch.client import FetchSettings

    src = Path(techwatch.__file__).parent
    found = [p for p in src.rglob("*.py") if '"techwatch/0.' in p.read_text(encoding="utf-8")]
    assert [p.name for p in found] == ["config.py"]
    assert FetchSettings().user_agent == USER_AGENT


def test_default_file_is_valid_toml_once_uncommented():
    text = default_config_text()
    uncommented = "\n".join(
        line[2:] if re.match(r"# [a-z0-9_]+ = ", line) else line for line in text.splitlines()
    )
    data = tomllib.loads(uncommented)
    assert data["fetch"]["max_bytes"] == 10 * 1024 * 1024
    assert data["analyze"]["backend"] == "extractive"
