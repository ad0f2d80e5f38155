"""The web companion's app factory. Creating the app is cheap; the core and engines come later."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import Enum

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from core.bootstrap import Core
from core.config import Settings
from web.auth import AuthConfig, UserCreate, UserRead, UserUpdate, bearer_backend, fastapi_users
from web.csrf import CsrfCookieMiddleware, require_csrf_with_cookie
from web.errors import install_error_handlers
from web.health import router as health_router
from web.limits import BodyLimitMiddleware, body_limit
from web.logs import redact_tokens_in_access_logs
from web.outbox import Outbox
from web.resources import WebResources
from web.routes import (
    account,
    api,
    banks,
    export,
    link,
    pages,
    practice,
    practice_api,
    progress,
)
from web.schemas import API_ERRORS
from web.security import SecurityHeadersMiddleware
from web.templating import STATIC_DIR, build_templates

API_DESCRIPTION = """
The JSON API of the interview companion: your history, analytics, linked chat identities,
export, and interviews in any client. Authenticate with a bearer token from
`POST /api/auth/jwt/login` (form fields `username` = e-mail, `password`).
Requests that ride on the browser's session cookie must send the page's `X-CSRF-Token` header.
"""


def create_app(
    settings: Settings | None = None, core: Core | None = None, *, outbox: Outbox | None = None
) -> FastAPI:
    """Build the app. Pass `core` to share an already wired core (tests, benchmarks), and
    `outbox` for where account mail goes in development (default `.data/outbox`)."""
    resources = WebResources(settings, core)
    settings = resources.settings
    auth = AuthConfig.from_settings(settings, outbox=outbox or Outbox())
    redact_tokens_in_access_logs()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Lambda runs with lifespan off (Mangum): nothing here may be needed to serve requests.
        yield
        await resources.aclose()

    app = FastAPI(
        title="Interview companion",
        version="1.0",
        description=API_DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,  # the stock docs pages load their scripts from a CDN; the schema is enough
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.resources = resources
    app.state.auth = auth
    app.state.csrf_key = auth.csrf_key
    app.state.templates = build_templates(settings)

    app.add_middleware(CsrfCookieMiddleware, secure=auth.secure)
    app.add_middleware(BodyLimitMiddleware, max_bytes=body_limit(settings.max_answer_chars))
    app.add_middleware(
        SecurityHeadersMiddleware, static_url=settings.web_static_url, hsts=auth.secure
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    _include_account_api(app)
    for module in (pages, account, practice, progress, link, export, banks):
        app.include_router(module.router)
    app.include_router(api.router, responses=API_ERRORS)
    app.include_router(practice_api.router, responses=API_ERRORS)
    app.include_router(health_router)
    install_error_handlers(app)
    return app


def _include_account_api(app: FastAPI) -> None:
    """fastapi-users' own JSON routes (bearer login, registration, reset, verification, users)."""
    csrf = [Depends(require_csrf_with_cookie)]
    routers: tuple[tuple[APIRouter, str, list[str | Enum]], ...] = (
        (fastapi_users.get_auth_router(bearer_backend), "/api/auth/jwt", ["auth"]),
        (fastapi_users.get_register_router(UserRead, UserCreate), "/api/auth", ["auth"]),
        (fastapi_users.get_reset_password_router(), "/api/auth", ["auth"]),
        (fastapi_users.get_verify_router(UserRead), "/api/auth", ["auth"]),
        (fastapi_users.get_users_router(UserRead, UserUpdate), "/api/users", ["users"]),
    )
    for router, prefix, tags in routers:
        app.include_router(
            router, prefix=prefix, tags=tags, dependencies=csrf, responses=API_ERRORS
        )
