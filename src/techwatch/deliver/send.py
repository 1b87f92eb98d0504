"""Send a message to targets, once: a key (hash of content + recipient) guards reruns.

A row is marked `sent` only after the server accepted the message (SMTP 250 after DATA,
HTTP 2xx). A failure is recorded as `failed` with its reason and is tried again by the
next run. Delivery is at-least-once: a crash between the server's acceptance and the
record can repeat one message, never lose one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from techwatch.config import Settings
from techwatch.deliver.message import Message
from techwatch.deliver.smtp import send_mail
from techwatch.deliver.targets import DeliveryError, Target
from techwatch.deliver.webhook import post_webhook
from techwatch.outputs.records import get_send, record_send
from techwatch.store.store import Store

__all__ = ["SendResult", "deliver", "delivery_key"]


@dataclass(frozen=True)
class SendResult:
    target: str
    status: Literal["sent", "already_sent", "failed"]
    key: str
    attempts: int = 0
    error: str = ""


def delivery_key(message: Message, target: Target) -> str:
    raw = f"{message.content_hash()}\0{target.channel}\0{target.address}\0{target.format}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def deliver(
    store: Store, settings: Settings, message: Message, targets: list[Target], force: bool = False
) -> list[SendResult]:
    """Deliver to each target not yet sent this exact message; one failure stops no other."""
    results: list[SendResult] = []
    for target in targets:
        key = delivery_key(message, target)
        previous = get_send(store, key)
        if previous and previous["status"] == "sent" and not force:
            results.append(SendResult(str(target), "already_sent", key))
            continue
        try:
            if target.channel == "mail":
                attempts = send_mail(settings.mail, message, target.address)
            else:
                attempts = post_webhook(settings, target.address, message, target.format)
        except DeliveryError as exc:
            attempts = getattr(exc, "attempts", 1)
            record_send(
                store,
                key,
                channel=target.channel,
                recipient=target.address,
                subject=message.subject,
                what=message.what,
                status="failed",
                error=str(exc),
                attempts=attempts,
            )
            results.append(SendResult(str(target), "failed", key, attempts, str(exc)))
            continue
        record_send(
            store,
            key,
            channel=target.channel,
            recipient=target.address,
            subject=message.subject,
            what=message.what,
            status="sent",
            attempts=attempts,
        )
        results.append(SendResult(str(target), "sent", key, attempts))
    return results
