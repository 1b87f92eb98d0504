"""Where a message goes: `mail:addr`, `webhook:URL` (or `slack:URL`, `teams:URL`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.headerregistry import Address
from typing import Literal
from urllib.parse import urlsplit

__all__ = ["WEBHOOK_FORMATS", "DeliveryError", "Target", "parse_target", "valid_email"]

WEBHOOK_FORMATS = ("json", "slack", "teams")
_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")


class DeliveryError(Exception):
    """A delivery that failed or cannot be tried. `permanent`: retrying will not help."""

    def __init__(self, message: str, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Target:
    channel: Literal["mail", "webhook"]
    address: str
    format: str = "json"

    def __str__(self) -> str:
        if self.channel == "webhook" and self.format != "json":
            return f"{self.format}:{self.address}"
        return f"{self.channel}:{self.address}"


def valid_email(address: str) -> str:
    """The address if it is one plain addr-spec with a dotted domain; else DeliveryError."""
    try:
        parsed = Address(addr_spec=address.strip())
    except (ValueError, TypeError, IndexError) as exc:  # HeaderParseError is a ValueError
        raise DeliveryError(f"malformed e-mail address {address!r}: {exc}") from exc
    labels = parsed.domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise DeliveryError(f"malformed e-mail address {address!r}: bad domain {parsed.domain!r}")
    return parsed.addr_spec


def parse_target(spec: str, webhook_format: str = "json") -> Target:
    """Parse a `--to` value. Malformed ones are a DeliveryError before anything is sent."""
    kind, sep, rest = spec.strip().partition(":")
    kind = kind.lower()
    if not sep or not rest:
        raise DeliveryError(
            f"malformed recipient {spec!r}: use mail:ADDRESS or webhook:URL "
            "(slack:URL and teams:URL for those payloads)"
        )
    if kind == "mail":
        return Target("mail", valid_email(rest))
    if kind in ("webhook", "slack", "teams"):
        fmt = webhook_format if kind == "webhook" else kind
        if fmt not in WEBHOOK_FORMATS:
            raise DeliveryError(f"unknown webhook format {fmt!r}; choose one of {WEBHOOK_FORMATS}")
        parts = urlsplit(rest)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DeliveryError(f"malformed webhook URL {rest!r}: need http(s)://host/...")
        if any(c.isspace() for c in rest):
            raise DeliveryError(f"malformed webhook URL {rest!r}: spaces")
        return Target("webhook", rest, fmt)
    raise DeliveryError(f"unknown recipient kind {kind!r} in {spec!r}: use mail: or webhook:")
