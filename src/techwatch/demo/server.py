"""A local HTTP server for the demo site, bound to 127.0.0.1 only.

One server plays two sites: the newsletter is linked as `http://localhost:PORT` and the
articles as `http://127.0.0.1:PORT`. When it serves text, the server replaces the
`{{NEWSLETTER}}` / `{{ARTICLES}}` placeholders written by `write_demo_site`, so the files
on disk do not depend on the port. It supports HEAD, ETag / Last-Modified with 304s,
the newsletter's `/redirect/<token>` click-tracking 302s, and refuses path traversal.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import posixpath
import threading
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from techwatch.demo.corpus import ARTICLES_BASE, NEWSLETTER, ROUTES_FILE, write_demo_site

CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".css": "text/css; charset=utf-8",
}
_TEXTUAL = ("text/", "application/rss+xml", "application/json")


def _safe_relative(url_path: str) -> str | None:
    """The request path as a relative file path, or None if it tries to leave the root."""
    path = unquote(url_path.split("?", 1)[0].split("#", 1)[0])
    if "\x00" in path or "\\" in path:
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    if any(p.startswith((".", "_")) for p in parts):  # hidden files and _routes.json
        return None
    return posixpath.join(*parts) if parts else ""


class _Handler(BaseHTTPRequestHandler):
    server: _DemoHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "TechwatchDemo/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet by default; the demo server is used in tests."""
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        demo = self.server.demo
        relative = _safe_relative(self.path)
        if relative is None:
            return self._plain(HTTPStatus.NOT_FOUND, "not found", send_body)
        url_path = "/" + relative
        target = demo.redirects.get(url_path)
        if target is not None:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", demo.substitute_text(target))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        file = demo.resolve(relative)
        if file is None:
            return self._plain(HTTPStatus.NOT_FOUND, "not found", send_body)
        content_type = demo.content_types.get(url_path) or CONTENT_TYPES.get(
            file.suffix, "application/octet-stream"
        )
        data = file.read_bytes()
        if content_type.startswith(_TEXTUAL) and url_path not in demo.raw:
            data = demo.substitute(data)
        etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
        mtime = int(file.stat().st_mtime)
        if self._not_modified(etag, mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
            self.end_headers()
            return None
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        self.end_headers()
        if send_body:
            self.wfile.write(data)
        return None

    def _not_modified(self, etag: str, mtime: int) -> bool:
        """RFC 9110: If-None-Match wins over If-Modified-Since when both are present."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {t.strip() for t in if_none_match.split(",")}
            return "*" in tags or etag in tags or f"W/{etag}" in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return mtime <= int(parsedate_to_datetime(since).timestamp())
            except (TypeError, ValueError):
                return False
        return False

    def _plain(self, status: HTTPStatus, text: str, send_body: bool) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class _DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    demo: DemoServer
    verbose: bool = False


class DemoServer:
    """Serve a directory written by `write_demo_site` on loopback; a context manager."""

    def __init__(
        self, root: Path, host: str = "127.0.0.1", port: int = 0, verbose: bool = False
    ) -> None:
        if host != "127.0.0.1":
            raise ValueError("the demo server binds 127.0.0.1 only")
        self.root = Path(root).resolve()
        self.host = host
        self.requested_port = port
        self.verbose = verbose
        self.redirects: dict[str, str] = {}
        self.content_types: dict[str, str] = {}
        self.raw: set[str] = set()
        self._httpd: _DemoHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- URLs -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The articles base URL (http://127.0.0.1:PORT)."""
        return self.articles_base

    @property
    def articles_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def newsletter_base(self) -> str:
        return f"http://localhost:{self.port}"

    # -- content ----------------------------------------------------------------------
    def substitute(self, data: bytes) -> bytes:
        """Replace the base-URL placeholders in served bytes (ASCII, so any charset)."""
        return data.replace(NEWSLETTER.encode(), self.newsletter_base.encode()).replace(
            ARTICLES_BASE.encode(), self.articles_base.encode()
        )

    def substitute_text(self, text: str) -> str:
        return self.substitute(text.encode()).decode()

    def resolve(self, relative: str) -> Path | None:
        """The file for a safe relative path; never outside root, never a listing."""
        candidates = [self.root / relative] if relative else []
        if relative:
            candidates.append(self.root / (relative + ".html"))
        candidates.append(self.root / relative / "index.html")
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved.is_file() and resolved.is_relative_to(self.root):
                return resolved
        return None

    def _load_routes(self) -> None:
        routes_file = self.root / ROUTES_FILE
        routes = json.loads(routes_file.read_text("utf-8")) if routes_file.is_file() else {}
        self.redirects = dict(routes.get("redirects", {}))
        self.content_types = dict(routes.get("content_types", {}))
        self.raw = set(routes.get("raw", []))

    # -- lifecycle --------------------------------------------------------------------
    def start(self) -> DemoServer:
        if self._httpd is not None:
            return self
        self._load_routes()
        httpd = _DemoHTTPServer((self.host, self.requested_port), _Handler)
        httpd.demo = self
        httpd.verbose = self.verbose
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, name="techwatch-demo-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """`python -m techwatch.demo.server ROOT`: write the site if needed, then serve it."""
    parser = argparse.ArgumentParser(description="Serve the techwatch demo site on loopback.")
    parser.add_argument("root", type=Path)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    if not (args.root / ROUTES_FILE).is_file():
        write_demo_site(args.root)
    server = DemoServer(args.root, port=args.port, verbose=True).start()
    print(f"newsletter: {server.newsletter_base}/archive")
    print(f"articles:   {server.articles_base}/feed.xml")
    print("Ctrl-C to stop.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
