"""The app's sign-in settings and the request helpers every area needs, without fastapi-users.

Kept apart from web.auth so that building the app, a health check and the error handlers do
not import fastapi-users (with its password hashing, JWT and Redis strategy modules): only the
areas with accounts load it (web.areas).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request, Response

from core.config import ConfigError, Settings

if TYPE_CHECKING:
    from web.outbox import Outbox
    from web.resources import WebResources

log = logging.getLogger("web.auth")  # the name operators knew before the split

SESSION_COOKIE = "ib_session"
COOKIE_LIFETIME_SECONDS = 7 * 24 * 3600
MIN_SECRET_BYTES = 32


def resolve_secret(settings: Settings) -> str:
    """WEB_SECRET, or in development a random one per process (sessions end at restart)."""
    if settings.web_secret is not None:
        secret = settings.web_secret.get_secret_value()
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(
                f"WEB_SECRET must be at least {MIN_SECRET_BYTES} bytes; "
                'generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        return secret
    if settings.environment == "production":
        raise ConfigError(
            "WEB_SECRET is required in production (at least 32 bytes); it signs logins and forms."
        )
    log.warning(
        "WEB_SECRET is not set: using a random secret for this process, so logins end when "
        "the server restarts. Set WEB_SECRET in .env to keep them."
    )
    return secrets.token_urlsafe(48)


def derive_key(secret: str, purpose: str) -> str:
    """A separate key per use (login tokens, reset links, forms) from the one WEB_SECRET."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def secure_cookies(settings: Settings) -> bool:
    """Secure cookies everywhere but plain-HTTP local development."""
    return settings.environment == "production" or settings.web_base_url.startswith("https://")


@dataclass(frozen=True)
class AuthConfig:
    """Per-app settings of the module-level wiring in web.auth, kept in app.state.auth."""

    secret: str
    secure: bool
    outbox: Outbox | None = None

    @classmethod
    def from_settings(cls, settings: Settings, outbox: Outbox | None = None) -> AuthConfig:
        return cls(secret=resolve_secret(settings), secure=secure_cookies(settings), outbox=outbox)

    @property
    def csrf_key(self) -> str:
        return derive_key(self.secret, "csrf")

    def set_session_cookie(self, response: Response, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=COOKIE_LIFETIME_SECONDS,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def clear_session_cookie(self, response: Response) -> None:
        response.delete_cookie(
            SESSION_COOKIE, path="/", secure=self.secure, httponly=True, samesite="lax"
        )


def auth_config(request: Request) -> AuthConfig:
    config: AuthConfig = request.app.state.auth
    return config


def resources_of(request: Request) -> WebResources:
    resources: WebResources = request.app.state.resources
    return resources
