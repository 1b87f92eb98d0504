"""Shared fixtures: workspaces on real SQLite files, and the shared reference corpus."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
ROOT = TESTS.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(TESTS))  # test helper modules (servers) import as top-level modules

# Loopback only, no waiting: what every test workspace needs to fetch from 127.0.0.1.
TEST_OVERRIDES = {
    "fetch": {
        "allow_private": True,
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


@pytest.fixture(scope="session")
def corpus_pages() -> Path:
    folder = SHARED / "corpus" / "futures-pages"
    if not folder.is_dir():
        pytest.skip("the shared reference corpus is not present")
    return folder


@pytest.fixture(scope="session")
def seed_card() -> Path:
    path = SHARED / "reference" / "seed-card.md"
    if not path.is_file():
        pytest.skip("the shared reference card is not present")
    return path
