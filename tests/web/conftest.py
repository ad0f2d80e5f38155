"""Web app fixtures: a wired core (offline evaluator) on each backend, and an httpx test client."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cache
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from mangum import Mangum

from core.adapters.offline.evaluator import OfflineEvaluator, OfflineQuestionWriter
from core.bootstrap import Core, build_core
from core.config import Settings
from tests.conftest import Backend, _truncate, migrated_copy
from web.app import Binding, bind, binding_of, create_app, restore
from web.outbox import Outbox

Serving = Callable[[Core], AbstractContextManager[TestClient]]
LambdaServing = Callable[[Core], AbstractContextManager[Mangum]]
SECRET = "test-secret-for-the-web-companion-0123456789"


def web_settings(
    database_url: str, redis_url: str, prefix: str = "ib:", **overrides: object
) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "redis_url": redis_url,
        "redis_prefix": prefix,
        "web_secret": SECRET,
        "quota_per_day": 20,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def wired_core(settings: Settings) -> Core:
    return build_core(
        settings, auto_migrate=True, llm=(OfflineEvaluator(), OfflineQuestionWriter())
    )


@pytest.fixture
def core(backend) -> Iterator[Core]:  # type: ignore[no-untyped-def]
    """SQLite + in-process Redis stand-in, then MariaDB + Redis (see tests/conftest.py)."""
    wired = wired_core(web_settings(backend.database_url, backend.redis_url, backend.redis_prefix))
    yield wired
    wired.close()


EmbeddedSettings = Callable[..., Settings]


@pytest.fixture
def embedded_settings(tmp_path: Path, migrated_sqlite: Path) -> EmbeddedSettings:
    """`embedded_settings(**overrides)`: the tests' settings on the embedded default, each call
    with a database of its own at the head (a copy of the migrated template) and an in-process
    Redis stand-in of its own."""
    made = itertools.count(1)

    def settings(**overrides: object) -> Settings:
        own = f"{tmp_path.name}-{next(made)}"
        database_url = migrated_copy(migrated_sqlite, tmp_path / f"{own}.db")
        return web_settings(database_url, f"memory://{own}", **overrides)

    return settings


@pytest.fixture
def embedded_core(embedded_settings: EmbeddedSettings) -> Iterator[Core]:
    """For behaviour that does not depend on the database: the embedded default only."""
    wired = wired_core(embedded_settings())
    yield wired
    wired.close()


@pytest.fixture
def outbox(tmp_path) -> Outbox:  # type: ignore[no-untyped-def]
    """Where the app under test writes account mail (reset and verification links)."""
    return Outbox(tmp_path / "outbox")


# ------------------------------------------------------------------- one app per process
# FastAPI prepares each route's dependencies on the route's first request, once per app
# (~0.3 CPU-s for the ~65 routes), and an app compiles its templates and OpenAPI schema once:
# with an app per test that was a fifth of the web tests' CPU. So each test process builds one
# app (`web_app`) and each test binds its own core, outbox and resources to it (web.app.bind):
# a new TestClient (no cookies, its own event loop), whose lifespan closes the test's
# resources on that loop when the test ends. Tests that watch an app load (test_areas.py) or
# need other settings build their own app with create_app, as production does.
@pytest.fixture(scope="session")
def web_app() -> Iterator[FastAPI]:
    app = _process_app()
    unbound = binding_of(app)
    yield app
    assert _same(binding_of(app), unbound), "a test left its core bound to the shared app"
    assert not unbound.resources.connected and unbound.resources.released


@cache  # one for tests/web and tests/banks/web, whose conftests each hold the fixture
def _process_app() -> FastAPI:
    # Only what the app is built with is read from these settings (web.app.FIXED_AT_CREATION):
    # every request is served from a test's binding. A request served without one would fail
    # to open this database (its "folder" is this file) rather than create one.
    unbound = f"sqlite:///{Path(__file__).resolve() / 'unbound.db'}"
    return create_app(web_settings(unbound, "memory://unbound"))


def serve(app: FastAPI, core: Core, outbox: Outbox) -> Iterator[TestClient]:
    """`app` serving `core` to a new browser for one test, then bound back as it was."""
    previous = bind(app, core, outbox=outbox)
    mine = binding_of(app)
    try:
        with TestClient(app, base_url="http://127.0.0.1") as test_client:
            yield test_client
    finally:
        current = binding_of(app)
        restore(app, previous)
    assert _same(current, mine), "something else was bound to the app during the test"
    assert mine.resources.released, "the lifespan left the test's resources open"


@pytest.fixture
def serving(web_app: FastAPI, outbox: Outbox) -> Serving:
    """`with serving(core) as client:` is `client` for a core the test wires itself (settings
    of its own that the app is not built with, a model of its own)."""
    return lambda core: contextmanager(serve)(web_app, core, outbox)


@pytest.fixture
def on_lambda_handler(web_app: FastAPI, outbox: Outbox) -> LambdaServing:
    """`with on_lambda_handler(core) as handler:` is the web function's handler (Mangum, with
    no lifespan) over the process's app serving `core`, which must be an embedded one: without
    a lifespan the test's resources are closed here, on a loop of their own, which only
    aiosqlite's engine (it pools no connection) allows."""

    @contextmanager
    def serve_lambda(core: Core) -> Iterator[Mangum]:
        assert core.settings.database_url.startswith("sqlite"), "an embedded core only"
        previous = bind(web_app, core, outbox=outbox)
        mine = binding_of(web_app)
        from web.aws_lambda import build_handler  # registers the SnapStart hooks: only here

        try:
            yield build_handler(web_app)
        finally:
            current = binding_of(web_app)
            restore(web_app, previous)
            asyncio.run(mine.resources.aclose())
        assert _same(current, mine), "something else was bound to the app during the test"

    return serve_lambda


