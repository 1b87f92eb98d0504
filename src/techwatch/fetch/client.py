"""The polite HTTP client: one URL in, one FetchResult out, never an exception.

Polite: robots.txt, a per-host concurrency cap and minimum delay, honest retries that
honour Retry-After, a User-Agent that says who we are. Defensive: explicit connect /
read / total timeouts (a server that drips bytes still ends), a byte cap counted on the
DECODED body (a gzip bomb is cut off after max_bytes, never inflated whole), redirects
followed by hand so that every hop passes the private-address guard.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import math
import random
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpx

from techwatch.config import USER_AGENT, FetchConfig
from techwatch.fetch import guard
from techwatch.fetch.robots import ROBOTS_MAX_BYTES, RobotsCache, RobotsResponse

Outcome = Literal["ok", "not_modified", "blocked", "dead", "failed", "too_long"]

DEFAULT_USER_AGENT = USER_AGENT
# The client's defaults are those of the settings (`[fetch]` in techwatch.toml), mapped once.
_DEFAULTS = FetchConfig()
CONNECT_TIMEOUT_CAP = 10.0
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
BLOCKED_STATUSES = frozenset({401, 403, 451})
DEAD_STATUSES = frozenset({404, 410})
_CHUNK = 64 * 1024


@dataclass
class FetchSettings:
    """Every knob of the client; the defaults are the polite ones."""

    connect_timeout: float = min(_DEFAULTS.timeout, CONNECT_TIMEOUT_CAP)
    read_timeout: float = _DEFAULTS.timeout
    # one request, connect to last byte: ends slow drips
    total_timeout: float = _DEFAULTS.timeout * 2
    max_bytes: int = _DEFAULTS.max_bytes
    retries: int = _DEFAULTS.retries  # retries after the first attempt
    # seconds; doubles each retry, plus up to as much jitter
    backoff_base: float = _DEFAULTS.backoff
    backoff_max: float = 30.0
    max_retry_after: float = _DEFAULTS.max_retry_after
    per_host_concurrency: int = _DEFAULTS.per_host_concurrency
    per_host_delay: float = _DEFAULTS.per_host_delay
    global_concurrency: int = _DEFAULTS.concurrency
    max_redirects: int = _DEFAULTS.max_redirects
    respect_robots: bool = _DEFAULTS.respect_robots
    allow_private: bool = _DEFAULTS.allow_private
    allowed_networks: tuple[str, ...] = ()  # e.g. ("127.0.0.1/32",): loopback only
    user_agent: str = DEFAULT_USER_AGENT
    robots_token: str = "techwatch"

    @classmethod
    def from_config(cls, cfg: FetchConfig) -> FetchSettings:
        """The one mapping from `[fetch]` settings to the client's knobs."""
        return cls(
            connect_timeout=min(cfg.timeout, CONNECT_TIMEOUT_CAP),
            read_timeout=cfg.timeout,
            total_timeout=cfg.timeout * 2,
            max_bytes=cfg.max_bytes,
            retries=cfg.retries,
            backoff_base=cfg.backoff,
            max_retry_after=cfg.max_retry_after,
            global_concurrency=cfg.concurrency,
            per_host_concurrency=cfg.per_host_concurrency,
            per_host_delay=cfg.per_host_delay,
            max_redirects=cfg.max_redirects,
            respect_robots=cfg.respect_robots,
            allow_private=cfg.allow_private,
            allowed_networks=tuple(cfg.allowed_networks),
            user_agent=cfg.user_agent,
        )


