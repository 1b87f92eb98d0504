"""Delivery against real servers on 127.0.0.1: aiosmtpd (STARTTLS + auth) and an HTTP receiver."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from techwatch.config import Settings
from techwatch.deliver import DeliveryError, InlineImage, Message, deliver, parse_target
from techwatch.deliver.webhook import payload
from techwatch.outputs.records import list_sends
from techwatch.store.db import sqlite_url
from techwatch.store.store import Store

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made here with `cryptography`."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Inbox:
    """An aiosmtpd handler: keeps messages, refuses nobody@ with 550."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 <nobody>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def _auth(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"watcher",
        b"s3cret",
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def smtp_server(tls_files):
    cert, key = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=_auth,
        auth_required=True,
    )
    controller.start()
    yield inbox, port
    controller.stop()


def _settings(port: int, cert=None, **mail) -> Settings:
    values = {
        "host": "127.0.0.1",
        "port": port,
        "username": "watcher",
        "password": "s3cret",
        "sender": "watch@techwatch.example",
        "ca_file": str(cert) if cert else "",
        "retries": 1,
        "backoff": 0.01,
        "timeout": 5.0,
    }
    values.update(mail)
    return Settings(
        mail=values,
        send={"retries": 1, "backoff": 0.01, "timeout": 5.0},
        fetch={"allowed_networks": ["127.0.0.0/8"]},
    )


def _message(text: str = "Hello") -> Message:
    return Message(
        what="draft",
        subject="Week 12 <draft>",
        markdown=f"# Draft\n\n{text} <script>alert(1)</script>\n\n* [one](https://a.example/1)\n",
        images=[InlineImage("grid.png", PNG, alt="cards")],
    )


def test_mail_goes_out_once_with_starttls_auth_html_and_inline_image(
    tmp_path, smtp_server, tls_files
):
    inbox, port = smtp_server
    before = len(inbox.messages)
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    settings = _settings(port, tls_files[0])
    target = parse_target("mail:team@example.org")
    first = deliver(store, settings, _message(), [target])
    assert [r.status for r in first] == ["sent"]
    assert len(inbox.messages) == before + 1
    sender, rcpts, raw = inbox.messages[-1]
    assert sender == "watch@techwatch.example" and rcpts == ["team@example.org"]
    mail = message_from_bytes(raw, policy=default_policy)
    assert mail["Subject"] == "Week 12 <draft>"
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "# Draft" in plain
    assert "<script>" not in html and "&lt;script&gt;" in html  # untrusted HTML escaped
    image = next(p for p in mail.walk() if p.get_content_type() == "image/png")
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html and image.get_content() == PNG
    # A rerun sends nothing; a changed message goes out again.
    again = deliver(store, settings, _message(), [target])
    assert [r.status for r in again] == ["already_sent"] and len(inbox.messages) == before + 1
    changed = deliver(store, settings, _message("Changed"), [target])
    assert [r.status for r in changed] == ["sent"] and len(inbox.messages) == before + 2
    assert [s["status"] for s in list_sends(store)] == ["sent", "sent"]


def test_rejected_address_and_bad_login_are_clear_and_not_marked_sent(
    tmp_path, smtp_server, tls_files
):
    inbox, port = smtp_server
    before = len(inbox.messages)
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    results = deliver(
        store, _settings(port, tls_files[0]), _message(), [parse_target("mail:nobody@example.org")]
    )
    assert results[0].status == "failed" and "550" in results[0].error
    assert results[0].attempts == 1  # permanent: not retried
    bad_login = deliver(
        store,
        _settings(port, tls_files[0], password="wrong"),
        _message(),
        [parse_target("mail:team@example.org")],
    )
    assert bad_login[0].status == "failed" and "login refused" in bad_login[0].error
    assert len(inbox.messages) == before
    assert {s["status"] for s in list_sends(store)} == {"failed"}


def test_untrusted_certificate_is_refused(tmp_path, smtp_server):
    _inbox, port = smtp_server
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    results = deliver(store, _settings(port), _message(), [parse_target("mail:team@example.org")])
    assert results[0].status == "failed" and "TLS" in results[0].error


def test_unreachable_server_is_retried_then_failed(tmp_path):
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    port = _free_port()  # nothing listens there
    results = deliver(store, _settings(port), _message(), [parse_target("mail:team@example.org")])
    assert results[0].status == "failed" and "cannot reach" in results[0].error
    assert results[0].attempts == 2  # one retry
    assert list_sends(store)[0]["status"] == "failed"


