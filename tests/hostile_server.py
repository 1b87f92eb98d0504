"""A real local HTTP server with hostile behaviours, for testing clients without a network.

Routes are a dict path -> handler; a handler receives the live request handler and writes
the response itself, so anything can be simulated (stalls, drips, bombs, loops). Reuse:

    from hostile_server import serve, hostile_routes, page  # tests/ is on sys.path

    with serve({"/hello": page("<p>hi</p>")}) as base_url:
        ...  # base_url is "http://127.0.0.1:<port>"

    with HostileServer(hostile_routes()) as server:
        server.url("/gzip-bomb"); server.hits  # every request seen, in order

Everything listens on 127.0.0.1 only; nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[["RequestHandler"], None]

MIB = 1024 * 1024


@dataclass(frozen=True)
class Hit:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]


class RequestHandler(BaseHTTPRequestHandler):
    """Dispatches to the route of the path (query string ignored); 404 otherwise."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    @property
    def route_path(self) -> str:
        return self.path.split("?", 1)[0]

    def _dispatch(self) -> None:
        self.server.owner._record(self)
        handler = self.server.owner.routes.get(self.route_path, not_found)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            handler(self)

    do_GET = _dispatch
    do_HEAD = _dispatch
    do_POST = _dispatch

    def respond(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        content_type: str | None = "text/html; charset=utf-8",
    ) -> None:
        """Send a complete response with a Content-Length."""
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    @property
    def stopping(self) -> threading.Event:
        return self.server.owner.stopping


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: HostileServer


class HostileServer:
    """A ThreadingHTTPServer on 127.0.0.1:0 in a daemon thread, with a request log."""

    def __init__(self, routes: dict[str, Handler] | None = None) -> None:
        self.routes: dict[str, Handler] = dict(routes or {})
        self.hits: list[Hit] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), RequestHandler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def hits_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path.split("?", 1)[0] == path]

    def _record(self, handler: RequestHandler) -> None:
        hit = Hit(handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()})
        with self._lock:
            self.hits.append(hit)

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # wakes stalled handlers
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def serve(routes: dict[str, Handler] | None = None) -> Iterator[str]:
    """Run a server with `routes` for the block; yields its base URL."""
    with HostileServer(routes) as server:
        yield server.base_url


# -- handler factories ----------------------------------------------------------------------


def not_found(h: RequestHandler) -> None:
    h.respond(404, b"<h1>not found</h1>")


def page(
    body: str | bytes,
    status: int = 200,
    headers: dict[str, str] | None = None,
    content_type: str | None = "text/html; charset=utf-8",
) -> Handler:
    """A fixed response (utf-8 if `body` is text)."""
    data = body.encode("utf-8") if isinstance(body, str) else body

    def handler(h: RequestHandler) -> None:
        h.respond(status, data, headers, content_type)

    return handler


def status(code: int, headers: dict[str, str] | None = None) -> Handler:
    """An empty-ish response with just a status (and headers)."""
    return page(f"<h1>{code}</h1>", code, headers)


def redirect(location: str, code: int = 302) -> Handler:
    """A redirect; `location` may be relative or absolute."""
    return page(b"", code, {"Location": location})


def sequence(*handlers: Handler) -> Handler:
    """The first request gets handlers[0], the next handlers[1], ...; the last one repeats."""
    calls = iter(range(len(handlers)))
    lock = threading.Lock()

    def handler(h: RequestHandler) -> None:
        with lock:
            index = next(calls, len(handlers) - 1)
        handlers[index](h)

    return handler


def delayed(seconds: float, inner: Handler) -> Handler:
    """`inner`'s response, after `seconds` (woken early when the server stops)."""

    def handler(h: RequestHandler) -> None:
        h.stopping.wait(seconds)
        inner(h)

    return handler


def attribute_bomb(attributes: int = 400_000) -> bytes:
    """One tag with a huge number of attributes: lxml's parse time grows with their square."""
    attrs = " ".join(f'a{i}="x"' for i in range(attributes))
    return f"<html><body><div {attrs}><p>tiny</p></div></body></html>".encode()


def stall(seconds: float = 5.0) -> Handler:
    """Never answers within `seconds` (woken early when the server stops)."""

    def handler(h: RequestHandler) -> None:
        h.stopping.wait(seconds)

    return handler


def stall_body(seconds: float = 5.0) -> Handler:
    """Sends headers and a few bytes, then goes silent."""

    def handler(h: RequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "1000")
        h.end_headers()
        h.wfile.write(b"<html>")
        h.wfile.flush()
        h.stopping.wait(seconds)

    return handler


