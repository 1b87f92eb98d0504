"""E-mail over SMTP: STARTTLS (or implicit TLS), login, one message, errors classified.

A 5xx reply (a rejected address, a refused login) is permanent; a dropped connection, a
timeout or a 4xx reply is temporary and retried. The message counts as sent only when the
server accepted the DATA (its 250 reply); a connection dropped mid-message is not sent.
"""

from __future__ import annotations

import ipaddress
import os
import smtplib
import socket
import ssl
import time

from techwatch.config import MailConfig
from techwatch.deliver.message import Message, build_email
from techwatch.deliver.targets import DeliveryError, valid_email

__all__ = ["send_mail"]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _classify(exc: Exception) -> DeliveryError:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [
            f"{addr}: {code} {msg.decode(errors='replace')}"
            for addr, (code, msg) in exc.recipients.items()
        ]
        permanent = all(code >= 500 for code, _ in exc.recipients.values())
        return DeliveryError("recipient refused: " + "; ".join(codes), permanent=permanent)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return DeliveryError(f"SMTP login refused: {exc.smtp_code} {exc.smtp_error!r}")
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        return DeliveryError(f"SMTP error {exc.smtp_code}: {text}", permanent=exc.smtp_code >= 500)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError(
            f"SMTP server closed the connection: {exc or 'mid-message'}", permanent=False
        )
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return DeliveryError(f"TLS failure with the SMTP server: {exc}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(f"SMTP server lacks a needed feature: {exc}")
    if isinstance(exc, socket.timeout | TimeoutError):
        return DeliveryError(f"SMTP server timed out: {exc}", permanent=False)
    if isinstance(exc, OSError):
        return DeliveryError(f"cannot reach the SMTP server: {exc}", permanent=False)
    return DeliveryError(f"SMTP failure: {exc}")


def _send_once(cfg: MailConfig, message: Message, recipient: str) -> None:
    security = cfg.security.lower()
    if security not in ("starttls", "ssl", "none"):
        raise DeliveryError(f"[mail] security must be starttls, ssl or none, not {cfg.security!r}")
    if security == "none" and not _is_loopback(cfg.host):
        raise DeliveryError("[mail] security = none is only allowed for a loopback server")
    context = ssl.create_default_context(cafile=cfg.ca_file or None)
    username = cfg.username or os.environ.get("SMTP_USERNAME", "")
    password = cfg.password or os.environ.get("SMTP_PASSWORD", "")
    sender = valid_email(cfg.sender) if cfg.sender else ""
    if not sender:
        raise DeliveryError("[mail] sender is empty: set the From address")
    mail = build_email(message, sender, recipient)
    try:
        if security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                cfg.host, cfg.port, timeout=cfg.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        with smtp:
            smtp.ehlo()
            if security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if username:
                smtp.login(username, password)
            smtp.send_message(mail, from_addr=sender, to_addrs=[recipient])
    except DeliveryError:
        raise
    except Exception as exc:  # every smtplib / socket / ssl failure, classified
        raise _classify(exc) from exc


def send_mail(cfg: MailConfig, message: Message, recipient: str) -> int:
    """Send one message to one recipient, retrying temporary failures; returns attempts."""
    if not cfg.host:
        raise DeliveryError("[mail] host is empty: set the SMTP server in techwatch.toml")
    recipient = valid_email(recipient)
    attempt = 0
    while True:
        attempt += 1
        try:
            _send_once(cfg, message, recipient)
            return attempt
        except DeliveryError as exc:
            if exc.permanent or attempt > cfg.retries:
                exc.attempts = attempt  # type: ignore[attr-defined]
                raise
            time.sleep(cfg.backoff * 2 ** (attempt - 1))
