"""Shared fixtures: real MariaDB + Redis and the embedded defaults, each test isolated.

In CI (INTERVIEWBOT_REQUIRE_SERVICES=1, set by .ci/run) a missing service FAILS the run; a
developer without the services gets a visible skip instead.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

MYSQL_ADMIN_URL = os.environ.get("TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("INTERVIEWBOT_REQUIRE_SERVICES") == "1"

# Compiled modules are cached in __pycache__ (git-ignored) even where PYTHONDONTWRITEBYTECODE
# is set (as in some container images): without the cache each pytest-xdist worker compiled
# and assertion-rewrote every module again (4 s of its start), and each `interviewbot`
# process a test starts compiled the project's modules again (0.15 s a start). Set here,
# before the workers and those processes start, it reaches them all.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def _unavailable(what: str, exc: Exception) -> None:
    message = f"{what} is not reachable ({exc.__class__.__name__}: {exc})"
    if REQUIRE_SERVICES:
        pytest.fail(message + " — services are required in CI", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def mysql_database() -> Iterator[str]:
    """A fresh database for this test run, migrated to head, dropped at the end."""
    admin = create_engine(MYSQL_ADMIN_URL)
    name = f"ib_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    except Exception as exc:
        _unavailable("MariaDB", exc)
    url = make_url(MYSQL_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    from core.adapters.sql import migrate
    from core.adapters.sql.database import make_engine

    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
    admin.dispose()


@pytest.fixture(scope="session")
def redis_server_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        _unavailable("Redis", exc)
    return REDIS_URL


@dataclass
class Backend:
    name: str
    database_url: str
    redis_url: str
    redis_prefix: str


TABLES = (
    "bank_choices",
    "bank_questions",
    "bank_versions",
    "qotd_weekly_boards",
    "qotd_members",
    "qotd_answers",
    "qotd_posts",
    "qotd_schedules",
    "attempt_tags",
    "link_codes",
    "llm_calls",
    "attempts",
    "session_questions",
    "interview_sessions",
    "review_events",
    "reminder_sends",
    "reminders",
    "identities",
    "access_tokens",
    "users",
)


SERVICE_FIXTURES = {
    "mysql_database",
    "redis_server_url",
    "private_redis",
    "private_mariadb",
    "redis_cluster",
    "private_redis_cluster",
}
# A fresh interpreter running the installed command: end to end as far as a process goes (its
# start-up, entry point, exit status, real pipes), and 1-2 CPU-seconds a start.
PROCESS_FIXTURES = {"fresh_process"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tiers by what a test needs: `integration` (real MariaDB/Redis), `infra`, `e2e` (a
    browser, or the installed command in fresh processes).

    `make test-fast` runs the rest (unit, adapter and surface tests on fakes and the embedded
    default); `make test` runs everything."""
    for item in items:
        parts = item.path.parts
        if "infra" in parts:
            item.add_marker(pytest.mark.infra)
        if "e2e" in parts:
            item.add_marker(pytest.mark.e2e)
        needs = set(getattr(item, "fixturenames", ()))
        # The services, and the private servers started from their binaries (redis-server,
        # mariadbd). A fixture that asks for one only for some params marks those params.
        if needs & SERVICE_FIXTURES:
            item.add_marker(pytest.mark.integration)
        if needs & PROCESS_FIXTURES:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """The `interviewbot` command run in this process (tests/cli_runner.py says how it stays
    what a run of its own is)."""
    from tests.cli_runner import InProcessCli

    return InProcessCli(monkeypatch, capsys)