def drip(total: int = 200, every: float = 0.05) -> Handler:
    """A body sent one byte at a time: no single read times out, the whole takes forever."""

    def handler(h: RequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/plain")
        h.send_header("Content-Length", str(total))
        h.end_headers()
        for _ in range(total):
            if h.stopping.wait(every):
                return
            h.wfile.write(b"x")
            h.wfile.flush()

    return handler


def big(size: int = 50 * MIB, declare_length: bool = False, chunk: int = 64 * 1024) -> Handler:
    """A `size`-byte body streamed in chunks (never held whole in memory).

    Without a declared length the body runs until the connection closes, so a client
    can only notice the size by counting.
    """
    block = b"a" * chunk

    def handler(h: RequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/plain")
        if declare_length:
            h.send_header("Content-Length", str(size))
        else:
            h.send_header("Connection", "close")
            h.close_connection = True
        h.end_headers()
        sent = 0
        while sent < size and not h.stopping.is_set():
            piece = block[: min(chunk, size - sent)]
            h.wfile.write(piece)
            sent += len(piece)

    return handler


@functools.lru_cache(maxsize=4)
def bomb_blob(inflated: int = 100 * MIB, encoding: str = "gzip") -> bytes:
    """Zeros compressed 1000:1, built 1 MiB at a time (100 MiB gives about 100 KB)."""
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    comp = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(MIB)
    parts = [comp.compress(zeros) for _ in range(inflated // MIB)]
    parts.append(comp.compress(bytes(inflated % MIB)))
    parts.append(comp.flush())
    return b"".join(parts)


def compression_bomb(inflated: int = 100 * MIB, encoding: str = "gzip") -> Handler:
    """A small Content-Encoding: gzip (or deflate) body that inflates to `inflated` bytes."""
    blob = bomb_blob(inflated, encoding)  # built now, not while a client waits

    def handler(h: RequestHandler) -> None:
        h.respond(200, blob, {"Content-Encoding": encoding}, "text/html")

    return handler


def gzipped(body: str | bytes, content_type: str = "text/html; charset=utf-8") -> Handler:
    """An honest gzip-encoded page."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return page(gzip.compress(data), 200, {"Content-Encoding": "gzip"}, content_type)


def conditional(
    body: str | bytes, etag: str = '"v1"', last_modified: float = 1_700_000_000
) -> Handler:
    """A page with ETag and Last-Modified that answers 304 to a matching conditional GET."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    stamp = formatdate(last_modified, usegmt=True)
    validators = {"ETag": etag, "Last-Modified": stamp}

    def handler(h: RequestHandler) -> None:
        if h.headers.get("If-None-Match") == etag or (
            h.headers.get("If-None-Match") is None and h.headers.get("If-Modified-Since") == stamp
        ):
            h.send_response(304)
            for key, value in validators.items():
                h.send_header(key, value)
            h.end_headers()
            return
        h.respond(200, data, validators)

    return handler


def concurrency_probe(hold: float = 0.2) -> tuple[Handler, dict[str, int]]:
    """A page that holds each request `hold` seconds and records the peak in-flight count."""
    stats = {"now": 0, "peak": 0, "total": 0}
    lock = threading.Lock()

    def handler(h: RequestHandler) -> None:
        with lock:
            stats["now"] += 1
            stats["total"] += 1
            stats["peak"] = max(stats["peak"], stats["now"])
        try:
            h.stopping.wait(hold)
            h.respond(200, b"<p>probe</p>")
        finally:
            with lock:
                stats["now"] -= 1

    return handler, stats


HTML_PAGE = (
    "<!doctype html><html><head><title>A normal article</title></head><body>"
    "<article><h1>A normal article</h1><p>Solid-state batteries leave the lab.</p>"
    "</article></body></html>"
)
LATIN1_TEXT = "Café, crème brûlée et « guillemets » — déjà vu"
ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n\nUser-agent: techwatch\nDisallow: /no-bots/\n"


def hostile_routes() -> dict[str, Handler]:
    """The standard hostile set; copy and extend it with your own routes."""
    return {
        "/page": page(HTML_PAGE),
        "/gzipped": gzipped(HTML_PAGE),
        "/big": big(50 * MIB),
        "/big-declared": big(50 * MIB, declare_length=True),
        "/gzip-bomb": compression_bomb(100 * MIB, "gzip"),
        "/deflate-bomb": compression_bomb(100 * MIB, "deflate"),
        "/loop-a": redirect("/loop-b"),
        "/loop-b": redirect("/loop-a"),
        "/chain/1": redirect("/chain/2", 301),
        "/chain/2": redirect("/chain/3", 307),
        "/chain/3": redirect("/page", 308),
        "/stall": stall(5.0),
        "/stall-body": stall_body(5.0),
        "/drip": drip(200, 0.05),
        "/retry-after": sequence(status(429, {"Retry-After": "1"}), page(HTML_PAGE)),
        "/retry-after-long": status(429, {"Retry-After": "3600"}),
        "/unavailable": status(503),
        "/not-found": status(404),
        "/gone": status(410),
        "/unauthorized": status(401),
        "/forbidden": status(403),
        "/legal": status(451),
        "/robots.txt": page(ROBOTS_TXT, content_type="text/plain"),
        "/private/secret": page("<p>secret</p>"),
        "/no-bots/page": page("<p>not for techwatch</p>"),
        "/conditional": conditional(HTML_PAGE),
        "/latin1": page(
            f"<html><body><p>{LATIN1_TEXT}</p></body></html>".encode("windows-1252"),
            content_type="text/html; charset=windows-1252",
        ),
        "/to-private": redirect("http://10.0.0.1/admin"),
        "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-file": redirect("file:///etc/passwd"),
    }