@dataclass
class FetchResult:
    """What happened to one URL. `outcome` is the machine-readable part, `reason` the human one."""

    url: str
    final_url: str | None = None
    status_code: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    content_type: str | None = None
    charset: str | None = None
    outcome: Outcome = "failed"
    reason: str = ""
    redirects: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    attempts: int = 0
    from_cache: bool = False
    fetched_at: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """("text/html", "utf-8") from 'text/html; charset="UTF-8"'; Nones when absent."""
    if not value:
        return None, None
    media, _, params = value.partition(";")
    media = media.strip().lower() or None
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").strip().lower() or None
    return media, charset


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if unreadable.

    Only ASCII digits count ("²".isdigit() is true, float("²") raises): a malformed value
    means "back off as usual", never a failed article.
    """
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        seconds = float(value)
        return seconds if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.now(UTC).timestamp() if now is None else now
    return max(0.0, when.timestamp() - current)


class _BoundedDecoder:
    """Content-Encoding decoding that never yields more than 64 KiB per step.

    zlib's max_length keeps the unconsumed input aside, so a 100 KB gzip bomb that
    inflates to 100 MB costs only as much memory as the caller keeps before it stops.
    """

    def __init__(self, encodings: list[str]) -> None:
        # Applied in reverse order of the header ("gzip, br" means br last applied).
        self._stages = [self._make(e) for e in reversed(encodings)]

    @staticmethod
    def _make(encoding: str) -> Any:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return _Deflate()
        raise ValueError(f"unsupported content-encoding {encoding!r}")

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield from self._run(0, data)

    def flush(self) -> Iterator[bytes]:
        yield from self._run(0, b"", final=True)

    def _run(self, index: int, data: bytes, final: bool = False) -> Iterator[bytes]:
        if index == len(self._stages):
            if data:
                yield data
            return
        stage = self._stages[index]
        pending = data
        while True:
            if stage.eof:
                break
            out = stage.decompress(pending, _CHUNK)
            pending = stage.unconsumed_tail
            if out:
                yield from self._run(index + 1, out)
            if not pending and len(out) < _CHUNK:
                break
        if final:
            tail = b"" if stage.eof else stage.flush()
            yield from self._run(index + 1, tail, final=True)


class _Deflate:
    """Deflate as servers really send it: zlib-wrapped, or raw (decided on the first bytes)."""

    def __init__(self) -> None:
        self._obj = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header
        self._started = False

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if not self._started and data:
            self._started = True
            try:
                return self._obj.decompress(data, max_length)
            except zlib.error:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no header
        return self._obj.decompress(data, max_length)

    @property
    def eof(self) -> bool:
        return self._obj.eof

    @property
    def unconsumed_tail(self) -> bytes:
        return self._obj.unconsumed_tail

    def flush(self) -> bytes:
        return self._obj.flush()


def _encodings(headers: httpx.Headers) -> list[str]:
    value = headers.get("content-encoding", "")
    return [e.strip().lower() for e in value.split(",") if e.strip() and e.strip() != "identity"]


class _HostGate:
    """Per-host concurrency and minimum delay between request starts."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self.semaphore = asyncio.Semaphore(max(1, concurrency))
        self.lock = asyncio.Lock()
        self.delay = delay
        self.next_start = 0.0


