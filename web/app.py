"""The web companion's app factory. Creating the app is cheap; the core and engines come later."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from core.bootstrap import Core
from core.config import Settings
from web import STATIC_DIR
from web.areas import AreaLoader, Areas
from web.auth_config import AuthConfig
from web.csrf import CsrfCookieMiddleware
from web.errors import install_error_handlers
from web.health import router as health_router
from web.limits import BodyLimitMiddleware, body_limit
from web.logs import redact_tokens_in_access_logs
from web.outbox import Outbox
from web.resources import WebResources
from web.security import SecurityHeadersMiddleware

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
        # What the app serves from at exit: `resources` unless a test has bound others (bind).
        await app.state.resources.aclose()

    app = FastAPI(
        title="Interview companion",
        version="1.0",
        description=API_DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,  # the stock docs pages load their scripts from a CDN; the schema is enough
        redoc_url=None,
        lifespan=lifespan,
    )
    _install(app, Binding(resources, auth))

    # A setting read here (or by web.templating.build_templates) belongs in FIXED_AT_CREATION.
    app.add_middleware(CsrfCookieMiddleware, secure=auth.secure)
    app.add_middleware(BodyLimitMiddleware, max_bytes=body_limit(settings.max_answer_chars))
    app.add_middleware(
        SecurityHeadersMiddleware, static_url=settings.web_static_url, hsts=auth.secure
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.include_router(health_router)
    # Everything else is loaded by the first request that needs it (web.areas).
    areas = Areas(app)
    app.state.areas = areas
    app.add_middleware(AreaLoader, areas=areas)
    _schema_of_every_area(app, areas)
    install_error_handlers(app)
    return app


def _schema_of_every_area(app: FastAPI, areas: Areas) -> None:
    """The OpenAPI schema (its route, and any caller of app.openapi) describes the whole API."""
    build_schema = app.openapi

    def openapi() -> dict[str, Any]:
        areas.load_all()
        return build_schema()

    app.openapi = openapi  # type: ignore[method-assign]


# --------------------------------------------------------- one app for many cores (tests)
# FastAPI prepares each route's dependencies on the route's first request, once per app, and
# an app compiles its templates once: a test suite that built an app per test spent a fifth of
# its CPU there. Tests and benchmarks can build one app and bind each test's core to it.

# The settings create_app bakes into the app (the CSRF cookie's Secure flag and name, the
# body cap, the security headers) and those web.templating builds the app's templates from.
FIXED_AT_CREATION = (
    "environment",
    "web_base_url",
    "max_answer_chars",
    "web_static_url",
    "quota_timezone",
)


@dataclass(frozen=True)
class Binding:
    """What an app serves requests from (everything the routes read from app.state)."""

    resources: WebResources
    auth: AuthConfig


def binding_of(app: FastAPI) -> Binding:
    return Binding(app.state.resources, app.state.auth)


def bind(app: FastAPI, core: Core, *, outbox: Outbox | None = None) -> Binding:
    """Serve `app`'s requests from `core` (new resources: async engine, background evaluations)
    and `outbox` from now on; return the previous binding, for `restore`. For tests and
    benchmarks: production builds one app per process and never calls this.

    The caller closes the new resources on the event loop that used them (the lifespan closes
    whatever is bound when it exits, so binding before a TestClient's `with` does that).
    A core whose settings differ from the app's on what the app was built with is refused."""
    current: Settings = app.state.resources.settings
    differ = [
        name for name in FIXED_AT_CREATION if getattr(core.settings, name) != getattr(current, name)
    ]
    if differ:
        raise ValueError(
            f"this app was built with other {', '.join(differ)}: build an app for these "
            "settings (create_app) instead of binding them"
        )
    previous = binding_of(app)
    auth = AuthConfig.from_settings(core.settings, outbox=outbox or Outbox())
    _install(app, Binding(WebResources(core=core), auth))
    return previous


def restore(app: FastAPI, binding: Binding) -> None:
    """Serve `app` from `binding` again (what `bind` returned)."""
    _install(app, binding)


def _install(app: FastAPI, binding: Binding) -> None:
    app.state.resources = binding.resources
    app.state.auth = binding.auth
    app.state.csrf_key = binding.auth.csrf_key
