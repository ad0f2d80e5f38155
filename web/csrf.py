"""CSRF protection for cookie-authenticated requests: a signed double-submit token.

Every browser gets a random nonce in an HttpOnly cookie; pages embed HMAC(key, nonce) in each
form (and in a meta tag for fetch calls). A cross-site page can make the browser send the
cookie, but it can neither read it nor compute the HMAC without the server's key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from fastapi import HTTPException, Request, status
from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.auth_config import SESSION_COOKIE

CSRF_COOKIE = "ib_csrf"
# Over HTTPS the cookie carries the __Host- prefix: browsers then refuse it from a sibling
# subdomain (no Domain, Path=/, Secure), so nobody can plant a nonce whose token they know.
SECURE_CSRF_COOKIE = "__Host-ib_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
COOKIE_MAX_AGE = 30 * 24 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_NONCE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")

REFUSED = (
    "This form has expired or was sent from another site, so nothing was changed. "
    "Reload the page and try again."
)


class CsrfCookieMiddleware:
    """Makes sure every request has a nonce (request.state.csrf_nonce), setting the cookie once."""

    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.secure = secure
        self.cookie_name = SECURE_CSRF_COOKIE if secure else CSRF_COOKIE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = _cookies(scope).get(self.cookie_name, "")
        fresh = not _NONCE.match(nonce)
        if fresh:
            nonce = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_nonce"] = nonce
        if not fresh:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{self.cookie_name}={nonce}; Max-Age={COOKIE_MAX_AGE}; Path=/; HttpOnly"
                cookie += "; SameSite=Lax" + ("; Secure" if self.secure else "")
                MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            return cookie_parser(value.decode("latin-1"))
    return {}


def token_for(key: str, nonce: str) -> str:
    return hmac.new(key.encode(), nonce.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token to embed in this page's forms ("" only if the middleware did not run)."""
    nonce = getattr(request.state, "csrf_nonce", "")
    return token_for(request.app.state.csrf_key, nonce) if nonce else ""


async def _submitted(request: Request) -> str:
    token = request.headers.get(CSRF_HEADER)
    if token:
        return token
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        value: Any = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def _check(request: Request) -> None:
    expected = csrf_token(request)
    if not expected or not hmac.compare_digest(await _submitted(request), expected):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=REFUSED)


async def require_csrf(request: Request) -> None:
    """Pages: every form post carries the token (login and register too: no login CSRF)."""
    if request.method not in SAFE_METHODS:
        await _check(request)


async def require_csrf_with_cookie(request: Request) -> None:
    """The JSON API: bearer clients need nothing; a request riding on the cookie needs the header."""
    if request.method not in SAFE_METHODS and SESSION_COOKIE in request.cookies:
        await _check(request)
