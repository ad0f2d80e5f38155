"""The app's areas, loaded on demand: a cold Lambda imports only what its first request needs.

Importing every route module (fastapi-users' routers, Jinja, the services' pydantic models)
and preparing every route cost a cold start more than the web stack's own libraries, while a
health check needs none of it and a history page needs only the pages. So the app is built
with its cheap routes (`/healthz`, `/static`) and this table of areas: the first request whose
path falls in an area imports that area's modules and includes its routers, once (a lock makes
concurrent first requests wait for one load). The OpenAPI schema loads every area first, so
`/api/openapi.json` always describes the whole API.

An area is chosen by path prefix, the most specific first; the history pages take any path
no other area claims (so an unknown path loads them, and gets their 404 page). A test
(tests/web/test_areas.py) checks that every route is claimed by the area that registers it.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

Loader = Callable[["Areas"], None]


@dataclass(frozen=True)
class Area:
    """Routes whose paths start with one of `prefixes` (at a `/` or `.` boundary, or whole)."""

    name: str
    prefixes: tuple[str, ...]
    load: Loader | None  # None: served by the routes the app is built with

    def claims(self, path: str) -> bool:
        return any(_under(path, prefix) for prefix in self.prefixes)


def _under(path: str, prefix: str) -> bool:
    if not path.startswith(prefix):
        return False
    rest = path[len(prefix) :]
    return not rest or prefix.endswith(("/", ".")) or rest.startswith("/")


class Areas:
    """Which areas of one app are loaded, and loading the one a path needs."""

    def __init__(self, app: FastAPI, table: tuple[Area, ...] | None = None) -> None:
        self.app = app
        self.table = AREAS if table is None else table
        self.included: dict[str, list[tuple[str, APIRouter]]] = {}  # area -> (prefix, router)
        self._loaded: set[str] = {area.name for area in self.table if area.load is None}
        self._lock = threading.Lock()
        self._loading: str | None = None
        self._pending: list[tuple[APIRouter, str, dict[str, Any]]] = []

    def area_for(self, path: str) -> Area:
        """The area claiming `path`; a path none claims ("*" of `OPTIONS *`, the empty path of
        an absolute-form request line) goes to the last area, the catch-all, whose router
        answers it (a 404), as the whole app did before areas."""
        for area in self.table:
            if area.claims(path):
                return area
        return self.table[-1]

    def ready_for(self, path: str) -> bool:
        if self.all_loaded:  # a warm app: every request after the last area loaded
            return True
        if path == self.app.openapi_url:
            return False
        return self.area_for(path).name in self._loaded

    @property
    def all_loaded(self) -> bool:
        return len(self._loaded) == len(self.table)  # names are unique in a table

    def load_for(self, path: str) -> None:
        """Load what serving `path` needs: its area, or every area for the OpenAPI schema."""
        if path == self.app.openapi_url:
            self.load_all()
        else:
            self.load(self.area_for(path))

    def load_all(self) -> None:
        for area in self.table:
            self.load(area)

    def load(self, area: Area) -> None:
        if area.name in self._loaded:
            return
        with self._lock:
            if area.name in self._loaded or area.load is None:
                return
            self._loading = area.name
            self._pending = []
            try:
                area.load(self)
                # Only a loader that finished adds its routers: one that failed half-way adds
                # none, so the next request's retry cannot include a router twice.
                for router, prefix, options in self._pending:
                    self.app.include_router(router, prefix=prefix, **options)
                    self.included.setdefault(area.name, []).append((prefix, router))
            finally:
                self._loading = None
                self._pending = []
            self._loaded.add(area.name)

    def include(self, router: APIRouter, prefix: str = "", **options: Any) -> None:
        """Include an area's router (called by the loaders) once its loader has finished."""
        assert self._loading is not None, "routers are included by an area's loader"
        self._pending.append((router, prefix, options))


class AreaLoader:
    """ASGI middleware: before a request is routed, load the area its path belongs to.

    The import runs in a worker thread, so a long-running server keeps serving other requests
    meanwhile; once an area is loaded a request pays one set lookup."""

    def __init__(self, app: ASGIApp, areas: Areas) -> None:
        self.app = app
        self.areas = areas

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            path = _route_path(scope)
            if not self.areas.ready_for(path):
                await anyio.to_thread.run_sync(self.areas.load_for, path)
        await self.app(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The path the router matches: without the mount point (root_path), by Starlette's rule
    (starlette._utils.get_route_path): the root is cut only at a `/` boundary."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if not root or not path.startswith(root):
        return path
    if path == root:
        return ""
    return path[len(root) :] if path[len(root)] == "/" else path


# --- the loaders: each imports its area's modules (that import is the point of an area) ---


def _account_api(areas: Areas) -> None:
    """fastapi-users' own JSON routes (bearer login, registration, reset, verification, users)."""
    from web.auth import UserCreate, UserRead, UserUpdate, bearer_backend, fastapi_users
    from web.csrf import require_csrf_with_cookie
    from web.schemas import API_ERRORS

    csrf = [Depends(require_csrf_with_cookie)]
    routers: tuple[tuple[APIRouter, str, list[str | Enum]], ...] = (
        (fastapi_users.get_auth_router(bearer_backend), "/api/auth/jwt", ["auth"]),
        (fastapi_users.get_register_router(UserRead, UserCreate), "/api/auth", ["auth"]),
        (fastapi_users.get_reset_password_router(), "/api/auth", ["auth"]),
        (fastapi_users.get_verify_router(UserRead), "/api/auth", ["auth"]),
        (fastapi_users.get_users_router(UserRead, UserUpdate), "/api/users", ["users"]),
    )
    for router, prefix, tags in routers:
        areas.include(router, prefix, tags=tags, dependencies=csrf, responses=API_ERRORS)


def _practice_api(areas: Areas) -> None:
    from web.routes import practice_api
    from web.schemas import API_ERRORS

    areas.include(practice_api.router, responses=API_ERRORS)


def _api(areas: Areas) -> None:
    from web.routes import api
    from web.schemas import API_ERRORS

    areas.include(api.router, responses=API_ERRORS)


def _export(areas: Areas) -> None:
    from web.routes import export

    areas.include(export.router)


def _page_module(name: str) -> Loader:
    """A loader of one module of server-rendered pages (web.routes.<name>)."""

    def load(areas: Areas) -> None:
        areas.include(importlib.import_module(f"web.routes.{name}").router)

    return load


ACCOUNT_PAGES = ("/login", "/logout", "/register", "/forgot-password", "/reset-password")

AREAS: tuple[Area, ...] = (
    Area("health", ("/healthz", "/static"), None),
    Area("account-api", ("/api/auth", "/api/users"), _account_api),
    Area("practice-api", ("/api/practice",), _practice_api),
    Area("export", ("/api/export", "/export."), _export),
    Area("api", ("/api",), _api),
    # The pages link to one another by plain paths (no url_for), so each module can load alone.
    Area("account", (*ACCOUNT_PAGES, "/verify", "/account"), _page_module("account")),
    Area("practice", ("/practice",), _page_module("practice")),
    Area("progress", ("/progress",), _page_module("progress")),
    Area("link", ("/link",), _page_module("link")),
    Area("banks", ("/banks",), _page_module("banks")),
    Area("pages", ("/",), _page_module("pages")),  # the history pages, and any other path
)
