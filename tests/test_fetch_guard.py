"""The private-address guard, with literal IPs and localhost only (no outside DNS)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpcore
import pytest

from techwatch.fetch import guard
from techwatch.fetch.guard import (
    GuardedBackend,
    GuardRefused,
    inspect_url,
    is_public,
)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


def check_url(url: str, allow_private: bool = False, allowed: tuple[str, ...] = ()) -> str | None:
    """None when `url` may be fetched, else the reason it may not."""
    verdict = inspect_url(url, allow_private, allowed)
    return None if verdict is None else verdict.reason


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://127.0.0.1:8080/", "127.0.0.1"),
        ("http://[::1]/x", "::1"),
        ("http://[::ffff:127.0.0.1]/", "127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://10.0.0.1/", "10.0.0.1"),
        ("http://0.0.0.0/", "0.0.0.0"),
        ("http://localhost/", "private address"),
        ("http://user:pw@127.0.0.1/", "127.0.0.1"),
    ],
)
def test_check_url_refuses_private_hosts(url: str, needle: str) -> None:
    reason = check_url(url, allow_private=False)
    assert reason is not None and needle in reason and "refused" in reason
    assert inspect_url(url).kind == "blocked"


def test_public_literal_ip_passes_without_dns() -> None:
    assert check_url("https://8.8.8.8/dns-query", allow_private=False) is None


@pytest.mark.parametrize(
    "url", ["ftp://8.8.8.8/", "file:///etc/passwd", "javascript:alert(1)", "gopher://1.1.1.1/"]
)
def test_other_schemes_are_refused(url: str) -> None:
    verdict = inspect_url(url, allow_private=True)
    assert verdict is not None and verdict.kind == "failed"
    assert "scheme" in verdict.reason


@pytest.mark.parametrize("url", ["http:///nohost", "http://8.8.8.8:99999/", "not a url"])
def test_malformed_urls_are_refused(url: str) -> None:
    verdict = inspect_url(url, allow_private=True)
    assert verdict is not None and verdict.kind == "failed"


def test_allow_private_lets_everything_through() -> None:
    assert check_url("http://127.0.0.1:1/", allow_private=True) is None
    assert check_url("http://10.0.0.1/", allow_private=True) is None


def test_allowed_networks_are_narrow() -> None:
    allowed = ("127.0.0.1/32",)
    assert check_url("http://127.0.0.1:5000/", False, allowed) is None
    assert check_url("http://[::ffff:127.0.0.1]/", False, allowed) is None
    assert check_url("http://127.0.0.2/", False, allowed) is not None
    assert check_url("http://10.0.0.1/", False, allowed) is not None


def test_dns_failure_is_dead_and_temporary_failure_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    def nxdomain(*args: object, **kw: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(guard.socket, "getaddrinfo", nxdomain)
    verdict = inspect_url("http://no-such-host.example/")
    assert verdict is not None and verdict.kind == "dead"
    assert verdict.reason.startswith("DNS failure")

    def again(*args: object, **kw: object) -> None:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(guard.socket, "getaddrinfo", again)
    verdict = inspect_url("http://no-such-host.example/")
    assert verdict is not None and verdict.kind == "failed"


def test_one_private_answer_refuses_the_name(monkeypatch: pytest.MonkeyPatch) -> None:
    def mixed(host: str, port: int, **kw: object) -> list[tuple]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    monkeypatch.setattr(guard.socket, "getaddrinfo", mixed)
    assert "10.1.2.3" in (check_url("http://rebind.example/") or "")


def test_guarded_backend_refuses_at_connect_time() -> None:
    async def connect() -> None:
        await GuardedBackend(allow_private=False).connect_tcp("127.0.0.1", 9)

    with pytest.raises(GuardRefused) as info:
        asyncio.run(connect())
    assert isinstance(info.value, httpcore.ConnectError)
    assert info.value.verdict.kind == "blocked"
