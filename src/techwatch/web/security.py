"""Security of the live app: who is asking, CSRF, cookies and response headers.

- Writes need a user: a login session (cookie) or an API token (`Authorization: Bearer`).
- Reads need one too unless the workspace sets `web.public_read = true`.
- CSRF: a random token in an HttpOnly, SameSite=Strict cookie, repeated in each form (or in
  the `X-CSRF-Token` header for HTMX); both must match. Token-authenticated API calls carry
  no cookie and need no CSRF token.
- Cookies are HttpOnly, SameSite, and Secure when the request came over https.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from techwatch.web.auth import User
from techwatch.web.cache import read_snapshot

SESSION_COOKIE = "tw_session"
CSRF_COOKIE = "tw_csrf"
CSRF_HEADER = "x-csrf-token"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)


class NeedLogin(Exception):
    """Raised for an HTML page that needs a login: the app redirects to /login."""


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, **kw: Any) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        secure=secure(request),
        samesite=kw.pop("samesite", "lax"),
        path="/",
        **kw,
    )


SAFE_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)


class SecurityMiddleware:
    """Gives every visitor a CSRF token, and every response safe headers.

    A plain ASGI middleware: it only edits the response's start message (Starlette's
    BaseHTTPMiddleware runs each request through an extra task and stream)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if scope["method"] in ("GET", "HEAD"):
            read_snapshot()  # a read-only request reads the store's generation once
        token = request.cookies.get(CSRF_COOKIE)
        fresh = not token or len(token) < 32
        csrf = secrets.token_urlsafe(32) if fresh else token
        request.state.csrf = csrf  # kept in scope["state"]: the endpoint's request sees it

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if fresh:
                    cookie = Response()
                    set_cookie(cookie, request, CSRF_COOKIE, csrf, samesite="strict")
                    for name, value in cookie.raw_headers:
                        if name == b"set-cookie":
                            headers.append("set-cookie", value.decode("latin-1"))
                for name, value in SAFE_HEADERS:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def bearer(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_user(request: Request) -> User | None:
    """The user behind a request (API token first, then the session cookie)."""
    if hasattr(request.state, "user"):
        return request.state.user
    users = request.app.state.users
    token = bearer(request)
    user = (
        users.token_user(token)
        if token
        else users.session_user(request.cookies.get(SESSION_COOKIE))
    )
    request.state.user = user
    request.state.by_token = bool(token and user)
    return user


def check_csrf(request: Request, form_token: str | None) -> None:
    """Reject a cookie-authenticated write whose CSRF token does not match the cookie."""
    if getattr(request.state, "by_token", False):
        return
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    sent = form_token or request.headers.get(CSRF_HEADER) or ""
    if not cookie or not sent or not hmac.compare_digest(cookie, sent):
        raise HTTPException(403, "CSRF check failed: reload the page and try again")


def require_reader(request: Request, *, html: bool) -> User | None:
    user = current_user(request)
    if user is None and not request.app.state.ws.settings.web.public_read:
        if html:
            raise NeedLogin()
        raise HTTPException(401, "log in or send an API token", {"WWW-Authenticate": "Bearer"})
    return user


def require_writer(request: Request, form_token: str | None, *, html: bool) -> User:
    user = current_user(request)
    if user is None:
        if html:
            raise NeedLogin()
        raise HTTPException(401, "log in or send an API token", {"WWW-Authenticate": "Bearer"})
    check_csrf(request, form_token)
    return user