class _DropServer(threading.Thread):
    """A plain SMTP server that accepts DATA, reads part of the message, and hangs up."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections = 0

    def run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn, conn.makefile("rb") as rfile:
                conn.sendall(b"220 drop.example ESMTP\r\n")
                while line := rfile.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        conn.sendall(b"250 drop.example\r\n")
                    elif verb in (b"MAIL", b"RCPT"):
                        conn.sendall(b"250 OK\r\n")
                    elif verb == b"DATA":
                        conn.sendall(b"354 go ahead\r\n")
                        rfile.readline()  # one line of the message, then drop
                        break
                    else:
                        conn.sendall(b"250 OK\r\n")


def test_server_dropping_the_connection_mid_message_is_not_sent(tmp_path):
    server = _DropServer()
    server.start()
    try:
        store = Store(sqlite_url(tmp_path / "s.sqlite"))
        settings = _settings(server.port, security="none", username="")
        results = deliver(store, settings, _message(), [parse_target("mail:team@example.org")])
    finally:
        server.sock.close()
    assert results[0].status == "failed" and "closed the connection" in results[0].error
    assert server.connections == 2  # tried, retried once, never marked sent
    assert list_sends(store)[0]["status"] == "failed"
    assert list_sends(store)[0]["sent_at"] is None


def test_plain_smtp_only_on_loopback():
    settings = _settings(25, security="none", host="mail.example.org")
    store_free = Message("draft", "s", "x")
    from techwatch.deliver.smtp import send_mail

    with pytest.raises(DeliveryError, match="loopback"):
        send_mail(settings.mail, store_free, "team@example.org")


@pytest.mark.parametrize(
    "spec",
    [
        "mail:not an address",
        "mail:team@",
        "mail:team@example",
        "mail:a@b.org\r\nBcc: x@y.org",
        "team@example.org",
        "webhook:ftp://x.example/h",
        "webhook:not a url",
        "fax:123",
    ],
)
def test_malformed_recipients_are_refused_before_sending(spec):
    with pytest.raises(DeliveryError):
        parse_target(spec)


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, dict]] = []
    flaky: dict[str, int] = {}

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append((self.path, body))
        if self.path == "/broken":
            code = 500
        elif self.path == "/bad":
            code = 400
        elif self.path == "/flaky":
            self.flaky[self.path] = self.flaky.get(self.path, 0) + 1
            code = 503 if self.flaky[self.path] == 1 else 200
        else:
            code = 200
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.received = []
    _Receiver.flaky = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Receiver
    server.shutdown()
    server.server_close()


def test_webhooks_post_json_once_and_retry_server_errors(tmp_path, receiver):
    base, handler = receiver
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    settings = _settings(25)
    targets = [
        parse_target(f"webhook:{base}/hook"),
        parse_target(f"slack:{base}/slack"),
        parse_target(f"webhook:{base}/teams", webhook_format="teams"),
        parse_target(f"webhook:{base}/flaky"),
    ]
    results = deliver(store, settings, _message(), targets)
    assert [r.status for r in results] == ["sent"] * 4
    assert results[3].attempts == 2
    bodies = dict(handler.received)
    assert (
        bodies["/hook"]["subject"] == "Week 12 <draft>"
        and "&lt;script&gt;" in bodies["/hook"]["html"]
    )
    assert bodies["/slack"]["blocks"][1]["text"]["type"] == "mrkdwn"
    assert bodies["/teams"]["@type"] == "MessageCard"
    count = len(handler.received)
    again = deliver(store, settings, _message(), targets)
    assert {r.status for r in again} == {"already_sent"} and len(handler.received) == count


def test_webhook_failures_are_clear_and_not_marked_sent(tmp_path, receiver):
    base, handler = receiver
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    settings = _settings(25)
    results = deliver(
        store,
        settings,
        _message(),
        [parse_target(f"webhook:{base}/broken"), parse_target(f"webhook:{base}/bad")],
    )
    assert [r.status for r in results] == ["failed", "failed"]
    assert "HTTP 500" in results[0].error and results[0].attempts == 2
    assert "HTTP 400" in results[1].error and results[1].attempts == 1
    # Without the loopback exception, the address guard refuses the receiver outright.
    guarded = Settings(send={"retries": 0})
    refused = deliver(store, guarded, _message(), [parse_target(f"webhook:{base}/hook")])
    assert refused[0].status == "failed" and "refused" in refused[0].error
    assert all(path != "/hook" for path, _ in handler.received)
    assert {s["status"] for s in list_sends(store)} == {"failed"}


def test_slack_payload_is_capped():
    long = Message("draft", "S", "x" * 10_000)
    text = payload(long, "slack")["blocks"][1]["text"]["text"]
    assert len(text) == 3000 and text.endswith("…")
