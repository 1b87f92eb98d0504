"""Shared fixtures: workspaces on real SQLite files, and the shared reference corpus."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
ROOT = TESTS.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(TESTS))  # test helper modules (servers) import as top-level modules

# Loopback only, no waiting: what every test workspace needs to fetch from 127.0.0.1. The
# guard stays on for everything else (allowed_networks, never allow_private).
TEST_OVERRIDES = {
    "fetch": {
        "allowed_networks": ["127.0.0.0/8", "::1/128"],
        "per_host_delay": 0.0,
        "timeout": 5.0,
        "retries": 1,
        "backoff": 0.01,
        "max_retry_after": 2.0,
    }
}


@pytest.fixture
def workspace(tmp_path):
    from techwatch.workspace import Workspace

    ws = Workspace.init(tmp_path / "ws", overrides=TEST_OVERRIDES)
    yield ws
    ws.close()


def require_shared(*parts: str) -> Path:
    """A path under ../shared (the reference corpus, never copied into the repository).

    Missing, the test is skipped with the reason shown (a bare clone has no ../shared),
    except under CI=true, where a missing corpus is a failure, not a silent skip.
    """
    path = SHARED.joinpath(*parts)
    empty_folder = path.is_dir() and not any(path.iterdir())
    if not path.exists() or empty_folder:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the shared data is missing: {path}")
        pytest.skip(f"shared data not found at {path} (a bare clone has no ../shared)")
    return path


@pytest.fixture(scope="session")
def corpus_pages() -> Path:
    return require_shared("corpus", "futures-pages")


@pytest.fixture(scope="session")
def seed_card() -> Path:
    return require_shared("reference", "seed-card.md")
