"""The polite client against a real local hostile server (loopback allowed explicitly)."""

from __future__ import annotations

import asyncio
import socket
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest

from hostile_server import (
    HTML_PAGE,
    LATIN1_TEXT,
    HostileServer,
    concurrency_probe,
    hostile_routes,
    page,
    sequence,
    status,
)
from techwatch.fetch import client as client_module
from techwatch.fetch import guard
from techwatch.fetch.cache import RawCache
from techwatch.fetch.client import (
    DEFAULT_USER_AGENT,
    Fetcher,
    FetchResult,
    FetchSettings,
    parse_content_type,
    parse_retry_after,
)

MIB = 1024 * 1024


def settings(**overrides: Any) -> FetchSettings:
    """Fast test settings: loopback only, tiny backoff, short timeouts, no delay."""
    base: dict[str, Any] = {
        "allowed_networks": ("127.0.0.1/32",),
        "connect_timeout": 1.0,
        "read_timeout": 0.5,
        "total_timeout": 1.5,
        "retries": 1,
        "backoff_base": 0.01,
        "per_host_delay": 0.0,
        "max_bytes": 1 * MIB,
    }
    base.update(overrides)
    return FetchSettings(**base)


def fetch_one(url: str, fetch_settings: FetchSettings) -> FetchResult:
    """One URL with its own client and event loop."""

    async def run() -> FetchResult:
        async with Fetcher(fetch_settings) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(run())


def fetch(url: str, **overrides: Any) -> FetchResult:
    return fetch_one(url, settings(**overrides))


def fetch_all(urls: list[str], **overrides: Any) -> list[FetchResult]:
    async def run() -> list[FetchResult]:
        async with Fetcher(settings(**overrides)) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(u) for u in urls)))

    return asyncio.run(run())


@pytest.fixture(scope="module")
def routes() -> dict[str, Any]:
    return hostile_routes()


@pytest.fixture
def server(routes: dict[str, Any]) -> Iterator[HostileServer]:
    with HostileServer(routes) as srv:
        yield srv


# -- normal pages -----------------------------------------------------------------------------


def test_normal_page(server: HostileServer) -> None:
    result = fetch(server.url("/page"))
    assert result.outcome == "ok" and result.status_code == 200
    assert result.content == HTML_PAGE.encode()
    assert (result.content_type, result.charset) == ("text/html", "utf-8")
    assert result.final_url == server.url("/page") and result.redirects == []
    assert result.attempts == 1 and not result.from_cache and result.elapsed > 0
    assert all(key == key.lower() for key in result.headers)
    assert server.hits_for("/page")[0].headers["user-agent"] == DEFAULT_USER_AGENT


def test_gzip_page_is_decoded(server: HostileServer) -> None:
    result = fetch(server.url("/gzipped"))
    assert result.outcome == "ok" and result.content == HTML_PAGE.encode()


def test_declared_charset_is_reported_and_bytes_are_untouched(server: HostileServer) -> None:
    result = fetch(server.url("/latin1"))
    assert result.charset == "windows-1252"
    assert result.content is not None and LATIN1_TEXT in result.content.decode("windows-1252")


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS])
def test_deflate_with_and_without_zlib_header(wbits: int) -> None:
    comp = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = comp.compress(HTML_PAGE.encode() * 50) + comp.flush()
    routes = {"/d": page(body, headers={"Content-Encoding": "deflate"})}
    with HostileServer(routes) as srv:
        result = fetch(srv.url("/d"), respect_robots=False)
    assert result.outcome == "ok" and result.content == HTML_PAGE.encode() * 50


def test_unknown_content_encoding_fails_cleanly() -> None:
    routes = {"/z": page(b"\x00\x01", headers={"Content-Encoding": "compress"})}
    with HostileServer(routes) as srv:
        result = fetch(srv.url("/z"), respect_robots=False)
    assert result.outcome == "failed" and "content-encoding" in result.reason


# -- size caps ----------------------------------------------------------------------------------


def test_streamed_50mb_without_length_is_cut_at_the_cap(server: HostileServer) -> None:
    started = time.monotonic()
    result = fetch(server.url("/big"))
    assert result.outcome == "too_long" and result.content is None
    assert "exceeds 1 MiB cap" in result.reason and result.status_code == 200
    assert time.monotonic() - started < 2


def test_declared_length_over_the_cap_is_refused_up_front(server: HostileServer) -> None:
    result = fetch(server.url("/big-declared"))
    assert result.outcome == "too_long" and "Content-Length" in result.reason


