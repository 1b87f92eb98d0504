"""Settings: defaults < techwatch.toml < environment < flags."""

from __future__ import annotations

import re
import tomllib

import pytest
from pydantic import ValidationError

from techwatch.config import CONFIG_FILE, default_config_text, load_settings


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
    with pytest.raises(ValidationError):
        load_settings(tmp_path, environ={})


def test_default_file_is_valid_toml_once_uncommented():
    text = default_config_text()
    uncommented = "\n".join(
        line[2:] if re.match(r"# [a-z0-9_]+ = ", line) else line for line in text.splitlines()
    )
    data = tomllib.loads(uncommented)
    assert data["fetch"]["max_bytes"] == 10 * 1024 * 1024
    assert data["analyze"]["backend"] == "extractive"
