"""Web app fixtures: a wired core (offline evaluator) on each backend, and an httpx test client."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.adapters.offline.evaluator import OfflineEvaluator, OfflineQuestionWriter
from core.bootstrap import Core, build_core
from core.config import Settings
from tests.conftest import Backend, _truncate, migrated_copy
from web.app import create_app
from web.outbox import Outbox

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


@pytest.fixture
def embedded_core(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Core]:
    """For behaviour that does not depend on the database: the embedded default only."""
    database_url = migrated_copy(migrated_sqlite, tmp_path / "web.db")
    wired = wired_core(web_settings(database_url, f"memory://{tmp_path.name}"))
    yield wired
    wired.close()


@pytest.fixture
def outbox(tmp_path) -> Outbox:  # type: ignore[no-untyped-def]
    """Where the app under test writes account mail (reset and verification links)."""
    return Outbox(tmp_path / "outbox")


@pytest.fixture
def client(core: Core, outbox: Outbox) -> Iterator[TestClient]:
    # One client per app: its event loop owns the async engine's pooled connections.
    app = create_app(core=core, outbox=outbox)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def embedded_client(embedded_core: Core, outbox: Outbox) -> Iterator[TestClient]:
    app = create_app(core=embedded_core, outbox=outbox)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


# ------------------------------------------------------------ one app for a module's tests
# Building an app is cheap, but its first request prepares every route's dependencies (FastAPI
# does it lazily, once per app: ~0.3 CPU-s for the ~65 routes). Tests that only add accounts of
# their own (fresh e-mails) and read what those accounts see can share one app, core and
# database per module: `shared_client`. Each test still starts with no cookies (a new browser)
# and an empty Redis (attempt limits, quotas and caches as a new app's), so the tests stay
# independent of each other and of their order. Tests that change the app's settings, count
# rows of the whole database or read the outbox keep `client` (an app of their own).
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
def shared_app(
    module_backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Core]]:
    yield from _serve(module_backend, tmp_path_factory)


@pytest.fixture
def shared_client(shared_app: tuple[TestClient, Core]) -> TestClient:
    """The module's app (see above) as a new browser sees it, with a new app's Redis."""
    return _as_new(*shared_app)


@pytest.fixture(scope="module")
def shared_embedded_app(
    migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Core]]:
    folder = tmp_path_factory.mktemp("shared-embedded-web")
    database_url = migrated_copy(migrated_sqlite, folder / "web.db")
    prefix = f"ib-test:{uuid.uuid4().hex[:10]}:"
    embedded = Backend("embedded", database_url, f"memory://{folder.name}", prefix)
    yield from _serve(embedded, tmp_path_factory)


@pytest.fixture
def shared_embedded_client(shared_embedded_app: tuple[TestClient, Core]) -> TestClient:
    """`shared_client` on the embedded default only (as `embedded_client` is)."""
    return _as_new(*shared_embedded_app)


def _serve(
    backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Core]]:
    wired = wired_core(web_settings(backend.database_url, backend.redis_url, backend.redis_prefix))
    outbox = Outbox(tmp_path_factory.mktemp("shared-outbox"))
    with TestClient(create_app(core=wired, outbox=outbox), base_url="http://127.0.0.1") as client:
        yield client, wired
    _forget_redis(wired)
    wired.close()


def _as_new(client: TestClient, wired: Core) -> TestClient:
    client.cookies.clear()
    _forget_redis(wired)
    return client


def _forget_redis(wired: Core) -> None:
    keys = list(wired.redis.scan_iter(f"{wired.settings.redis_prefix}*"))
    if keys:
        wired.redis.delete(*keys)
