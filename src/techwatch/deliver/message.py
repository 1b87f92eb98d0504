"""A message to deliver: markdown, its HTML rendering, and inline images."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from markdown_it import MarkdownIt

__all__ = ["InlineImage", "Message", "build_email"]

# Raw HTML in the markdown (from article titles, feeds, models) is escaped, not passed on.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False})


@dataclass(frozen=True)
class InlineImage:
    """An image shown in the HTML body of an e-mail (as a cid: attachment)."""

    name: str
    data: bytes
    subtype: str = "png"
    alt: str = ""


@dataclass
class Message:
    """What is sent: one subject, one markdown body, optional images."""

    what: str  # draft, review, ...
    subject: str
    markdown: str
    images: list[InlineImage] = field(default_factory=list)

    def html(self, cids: dict[str, str] | None = None) -> str:
        body = _MD.render(self.markdown)
        for image in self.images:
            src = f"cid:{cids[image.name]}" if cids and image.name in cids else image.name
            alt = html.escape(image.alt or image.name, quote=True)
            body += f'<p><img src="{html.escape(src, quote=True)}" alt="{alt}"></p>\n'
        title = html.escape(self.subject)
        return (
            f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body>{body}</body></html>"
        )

    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for part in (self.what, self.subject, self.markdown):
            digest.update(part.encode("utf-8") + b"\0")
        for image in self.images:
            digest.update(image.name.encode("utf-8") + b"\0" + hashlib.sha256(image.data).digest())
        return digest.hexdigest()


def build_email(message: Message, sender: str, recipient: str) -> EmailMessage:
    """multipart/alternative: plain text (the markdown) and HTML with images related by cid."""
    mail = EmailMessage()
    mail["Subject"] = " ".join(message.subject.split())
    mail["From"] = sender
    mail["To"] = recipient
    mail["Date"] = formatdate(localtime=False)
    domain = sender.rpartition("@")[2] or "techwatch.invalid"
    mail["Message-ID"] = make_msgid(domain=domain)
    mail.set_content(message.markdown)
    cids = {image.name: make_msgid(domain=domain)[1:-1] for image in message.images}
    mail.add_alternative(message.html(cids), subtype="html")
    html_part = mail.get_payload()[1]
    for image in message.images:
        html_part.add_related(
            image.data, "image", image.subtype, cid=f"<{cids[image.name]}>", filename=image.name
        )
    return mail
