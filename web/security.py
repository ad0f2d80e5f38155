"""Response headers that keep the pages to themselves: CSP, no framing, no caching of private data."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(static_url: str) -> str:
    """Scripts and styles only from this origin (or the static bucket); no inline code at all."""
    parts = urlsplit(static_url)
    assets = "'self'" + (f" {parts.scheme}://{parts.netloc}" if parts.netloc else "")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {assets}",
            f"style-src {assets}",
            f"img-src {assets} data:",
            f"font-src {assets}",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, static_url: str, hsts: bool) -> None:
        self.app = app
        self.headers = {
            "content-security-policy": content_security_policy(static_url),
            "x-content-type-options": "nosniff",
            "x-frame-options": "DENY",
            "referrer-policy": "same-origin",
            "permissions-policy": "camera=(), microphone=(), geolocation=()",
            "cross-origin-opener-policy": "same-origin",
        }
        if hsts:
            self.headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                if not static:  # pages and API answers are personal: never store them
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
