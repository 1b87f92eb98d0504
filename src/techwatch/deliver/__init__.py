"""Delivery of drafts and reviews: e-mail over SMTP and JSON webhooks, each sent once."""

from techwatch.deliver.message import InlineImage, Message
from techwatch.deliver.send import SendResult, deliver
from techwatch.deliver.targets import DeliveryError, Target, parse_target

__all__ = [
    "DeliveryError",
    "InlineImage",
    "Message",
    "SendResult",
    "Target",
    "deliver",
    "parse_target",
]
