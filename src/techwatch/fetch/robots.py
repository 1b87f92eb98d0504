"""robots.txt, fetched once per origin and read with protego (RFC 9309 semantics).

A 4xx robots.txt means "no rules": everything is allowed. A 5xx or an unreachable one
means "assume the worst": everything is disallowed until the Fetcher is recreated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

USER_AGENT_TOKEN = "techwatch"
MAX_CRAWL_DELAY = 30.0
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least the first 500 KiB


@dataclass(frozen=True)
class RobotsResponse:
    """What fetching a robots.txt gave: a status (None if unreachable) and the body."""

    status_code: int | None
    content: bytes | None = None
    # When no status came back: how the fetch failed ("dead", "failed") and why.
    failure: tuple[str, str] | None = None


RobotsGetter = Callable[[str], Awaitable[RobotsResponse]]


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one origin: a parsed file, allow-all, or disallow-all with a reason."""

    parser: Protego | None = None
    disallow_all_reason: str | None = None
    # The outcome of a disallowed URL: "blocked", or the network failure (a host that is
    # down or does not resolve) that made robots.txt unreachable, so a dead host reads dead.
    outcome: str = "blocked"

    def disallowed(self, url: str, token: str = USER_AGENT_TOKEN) -> str | None:
        """None when `url` may be fetched, else the reason."""
        if self.disallow_all_reason is not None:
            return self.disallow_all_reason
        if self.parser is not None and not self.parser.can_fetch(url, token):
            return "robots.txt disallows"
        return None

    def crawl_delay(self, token: str = USER_AGENT_TOKEN) -> float | None:
        """The Crawl-delay for our token, capped at 30 s (None when absent)."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(token)
        if delay is None:
            return None
        return max(0.0, min(float(delay), MAX_CRAWL_DELAY))


ALLOW_ALL = RobotsRules()


def origin_of(url: str) -> str:
    """scheme://host[:port], the unit robots.txt applies to."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower().rsplit('@', 1)[-1]}"


def rules_from_response(response: RobotsResponse) -> RobotsRules:
    """Map a robots.txt fetch to rules, as RFC 9309 section 2.3.1 says."""
    status = response.status_code
    if status is not None and 200 <= status < 300:
        text = (response.content or b"")[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        try:
            return RobotsRules(parser=Protego.parse(text))
        except Exception:  # a hostile file must not break the fetch: treat as no rules
            return ALLOW_ALL
    if status is not None and 400 <= status < 500:
        return ALLOW_ALL
    if status is None and response.failure is not None:
        outcome, reason = response.failure
        if outcome in ("dead", "failed"):
            return RobotsRules(
                disallow_all_reason=f"robots.txt unreachable: {reason}", outcome=outcome
            )
    return RobotsRules(disallow_all_reason="robots.txt unreachable")


class RobotsCache:
    """robots.txt rules per origin, fetched at most once for the cache's life."""

    def __init__(self, getter: RobotsGetter, token: str = USER_AGENT_TOKEN) -> None:
        self._getter = getter
        self.token = token
        self._rules: dict[str, asyncio.Future[RobotsRules]] = {}

    async def rules_for(self, url: str) -> RobotsRules:
        """The rules of `url`'s origin; concurrent callers share one fetch."""
        origin = origin_of(url)
        future = self._rules.get(origin)
        if future is not None:
            await asyncio.wait([future])  # never raises, even if the fetching task died
            if future.cancelled():
                return await self.rules_for(url)
            return future.result()
        future = asyncio.get_running_loop().create_future()
        self._rules[origin] = future
        try:
            response = await self._getter(origin + "/robots.txt")
        except asyncio.CancelledError:
            del self._rules[origin]  # let the next caller fetch it again
            future.cancel()
            raise
        except Exception:
            response = RobotsResponse(status_code=None)
        rules = rules_from_response(response)
        future.set_result(rules)
        return rules

    async def disallowed(self, url: str) -> str | None:
        """None when robots.txt lets us fetch `url`, else the reason."""
        return (await self.rules_for(url)).disallowed(url, self.token)
