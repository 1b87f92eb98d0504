"""The private-address guard: an article link must never make us talk to our own network.

A hostile page can link or redirect to http://127.0.0.1:6379/ or to a cloud metadata
address (169.254.169.254). Every URL and every redirect hop is checked here before any
connection is made, and `GuardedBackend` checks again at connect time, on the very
address it connects to, so a DNS answer that changes between check and connect
(DNS rebinding) cannot slip through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import httpcore

ALLOWED_SCHEMES = ("http", "https")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# How a refusal maps to a fetch outcome: an address we refuse is "blocked", a name that
# does not exist is "dead", anything else wrong with the URL is "failed".
VerdictKind = Literal["blocked", "dead", "failed"]


@dataclass(frozen=True)
class Verdict:
    """Why a URL is refused, and which fetch outcome that is."""

    kind: VerdictKind
    reason: str


def parse_networks(networks: Iterable[str | Network]) -> tuple[Network, ...]:
    """Explicitly allowed networks (e.g. "127.0.0.1/32" for tests and the demo)."""
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _unmap(ip: IPAddress) -> IPAddress:
    """See through IPv6 forms that embed an IPv4 address (mapped, compatible, 6to4, NAT64)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in _NAT64 or (int(ip) >> 32 == 0 and int(ip) > 1):  # NAT64, IPv4-compatible
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def is_public(ip: IPAddress) -> bool:
    """Whether an address is globally routable (not private, loopback, link-local, ...)."""
    ip = _unmap(ip)
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or ip.is_link_local
        or ip.is_loopback
        or ip.is_private
    )


def address_verdict(
    ip: IPAddress, allow_private: bool, allowed: Sequence[Network] = ()
) -> Verdict | None:
    """None when we may connect to `ip`, else why not."""
    if allow_private or is_public(ip):
        return None
    plain = _unmap(ip)
    if any(plain in net or ip in net for net in allowed):
        return None
    return Verdict("blocked", f"private address {plain} refused")


def _literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses a name resolves to (blocking: call it in a thread from async code)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    out: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in out:
            out.append(ip)
    return out


def _dns_verdict(host: str, exc: socket.gaierror) -> Verdict:
    permanent = {getattr(socket, n) for n in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, n)}
    if exc.errno in permanent:
        return Verdict("dead", f"DNS failure: {host} does not resolve")
    return Verdict("failed", f"DNS failure: {host}: {exc.strerror or exc}")


def resolve_checked(
    host: str, port: int, allow_private: bool, allowed: Sequence[Network] = ()
) -> tuple[list[IPAddress], Verdict | None]:
    """Resolve `host` and check every answer: one private answer refuses the whole name."""
    literal = _literal_ip(host)
    if literal is not None:
        ips = [literal]
    else:
        try:
            ips = resolve(host, port)
        except socket.gaierror as exc:
            return [], _dns_verdict(host, exc)
        except (OSError, UnicodeError, ValueError) as exc:
            return [], Verdict("failed", f"DNS failure: {host}: {exc}")
        if not ips:
            return [], Verdict("dead", f"DNS failure: {host} does not resolve")
    for ip in ips:
        verdict = address_verdict(ip, allow_private, allowed)
        if verdict is not None:
            return ips, verdict
    return ips, None


def inspect_url(
    url: str, allow_private: bool = False, allowed: Sequence[str | Network] = ()
) -> Verdict | None:
    """Check the scheme, the host and every address it resolves to (blocking)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return Verdict("failed", f"invalid URL: {exc}")
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        return Verdict("failed", f"unsupported scheme {scheme or '(none)'!r}")
    host = parts.hostname
    if not host:
        return Verdict("failed", "invalid URL: no host")
    if any(c.isspace() or ord(c) < 32 for c in host):
        return Verdict("failed", "invalid URL: bad host")
    if port is None:
        port = 443 if scheme == "https" else 80
    nets = parse_networks(allowed)
    _ips, verdict = resolve_checked(host, port, allow_private, nets)
    return verdict


async def inspect_url_async(
    url: str, allow_private: bool = False, allowed: Sequence[str | Network] = ()
) -> Verdict | None:
    """`inspect_url` in a worker thread, so DNS never blocks the event loop."""
    return await asyncio.to_thread(inspect_url, url, allow_private, allowed)


class GuardRefused(httpcore.ConnectError):
    """Raised at connect time when the address is refused; carries the verdict."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.reason)
        self.verdict = verdict


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves, checks, then connects to the checked IP.

    TLS still verifies the certificate against the URL's host name (httpcore passes the
    URL host as server_hostname), so pinning the address costs no security.
    """

    def __init__(self, allow_private: bool, allowed: Sequence[str | Network] = ()) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private
        self._allowed = parse_networks(allowed)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        ips, verdict = await asyncio.to_thread(
            resolve_checked, host, port, self._allow_private, self._allowed
        )
        if verdict is not None:
            raise GuardRefused(verdict)
        last: Exception | None = None
        for ip in ips:
            try:
                return await self._inner.connect_tcp(
                    str(ip), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"cannot connect to {host}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardUnavailable(RuntimeError):
    """The connect-time guard cannot be installed (httpx or httpcore internals changed)."""


def install(transport: Any, allow_private: bool, allowed: Sequence[str | Network] = ()) -> None:
    """Make an httpx transport connect only through a `GuardedBackend`.

    httpx has no public hook for the network backend, so this reaches into
    `transport._pool._network_backend`. If that ever changes, fail closed: raise here,
    at client construction, rather than silently fetch without the connect-time check.
    """
    backend = GuardedBackend(allow_private, allowed)
    pool = getattr(transport, "_pool", None)
    if pool is None or not hasattr(pool, "_network_backend"):
        raise GuardUnavailable(
            "cannot install the address guard: httpx's transport has no "
            "_pool._network_backend (httpx/httpcore changed); refusing to fetch without it"
        )
    pool._network_backend = backend
    if getattr(pool, "_network_backend", None) is not backend:
        raise GuardUnavailable("cannot install the address guard: the backend did not stick")