def _same(one: Binding, other: Binding) -> bool:
    return one.resources is other.resources and one.auth is other.auth


def fresh_client(core: Core, outbox: Outbox) -> Iterator[TestClient]:
    """An app of its own, built as production builds it, for tests that watch a new app."""
    # One client per app: its event loop owns the async engine's pooled connections.
    with TestClient(create_app(core=core, outbox=outbox), base_url="http://127.0.0.1") as fresh:
        yield fresh


@pytest.fixture
def client(web_app: FastAPI, core: Core, outbox: Outbox) -> Iterator[TestClient]:
    yield from serve(web_app, core, outbox)


@pytest.fixture
def embedded_client(web_app: FastAPI, embedded_core: Core, outbox: Outbox) -> Iterator[TestClient]:
    yield from serve(web_app, embedded_core, outbox)


# ----------------------------------------------------------- one core for a module's tests
# Tests that only add accounts of their own (fresh e-mails) and read what those accounts see
# can share one core and database per module (a migrated copy and a wired core a test less):
# `shared_client`, served by the process's app like any other. Each test still starts with no
# cookies (a new browser), resources of its own (its async engine, its background
# evaluations) and an empty Redis (attempt limits, quotas and caches as a new app's), so the
# tests stay independent of each other and of their order. Tests that count rows of the whole
# database or read the outbox keep `client` (a core of their own).
@pytest.fixture(
    scope="module",
    params=["embedded", pytest.param("mariadb+redis", marks=pytest.mark.integration)],
)
def module_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """`backend` (tests/conftest.py) for a whole module: one database on each backend."""
    prefix = f"ib-test:{uuid.uuid4().hex[:10]}:"
    if request.param == "embedded":
        template = request.getfixturevalue("migrated_sqlite")
        folder = tmp_path_factory.mktemp("shared-web")
        database_url = migrated_copy(template, folder / "interviewbot.db")
        yield Backend("embedded", database_url, f"memory://{folder.name}", prefix)
        return
    database_url = request.getfixturevalue("mysql_database")
    yield Backend(
        "mariadb+redis", database_url, request.getfixturevalue("redis_server_url"), prefix
    )
    _truncate(database_url)


@pytest.fixture(scope="module")
def shared_core(
    module_backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Core, Outbox]]:
    yield from _module_core(module_backend, tmp_path_factory)


@pytest.fixture
def shared_client(web_app: FastAPI, shared_core: tuple[Core, Outbox]) -> Iterator[TestClient]:
    """The module's core (see above) as a new browser sees it, with a new app's Redis."""
    yield from _as_new(web_app, *shared_core)


@pytest.fixture(scope="module")
def shared_embedded_core(
    migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Core, Outbox]]:
    folder = tmp_path_factory.mktemp("shared-embedded-web")
    database_url = migrated_copy(migrated_sqlite, folder / "web.db")
    prefix = f"ib-test:{uuid.uuid4().hex[:10]}:"
    embedded = Backend("embedded", database_url, f"memory://{folder.name}", prefix)
    yield from _module_core(embedded, tmp_path_factory)


@pytest.fixture
def shared_embedded_client(
    web_app: FastAPI, shared_embedded_core: tuple[Core, Outbox]
) -> Iterator[TestClient]:
    """`shared_client` on the embedded default only (as `embedded_client` is)."""
    yield from _as_new(web_app, *shared_embedded_core)


def _module_core(
    backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Core, Outbox]]:
    wired = wired_core(web_settings(backend.database_url, backend.redis_url, backend.redis_prefix))
    yield wired, Outbox(tmp_path_factory.mktemp("shared-outbox"))
    _forget_redis(wired)
    wired.close()


def _as_new(app: FastAPI, wired: Core, outbox: Outbox) -> Iterator[TestClient]:
    _forget_redis(wired)
    yield from serve(app, wired, outbox)


def _forget_redis(wired: Core) -> None:
    keys = list(wired.redis.scan_iter(f"{wired.settings.redis_prefix}*"))
    if keys:
        wired.redis.delete(*keys)