@pytest.fixture
def fresh_process():  # type: ignore[no-untyped-def]
    """The installed `interviewbot` command in a fresh process; puts the test in the e2e tier."""
    from tests.cli_runner import run_installed

    return run_installed


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file Alembic migrated to the head, once per test process."""
    from core.adapters.sql import migrate
    from core.adapters.sql.database import make_engine

    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL: the file alone is the database
    return path


def migrated_copy(template: Path, path: Path) -> str:
    """`sqlite:///path`, a fresh database at the head: a copy of the migrated template, which
    the core finds at the head and does not migrate again (migrating took 60-200 ms a test;
    the migrations themselves are tested down and up in tests/integration/test_persistence.py,
    and run by the template and by every terminal command started on a new file)."""
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["embedded", pytest.param("mariadb+redis", marks=pytest.mark.integration)])
def backend(request: pytest.FixtureRequest, tmp_path) -> Iterator[Backend]:  # type: ignore[no-untyped-def]
    """Each guard test runs on SQLite + in-process Redis stand-in and on MariaDB + Redis."""
    prefix = f"ib-test:{uuid.uuid4().hex[:10]}:"
    if request.param == "embedded":
        template = request.getfixturevalue("migrated_sqlite")
        database_url = migrated_copy(template, tmp_path / "interviewbot.db")
        yield Backend("embedded", database_url, f"memory://{prefix}", prefix)
        return
    database_url = request.getfixturevalue("mysql_database")
    redis_url = request.getfixturevalue("redis_server_url")
    yield Backend("mariadb+redis", database_url, redis_url, prefix)
    _truncate(database_url)
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


def _truncate(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for table in TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
    engine.dispose()


# ---------------------------------------------------------------- private servers to kill
# Tests that crash a database or a Redis start their own on free ports (tests/integration/
# servers.py) and stop them by PID; the shared services on 3306/6379 are never stopped.


@pytest.fixture
def private_redis(tmp_path):  # type: ignore[no-untyped-def]
    """A redis-server of this test's own (no persistence), stopped afterwards."""
    from tests.integration.servers import RedisServer, ServerFailed

    server = RedisServer(tmp_path / "redis")
    try:
        server.start()
    except ServerFailed as exc:
        server.stop()
        _unavailable("a private redis-server", exc)
    yield server
    server.stop()


@pytest.fixture
def private_redis_cluster(tmp_path):  # type: ignore[no-untyped-def]
    """A 3-node Redis Cluster of this test's own, for tests that crash one of its nodes."""
    from tests.integration.servers import RedisClusterServers, ServerFailed

    cluster = RedisClusterServers(tmp_path / "private-cluster")
    try:
        cluster.start()
    except ServerFailed as exc:  # start() stopped the nodes it had started
        _unavailable("a 3-node Redis Cluster", exc)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A real 3-node Redis Cluster (redis-server --cluster-enabled yes + redis-cli --cluster
    create). In CI (INTERVIEWBOT_REQUIRE_SERVICES=1) failing to start it fails the run."""
    from tests.integration.servers import RedisClusterServers, ServerFailed

    cluster = RedisClusterServers(tmp_path_factory.mktemp("redis-cluster"))
    try:
        cluster.start()
    except ServerFailed as exc:
        _unavailable("a 3-node Redis Cluster", exc)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def private_mariadb(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A MariaDB server of this run's own, for tests that crash it."""
    from tests.integration.servers import MariaDbServer, ServerFailed

    server = MariaDbServer(tmp_path_factory.mktemp("mariadb"))
    try:
        server.install().start()
    except ServerFailed as exc:
        server.stop()
        _unavailable("a private MariaDB server", exc)
    yield server
    server.stop()


# ---------------------------------------------------------------- password hashing cost
@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """Argon2id at its lowest cost for the test run: the same algorithm, library and code path
    (fastapi-users' PasswordHelper through pwdlib), but about 1 ms a hash instead of 125 ms.
    The web tests register and sign in hundreds of times; at the production cost that alone
    was most of their run time. Production keeps pwdlib's recommended parameters."""
    try:
        from fastapi_users.password import PasswordHelper
        from pwdlib import PasswordHash
        from pwdlib.hashers.argon2 import Argon2Hasher
    except ImportError:  # installed without the web extra: nothing hashes passwords
        yield
        return
    original = PasswordHelper.__init__

    def cheap(self: PasswordHelper, password_hash: PasswordHash | None = None) -> None:
        fast = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1)
        original(self, password_hash or PasswordHash((fast,)))

    PasswordHelper.__init__ = cheap  # type: ignore[method-assign]
    yield
    PasswordHelper.__init__ = original  # type: ignore[method-assign]
