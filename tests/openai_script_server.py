"""A loopback server that speaks OpenAI chat completions with SCRIPTED replies.

For the error paths a real model cannot be made to produce on demand: each POST
to /v1/chat/completions pops the next scripted reply; every request is recorded, and so
is the largest number of requests in flight at once (`max_in_flight`). Other paths
(`/tokenize`) answer 404 unless a `tokenizer` is given, and never consume the script.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    """One scripted HTTP reply."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (to observe overlap)


def completion(
    content: str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
    delay: float = 0.0,
) -> Scripted:
    """A 200 chat.completion reply."""
    return Scripted(
        delay=delay,
        body={
            "id": "chatcmpl-script",
            "object": "chat.completion",
            "created": 0,
            "model": "scripted",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish_reason,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        },
    )


def error(status: int, message: str = "scripted error", **headers: str) -> Scripted:
    """An OpenAI-style error reply; headers use underscores for dashes (retry_after=...)."""
    return Scripted(
        status=status,
        body={"error": {"message": message, "type": "scripted", "code": status}},
        headers={k.replace("_", "-"): v for k, v in headers.items()},
    )


class ScriptServer:
    """`with ScriptServer([...]) as server:` gives server.base_url and server.requests."""

    def __init__(
        self, script: list[Scripted], tokenizer: Callable[[str], list[int]] | None = None
    ) -> None:
        self.script = list(script)
        self.tokenizer = tokenizer
        self.requests: list[dict[str, Any]] = []
        self.other_requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def _next(self, body: dict[str, Any]) -> Scripted:
        with self._lock:
            self.requests.append(body)
            if not self.script:
                return error(500, "script exhausted")
            return self.script.pop(0)

    def _other(self, path: str, body: dict[str, Any]) -> Scripted:
        with self._lock:
            self.other_requests.append(body)
        if path == "/tokenize" and self.tokenizer is not None:
            return Scripted(body={"tokens": self.tokenizer(str(body.get("content", "")))})
        return Scripted(status=404, body={"error": {"message": "not found", "code": 404}})

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet tests
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                body["_path"] = self.path
                if not self.path.endswith("/chat/completions"):
                    reply = server._other(self.path, body)
                else:
                    server._enter()
                    try:
                        reply = server._next(body)
                        if reply.delay:
                            time.sleep(reply.delay)
                    finally:
                        server._leave()
                data = json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def __enter__(self) -> ScriptServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
