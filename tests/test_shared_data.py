"""The ../shared helper: a visible skip in a bare clone, a failure under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from conftest import TESTS


@pytest.mark.parametrize(("ci", "outcome"), [("", "skipped"), ("true", "failed")])
def test_missing_shared_data_skips_visibly_or_fails_in_ci(tmp_path, ci, outcome):
    test = tmp_path / "test_uses_shared.py"
    test.write_text(
        textwrap.dedent(
            """
            from conftest import require_shared

            def test_it():
                require_shared("no", "such", "corpus")
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "conftest.py").write_text(
        (TESTS / "conftest.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    env_ci = {"CI": ci} if ci else {}
    env = {k: v for k, v in os.environ.items() if k != "CI"} | env_ci
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", str(test)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert f"1 {outcome}" in proc.stdout, proc.stdout
    reason = "CI=true and the shared data is missing" if ci else "a bare clone has no ../shared"
    assert reason in proc.stdout
