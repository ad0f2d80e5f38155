"""Web app fixtures: a wired core (offline evaluator) on each backend, and an httpx test client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.adapters.offline.evaluator import OfflineEvaluator, OfflineQuestionWriter
from core.bootstrap import Core, build_core
from core.config import Settings
from tests.conftest import migrated_copy
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