def test_default_cap_is_10_mib(server: HostileServer) -> None:
    result = fetch(server.url("/big"), max_bytes=FetchSettings().max_bytes)
    assert result.outcome == "too_long" and "10 MiB" in result.reason


@pytest.mark.parametrize("path", ["/gzip-bomb", "/deflate-bomb"])
def test_compression_bomb_is_cut_off_without_inflating_it(server: HostileServer, path: str) -> None:
    tracemalloc.start()
    try:
        result = fetch(server.url(path), max_bytes=2 * MIB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.outcome == "too_long", result.reason
    assert peak < 8 * MIB, f"peak {peak / MIB:.1f} MiB: the bomb was inflated"


# -- redirects ------------------------------------------------------------------------------


def test_redirect_chain_is_followed_and_recorded(server: HostileServer) -> None:
    result = fetch(server.url("/chain/1"))
    assert result.outcome == "ok" and result.final_url == server.url("/page")
    assert result.redirects == [server.url(p) for p in ("/chain/2", "/chain/3", "/page")]


def test_redirect_loop_is_detected(server: HostileServer) -> None:
    result = fetch(server.url("/loop-a"))
    assert result.outcome == "failed" and result.reason == "redirect loop"
    assert len(server.hits_for("/loop-a")) == 1


def test_too_many_redirects(server: HostileServer) -> None:
    result = fetch(server.url("/chain/1"), max_redirects=2)
    assert result.outcome == "failed" and "too many redirects" in result.reason
    assert not server.hits_for("/page")


def test_redirect_to_private_address_is_refused_before_connecting(
    server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    connected: list[str] = []
    real_connect = httpcore.AnyIOBackend.connect_tcp

    async def recording_connect(self: Any, host: str, port: int, *args: Any, **kw: Any) -> Any:
        connected.append(host)
        return await real_connect(self, host, port, *args, **kw)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", recording_connect)
    result = fetch(server.url("/to-private"))
    assert result.outcome == "blocked"
    assert result.reason == "private address 10.0.0.1 refused"
    assert result.final_url == "http://10.0.0.1/admin"
    assert connected and set(connected) == {"127.0.0.1"}  # never a socket to 10.0.0.1


def test_redirect_to_metadata_and_file_scheme(server: HostileServer) -> None:
    assert fetch(server.url("/to-metadata")).outcome == "blocked"
    result = fetch(server.url("/to-file"))
    assert result.outcome == "failed" and "scheme" in result.reason


# -- timeouts -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/stall", "/stall-body"])
def test_stalling_server_times_out(server: HostileServer, path: str) -> None:
    started = time.monotonic()
    result = fetch(server.url(path), retries=0)
    assert result.outcome == "failed" and "timeout" in result.reason
    assert time.monotonic() - started < 1.5


def test_slow_drip_hits_the_total_deadline(server: HostileServer) -> None:
    started = time.monotonic()
    result = fetch(server.url("/drip"), retries=0, total_timeout=0.8)
    assert result.outcome == "failed" and result.reason == "timeout after 0.8s"
    assert time.monotonic() - started < 1.5


# -- retries --------------------------------------------------------------------------------


def test_429_retry_after_is_honoured(server: HostileServer) -> None:
    started = time.monotonic()
    result = fetch(server.url("/retry-after"))
    assert result.outcome == "ok" and result.attempts == 2
    assert time.monotonic() - started >= 0.95


def test_retry_after_beyond_the_cap_gives_up(server: HostileServer) -> None:
    result = fetch(server.url("/retry-after-long"), retries=3)
    assert result.outcome == "failed" and "exceeds the 60s cap" in result.reason
    assert result.attempts == 1


def test_503_is_retried_then_failed(server: HostileServer) -> None:
    result = fetch(server.url("/unavailable"), retries=2)
    assert result.outcome == "failed" and result.reason == "HTTP 503"
    assert result.attempts == 3 and len(server.hits_for("/unavailable")) == 3


def test_connection_refused_is_retried_then_failed() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = fetch(f"http://127.0.0.1:{port}/", retries=2, respect_robots=False)
    assert result.outcome == "failed" and "connection error" in result.reason
    assert result.attempts == 3


def test_backoff_grows_and_is_capped() -> None:
    fetcher = Fetcher(FetchSettings(backoff_base=1.0, backoff_max=5.0))
    assert 1.0 <= fetcher._backoff(1) <= 2.0
    assert 4.0 <= fetcher._backoff(3) <= 5.0
    assert fetcher._backoff(10) == 5.0


# -- status mapping ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "outcome", "code"),
    [
        ("/not-found", "dead", 404),
        ("/gone", "dead", 410),
        ("/unauthorized", "blocked", 401),
        ("/forbidden", "blocked", 403),
        ("/legal", "blocked", 451),
    ],
)
def test_status_mapping(server: HostileServer, path: str, outcome: str, code: int) -> None:
    result = fetch(server.url(path))
    assert (result.outcome, result.status_code, result.reason) == (outcome, code, f"HTTP {code}")
    assert result.content is None


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/", "http://", "http://[::1"])
def test_bad_urls_never_raise(url: str) -> None:
    result = fetch(url)
    assert result.outcome == "failed" and result.reason


def test_dns_failure_is_dead(monkeypatch: pytest.MonkeyPatch) -> None:
    def nxdomain(*args: object, **kw: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(guard.socket, "getaddrinfo", nxdomain)
    result = fetch("http://no-such-host.example/")
    assert result.outcome == "dead" and result.reason.startswith("DNS failure")


# -- private-address guard -------------------------------------------------------------------


def test_default_settings_refuse_loopback(server: HostileServer) -> None:
    result = fetch_one(server.url("/page"), FetchSettings())
    assert result.outcome == "blocked" and result.reason == "private address 127.0.0.1 refused"
    assert server.hits == []


def test_connect_time_guard_catches_a_changed_dns_answer(
    server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the pre-check is fooled (DNS rebinding), the pinned connect still refuses."""

    async def fooled(*args: object, **kw: object) -> None:
        return None

    monkeypatch.setattr(client_module.guard, "inspect_url_async", fooled)
    result = fetch_one(server.url("/page"), FetchSettings(respect_robots=False, retries=0))
    assert result.outcome == "blocked" and "127.0.0.1 refused" in result.reason
    assert server.hits == []


def test_guard_that_cannot_be_installed_refuses_to_build_a_client(
    server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If httpx's internals change, the connect-time guard must not silently disappear."""

    class ChangedTransport(httpx.AsyncHTTPTransport):
        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self._pool = object()  # a pool without `_network_backend`

    monkeypatch.setattr(client_module.httpx, "AsyncHTTPTransport", ChangedTransport)

    async def build() -> None:
        async with Fetcher(settings()) as fetcher:
            await fetcher.fetch(server.url("/page"))

    with pytest.raises(guard.GuardUnavailable, match="address guard"):
        asyncio.run(build())
    assert server.hits == []


# -- robots.txt -----------------------------------------------------------------------------


def test_robots_disallow_blocks_without_fetching(server: HostileServer) -> None:
    result = fetch(server.url("/no-bots/page"))
    assert result.outcome == "blocked" and result.reason == "robots.txt disallows"
    assert not server.hits_for("/no-bots/page")


def test_robots_group_for_our_token_wins_over_star(server: HostileServer) -> None:
    # "User-agent: techwatch" has its own group, so the "*" group's /private/ does not apply.
    assert fetch(server.url("/private/secret")).outcome == "ok"


def test_robots_is_fetched_once_per_host(server: HostileServer) -> None:
    results = fetch_all([server.url(p) for p in ("/page", "/gzipped", "/latin1", "/page")])
    assert [r.outcome for r in results] == ["ok"] * 4
    assert len(server.hits_for("/robots.txt")) == 1


def test_respect_robots_false_skips_it(server: HostileServer) -> None:
    assert fetch(server.url("/no-bots/page"), respect_robots=False).outcome == "ok"
    assert not server.hits_for("/robots.txt")


def test_robots_4xx_allows_all() -> None:
    with HostileServer({"/a": page("<p>a</p>")}) as srv:  # robots.txt -> 404
        assert fetch(srv.url("/a")).outcome == "ok"


def test_robots_5xx_disallows_all() -> None:
    with HostileServer({"/robots.txt": status(503), "/a": page("<p>a</p>")}) as srv:
        result = fetch(srv.url("/a"), retries=0)
        assert result.outcome == "blocked" and result.reason == "robots.txt unreachable"
        assert not srv.hits_for("/a")


def test_robots_crawl_delay_spaces_requests() -> None:
    robots = "User-agent: *\nCrawl-delay: 0.4\n"
    routes = {"/robots.txt": page(robots, content_type="text/plain"), "/a": page("a")}
    with HostileServer(routes) as srv:
        started = time.monotonic()
        results = fetch_all([srv.url("/a")] * 3)
        assert all(r.outcome == "ok" for r in results)
        assert time.monotonic() - started >= 0.8


# -- politeness -----------------------------------------------------------------------------


def test_per_host_concurrency_is_capped() -> None:
    probe, stats = concurrency_probe(0.2)
    with HostileServer({"/slow": probe}) as srv:
        results = fetch_all([srv.url(f"/slow?{i}") for i in range(6)], per_host_concurrency=2)
    assert all(r.outcome == "ok" for r in results)
    assert stats["total"] == 6 and stats["peak"] == 2


def test_global_concurrency_is_capped() -> None:
    probe, stats = concurrency_probe(0.1)
    with HostileServer({"/slow": probe}) as srv:
        fetch_all([srv.url(f"/slow?{i}") for i in range(4)], global_concurrency=1)
    assert stats["total"] == 4 and stats["peak"] == 1


def test_per_host_delay_spaces_requests(server: HostileServer) -> None:
    started = time.monotonic()
    results = fetch_all([server.url("/page")] * 4, per_host_delay=0.2, respect_robots=False)
    assert all(r.outcome == "ok" for r in results)
    assert time.monotonic() - started >= 0.6


# -- conditional GET ------------------------------------------------------------------------


def test_conditional_get_with_etag_and_last_modified(server: HostileServer) -> None:
    first = fetch(server.url("/conditional"))
    assert first.outcome == "ok" and first.etag == '"v1"' and first.last_modified
    assert fetch(server.url("/conditional")).outcome == "ok"  # no validators sent

    async def conditional(**kw: str) -> FetchResult:
        async with Fetcher(settings()) as fetcher:
            return await fetcher.fetch(server.url("/conditional"), **kw)

    by_etag = asyncio.run(conditional(etag='"v1"'))
    assert by_etag.outcome == "not_modified" and by_etag.status_code == 304
    assert by_etag.content is None
    by_date = asyncio.run(conditional(last_modified=first.last_modified or ""))
    assert by_date.outcome == "not_modified"
    stale = asyncio.run(conditional(etag='"v0"'))
    assert stale.outcome == "ok"
    sent = [h.headers for h in server.hits_for("/conditional")]
    assert sent[2]["if-none-match"] == '"v1"'
    assert sent[3]["if-modified-since"] == first.last_modified


# -- helpers ----------------------------------------------------------------------------------


def test_parse_retry_after() -> None:
    assert parse_retry_after("120") == 120.0
    now = 1_700_000_000.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.parametrize("value", ["²", "1.5", "-1", "9" * 400, "Mon, 01 Jan 99999 00:00:00 GMT"])
def test_malformed_retry_after_is_ignored(value: str) -> None:
    assert parse_retry_after(value) is None


def test_malformed_retry_after_backs_off_instead_of_failing() -> None:
    """A Retry-After of "²" (str.isdigit() says yes, float() says no) once failed the article."""
    routes = {"/busy": sequence(status(503, {"Retry-After": "²"}), page(HTML_PAGE))}
    with HostileServer(routes) as srv:
        result = fetch(srv.url("/busy"), respect_robots=False)
    assert result.outcome == "ok" and result.attempts == 2, result.reason


def test_parse_content_type() -> None:
    assert parse_content_type('Text/HTML; Charset="ISO-8859-1"') == ("text/html", "iso-8859-1")
    assert parse_content_type("application/json") == ("application/json", None)
    assert parse_content_type(None) == (None, None)


# -- raw cache ------------------------------------------------------------------------------


def test_cache_round_trip_with_redirect_alias(server: HostileServer, tmp_path: Path) -> None:
    cache = RawCache(tmp_path)
    result = fetch(server.url("/chain/1"))
    assert cache.put(result)
    for url in (server.url("/chain/1"), server.url("/page")):
        hit = cache.get(url)
        assert hit is not None and hit.from_cache and hit.content == HTML_PAGE.encode()
        assert hit.final_url == server.url("/page") and hit.charset == "utf-8"
        assert cache.has(url)
    assert not cache.has(server.url("/other"))
    meta_files = list(tmp_path.rglob("*.json"))
    assert len(meta_files) == 2 and not list(tmp_path.rglob(".tmp-*"))
    assert all(len(p.relative_to(tmp_path).parts) == 3 for p in meta_files)  # ab/cd/<key>


def test_cache_ignores_failures_and_torn_entries(server: HostileServer, tmp_path: Path) -> None:
    cache = RawCache(tmp_path)
    assert not cache.put(fetch(server.url("/not-found")))
    assert list(tmp_path.rglob("*")) == []
    result = fetch(server.url("/page"))
    cache.put(result)
    body = next(tmp_path.rglob("*.body"))
    body.write_bytes(b"half a new body")  # as if killed between the two renames
    assert cache.get(server.url("/page")) is None
    meta = next(tmp_path.rglob("*.json"))
    meta.write_text("{not json")
    assert cache.get(server.url("/page")) is None
