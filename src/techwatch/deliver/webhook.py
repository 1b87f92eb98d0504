"""JSON webhooks (plain, Slack or Teams payloads), through the project's address guard."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from techwatch.config import Settings
from techwatch.deliver.message import Message
from techwatch.deliver.targets import DeliveryError
from techwatch.fetch import guard

__all__ = ["payload", "post_webhook"]

SLACK_LIMIT = 3000  # characters in one Slack section block


def payload(message: Message, fmt: str) -> dict[str, Any]:
    """The JSON body for a webhook: ours, Slack's (blocks) or Teams' (MessageCard)."""
    if fmt == "slack":
        text = message.markdown
        if len(text) > SLACK_LIMIT:
            text = text[: SLACK_LIMIT - 1] + "…"
        return {
            "text": message.subject,
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": message.subject[:150]}},
                {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            ],
        }
    if fmt == "teams":
        return {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": message.subject,
            "title": message.subject,
            "text": message.markdown,
        }
    return {
        "what": message.what,
        "subject": message.subject,
        "markdown": message.markdown,
        "html": message.html(),
        "images": [image.name for image in message.images],
    }


async def _post(url: str, body: dict[str, Any], settings: Settings) -> httpx.Response:
    fetch = settings.fetch
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    pool = getattr(transport, "_pool", None)
    if hasattr(pool, "_network_backend"):  # connect only to the address the guard checked
        pool._network_backend = guard.GuardedBackend(fetch.allow_private, fetch.allowed_networks)
    async with httpx.AsyncClient(
        transport=transport,
        timeout=settings.send.timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": fetch.user_agent},
    ) as client:
        return await client.post(url, json=body)


def _run(coro: Any) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import concurrent.futures  # inside a running loop (notebook, web app): its own thread

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def post_webhook(settings: Settings, url: str, message: Message, fmt: str = "json") -> int:
    """POST the payload; 2xx is sent. Retries 429/5xx and connection errors; returns attempts."""
    fetch = settings.fetch
    verdict = guard.inspect_url(url, fetch.allow_private, fetch.allowed_networks)
    if verdict is not None:
        raise DeliveryError(f"webhook URL refused: {verdict.reason}")
    body = payload(message, fmt)
    attempt = 0
    while True:
        attempt += 1
        try:
            response = _run(_post(url, body, settings))
        except guard.GuardRefused as exc:
            error = DeliveryError(f"webhook URL refused: {exc.verdict.reason}")
        except httpx.HTTPError as exc:
            error = DeliveryError(
                f"webhook unreachable: {type(exc).__name__}: {exc}", permanent=False
            )
        else:
            if 200 <= response.status_code < 300:
                return attempt
            retry = response.status_code == 429 or response.status_code >= 500
            error = DeliveryError(
                f"webhook answered HTTP {response.status_code}: {response.text[:200]!r}",
                permanent=not retry,
            )
        if error.permanent or attempt > settings.send.retries:
            error.attempts = attempt  # type: ignore[attr-defined]
            raise error
        time.sleep(settings.send.backoff * 2 ** (attempt - 1))