class _Attempt(Exception):
    """One failed attempt: the outcome it maps to and whether retrying may help."""

    def __init__(
        self,
        outcome: Outcome,
        reason: str,
        retry: bool = False,
        wait: float | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(reason)
        self.outcome: Outcome = outcome
        self.reason = reason
        self.retry = retry
        self.wait = wait
        self.response = response  # set when the failure came after the headers (too_long)


@dataclass
class _Hop:
    status: int
    headers: httpx.Headers
    content: bytes | None


class Fetcher:
    """An async polite client; use as `async with Fetcher(settings) as f: await f.fetch(url)`."""

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self._client: httpx.AsyncClient | None = None
        self._global = asyncio.Semaphore(max(1, self.settings.global_concurrency))
        self._hosts: dict[str, _HostGate] = {}
        self._robots = RobotsCache(self._get_robots, token=self.settings.robots_token)

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        timeout = httpx.Timeout(
            connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=None
        )
        limits = httpx.Limits(
            max_connections=max(1, s.global_concurrency),
            max_keepalive_connections=max(1, s.global_concurrency),
        )
        transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
        # Pin each connection to a guard-checked address; raises rather than fetch without.
        guard.install(transport, s.allow_private, s.allowed_networks)
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={
                "User-Agent": s.user_agent,
                "Accept-Encoding": "gzip, deflate",
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            },
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- public -------------------------------------------------------------------------

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Fetch one URL politely; conditional GET when `etag` / `last_modified` are given."""
        started = time.monotonic()
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        result = FetchResult(url=url)
        try:
            await self._follow(url, result, headers, self.settings.max_redirects)
        except Exception as exc:  # a bug must not kill a batch of thousands of URLs
            result.outcome, result.reason = "failed", f"internal error: {exc!r}"
        result.elapsed = time.monotonic() - started
        result.fetched_at = datetime.now(UTC).isoformat()
        return result

    # -- redirects, guard, robots ---------------------------------------------------------

    async def _follow(
        self,
        url: str,
        result: FetchResult,
        headers: dict[str, str],
        max_redirects: int,
        *,
        max_bytes: int | None = None,
        truncate: bool = False,
        check_robots: bool = True,
    ) -> None:
        """Follow redirects by hand: every hop is guarded, robots-checked and rate-limited."""
        current = url
        seen = {url}
        while True:
            result.final_url = current
            verdict = await guard.inspect_url_async(
                current, self.settings.allow_private, self.settings.allowed_networks
            )
            if verdict is not None:
                result.outcome, result.reason = verdict.kind, verdict.reason
                return
            if check_robots and self.settings.respect_robots:
                rules = await self._robots.rules_for(current)
                delay = rules.crawl_delay(self.settings.robots_token)
                gate = self._gate(current)
                if delay is not None and delay > gate.delay:
                    gate.delay = delay
                refused = rules.disallowed(current, self.settings.robots_token)
                if refused:
                    result.outcome, result.reason = rules.outcome, refused  # type: ignore[assignment]
                    return
            try:
                hop = await self._with_retries(
                    current, headers, max_bytes or self.settings.max_bytes, truncate, result
                )
            except _Attempt as failure:
                result.outcome, result.reason = failure.outcome, failure.reason
                if failure.response is not None:
                    result.status_code = failure.response.status_code
                    result.headers = _plain_headers(failure.response.headers)
                    result.content_type, result.charset = parse_content_type(
                        failure.response.headers.get("content-type")
                    )
                return
            result.status_code = hop.status
            result.headers = _plain_headers(hop.headers)
            if hop.status in REDIRECT_STATUSES:
                location = hop.headers.get("location")
                if not location:
                    result.outcome, result.reason = "failed", f"HTTP {hop.status} without Location"
                    return
                target = _absolute(current, location)
                if target in seen:
                    result.outcome, result.reason = "failed", "redirect loop"
                    return
                if len(result.redirects) >= max_redirects:
                    result.outcome = "failed"
                    result.reason = f"too many redirects (more than {max_redirects})"
                    return
                result.redirects.append(target)
                seen.add(target)
                current = target
                continue
            self._finish(result, hop)
            return

    def _finish(self, result: FetchResult, hop: _Hop) -> None:
        status = hop.status
        result.content_type, result.charset = parse_content_type(hop.headers.get("content-type"))
        if 200 <= status < 300:
            result.outcome, result.reason = "ok", f"HTTP {status}"
            result.content = hop.content if hop.content is not None else b""
        elif status == 304:
            result.outcome, result.reason = "not_modified", "HTTP 304"
        elif status in BLOCKED_STATUSES:
            result.outcome, result.reason = "blocked", f"HTTP {status}"
        elif status in DEAD_STATUSES:
            result.outcome, result.reason = "dead", f"HTTP {status}"
        else:
            result.outcome, result.reason = "failed", f"HTTP {status}"

    async def _get_robots(self, robots_url: str) -> RobotsResponse:
        """Fetch a robots.txt with the same client and guard, without a robots check."""
        result = FetchResult(url=robots_url)
        await self._follow(
            robots_url, result, {}, 5, max_bytes=ROBOTS_MAX_BYTES, truncate=True, check_robots=False
        )
        if result.status_code in REDIRECT_STATUSES:  # RFC 9309: too many redirects = unavailable
            return RobotsResponse(status_code=404)
        failure = None if result.status_code is not None else (result.outcome, result.reason)
        return RobotsResponse(
            status_code=result.status_code, content=result.content, failure=failure
        )

    # -- one hop, with retries -------------------------------------------------------------

    def _gate(self, url: str) -> _HostGate:
        host = (urlsplit(url).hostname or "").lower()
        gate = self._hosts.get(host)
        if gate is None:
            gate = _HostGate(self.settings.per_host_concurrency, self.settings.per_host_delay)
            self._hosts[host] = gate
        return gate

    @contextlib.asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        gate = self._gate(url)
        async with gate.semaphore:
            async with gate.lock:
                wait = gate.next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                gate.next_start = time.monotonic() + gate.delay
            async with self._global:
                yield

    def _backoff(self, retry: int) -> float:
        base = self.settings.backoff_base * (2 ** (retry - 1))
        return min(self.settings.backoff_max, base + random.uniform(0, self.settings.backoff_base))

    async def _with_retries(
        self,
        url: str,
        headers: dict[str, str],
        max_bytes: int,
        truncate: bool,
        result: FetchResult,
    ) -> _Hop:
        retries = max(0, self.settings.retries)
        for attempt in range(retries + 1):
            result.attempts += 1
            try:
                async with self._slot(url):
                    hop = await self._send(url, headers, max_bytes, truncate)
            except _Attempt as failure:
                if not failure.retry or attempt == retries:
                    raise
                wait = failure.wait
            else:
                if hop.status not in RETRY_STATUSES:
                    return hop
                wait = parse_retry_after(hop.headers.get("retry-after"))
                if wait is not None and wait > self.settings.max_retry_after:
                    raise _Attempt(
                        "failed",
                        f"HTTP {hop.status}, Retry-After {wait:.0f}s exceeds the "
                        f"{self.settings.max_retry_after:.0f}s cap",
                    )
                if attempt == retries:
                    return hop
            await asyncio.sleep(max(wait or 0.0, self._backoff(attempt + 1)))
        raise AssertionError("unreachable")

    async def _send(
        self, url: str, headers: dict[str, str], max_bytes: int, truncate: bool
    ) -> _Hop:
        assert self._client is not None, "use Fetcher as an async context manager"
        total = self.settings.total_timeout
        try:
            async with asyncio.timeout(total):
                request = self._client.build_request("GET", url, headers=headers)
                response = await self._client.send(request, stream=True)
                try:
                    content = None
                    if 200 <= response.status_code < 300:
                        content = await self._read_capped(response, max_bytes, truncate)
                    return _Hop(response.status_code, response.headers, content)
                finally:
                    await response.aclose()
        except _Attempt:
            raise
        except TimeoutError as exc:
            raise _Attempt("failed", f"timeout after {total:g}s", retry=True) from exc
        except httpx.TimeoutException as exc:
            kind = "connect" if isinstance(exc, httpx.ConnectTimeout) else "read"
            limit = (
                self.settings.connect_timeout if kind == "connect" else self.settings.read_timeout
            )
            raise _Attempt("failed", f"{kind} timeout after {limit:g}s", retry=True) from exc
        except httpx.ConnectError as exc:
            cause = exc.__cause__
            if isinstance(cause, guard.GuardRefused):
                raise _Attempt(cause.verdict.kind, cause.verdict.reason) from exc
            if _is_tls_error(exc):
                raise _Attempt("failed", f"TLS error: {exc}") from exc
            raise _Attempt("failed", f"connection error: {exc or 'refused'}", retry=True) from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise _Attempt("failed", f"connection error: {exc}", retry=True) from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
            raise _Attempt("failed", f"invalid URL: {exc}") from exc
        except httpx.HTTPError as exc:
            raise _Attempt("failed", f"HTTP error: {exc}") from exc

    @staticmethod
    async def _read_capped(response: httpx.Response, max_bytes: int, truncate: bool) -> bytes:
        """Read the decoded body, stopping as soon as it passes `max_bytes`.

        With `truncate`, the first `max_bytes` are returned instead of a too_long failure.
        """
        cap = _describe_bytes(max_bytes)
        declared = response.headers.get("content-length", "")
        if not truncate and declared.strip().isdigit() and int(declared) > max_bytes:
            raise _Attempt(
                "too_long",
                f"response exceeds {cap} cap (Content-Length {declared})",
                response=response,
            )
        try:
            decoder = _BoundedDecoder(_encodings(response.headers))
        except ValueError as exc:
            raise _Attempt("failed", str(exc), response=response) from exc
        parts: list[bytes] = []
        size = 0

        def take(chunks: Iterator[bytes]) -> bool:
            nonlocal size
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    if truncate:
                        parts.append(chunk[: len(chunk) - (size - max_bytes)])
                        return False
                    raise _Attempt("too_long", f"response exceeds {cap} cap", response=response)
                parts.append(chunk)
            return True

        try:
            async for raw in response.aiter_raw():
                if not take(decoder.feed(raw)):
                    return b"".join(parts)
            take(decoder.flush())
        except zlib.error as exc:
            raise _Attempt(
                "failed", f"corrupt {response.headers.get('content-encoding')} body"
            ) from exc
        return b"".join(parts)


def _describe_bytes(n: int) -> str:
    if n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


def _plain_headers(headers: httpx.Headers) -> dict[str, str]:
    """Lower-case keys; repeated headers joined with ', ' (httpx does both)."""
    return {k.lower(): v for k, v in headers.items()}


def _absolute(base: str, location: str) -> str:
    """Resolve a Location against the current URL, dropping any fragment."""
    target = urljoin(base, location.strip())
    return target.split("#", 1)[0]


def _is_tls_error(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return "SSL" in str(exc) or "certificate" in str(exc).lower()
