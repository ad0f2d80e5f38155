"""A pooled MariaDB connection the server has ended is replaced at checkout, and a live one is
used without a ping (core.adapters.sql.database._check_on_checkout).

The server ends a connection here the ways it does in service: KILL CONNECTION from another
session, and its idle timeout (wait_timeout). A restart of the server is the outage tests'
(tests/integration/test_outages.py: the answer retried once the database is back).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pymysql.connections
import pytest
from sqlalchemy import Engine, text

from core.adapters.sql.database import make_engine, make_session_factory
from core.adapters.sql.unit_of_work import SqlUnitOfWork
from core.domain.model import ConversationRef
from core.domain.roles import Difficulty, Role


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every ping PyMySQL sends, by connection."""
    sent: list[object] = []
    original = pymysql.connections.Connection.ping

    def counted(self: pymysql.connections.Connection, reconnect: bool = True) -> None:
        sent.append(self)
        original(self, reconnect)

    monkeypatch.setattr(pymysql.connections.Connection, "ping", counted)
    return sent


def _engine(url: str, **options: float) -> Iterator[Engine]:
    engine = make_engine(url, **options)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(mysql_database: str) -> Iterator[Engine]:
    yield from _engine(mysql_database)


def _connection_id(engine: Engine) -> int:
    """The server's id of the connection the pool hands out next (it holds only one)."""
    with engine.connect() as conn:
        value = conn.execute(text("SELECT CONNECTION_ID()")).scalar()
        conn.commit()
    assert engine.pool.checkedout() == 0 and engine.pool.checkedin() == 1  # type: ignore[attr-defined]
    return int(value)


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    """Wait (bounded) for something the server does on its own time."""
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting until {what}")
        time.sleep(0.05)


def _gone(admin: Engine, connection_id: int) -> Callable[[], bool]:
    def check() -> bool:
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT COUNT(*) FROM information_schema.processlist WHERE id = :i"),
                {"i": connection_id},
            ).scalar()
        return found == 0

    return check


def _unit_of_work_runs(engine: Engine) -> None:
    """A whole unit of work (insert, commit) on whatever connection the pool hands out."""
    with SqlUnitOfWork(make_session_factory(engine)) as uow:
        identity = uow.identities.ensure(ConversationRef("slack", "T", "C", "U-live").user_ref)
        uow.sessions.add(
            identity_id=identity.id,
            conversation=ConversationRef("slack", "T", "C", "U-live", thread="t"),
            role=Role.BACKEND,
            difficulty=Difficulty.EASY,
            question_count=3,
            created_at=datetime.now(UTC),
        )
        uow.commit()


def test_a_live_pooled_connection_is_used_without_a_ping(
    engine: Engine, pings: list[object]
) -> None:
    first = _connection_id(engine)
    for _ in range(3):
        _unit_of_work_runs(engine)
    assert _connection_id(engine) == first
    assert pings == []


def test_a_connection_idle_longer_than_the_limit_is_pinged(
    mysql_database: str, pings: list[object]
) -> None:
    for engine in _engine(mysql_database, ping_idle_after=0):
        first = _connection_id(engine)
        _unit_of_work_runs(engine)
        assert len(pings) == 1  # the second checkout; a new connection is not pinged
        assert _connection_id(engine) == first  # alive: kept


def test_a_connection_killed_by_the_server_is_replaced_at_checkout(
    engine: Engine, mysql_database: str
) -> None:
    killed = _connection_id(engine)
    for admin in _engine(mysql_database):
        with admin.connect() as conn:
            conn.execute(text(f"KILL CONNECTION {killed}"))
        _wait_until(_gone(admin, killed), "the server has ended the connection")
    _unit_of_work_runs(engine)  # no error: the dead connection was found and replaced
    assert _connection_id(engine) != killed


def test_a_connection_the_server_dropped_for_idleness_is_replaced_at_checkout(
    engine: Engine, mysql_database: str, pings: list[object]
) -> None:
    with engine.connect() as conn:
        dropped = int(conn.execute(text("SELECT CONNECTION_ID()")).scalar_one())
        conn.execute(text("SET SESSION wait_timeout = 1"))  # as a managed server's idle limit
        conn.commit()
    for admin in _engine(mysql_database):
        _wait_until(_gone(admin, dropped), "the server has dropped the idle connection")
    _unit_of_work_runs(engine)
    assert _connection_id(engine) != dropped
    assert len(pings) == 1  # only the dead one was pinged (and failed), never the new one


def test_the_engine_s_connections_share_one_tls_context(engine: Engine) -> None:
    """PyMySQL offers TLS on every connection ("preferred" without TLS options): the context
    it builds for that, CA certificates loaded, is built once per engine, not per connection."""
    with engine.connect() as first, engine.connect() as second:
        contexts = {
            id(conn.connection.dbapi_connection.ctx)  # type: ignore[union-attr]
            for conn in (first, second)
        }
        assert first.connection.dbapi_connection is not second.connection.dbapi_connection
    assert len(contexts) == 1


def test_the_connection_returned_last_is_handed_out_first(engine: Engine) -> None:
    """At light traffic one connection does the work and the others may idle (and be pinged
    when next needed), rather than every connection idling in turn."""
    with engine.connect() as first, engine.connect() as second:
        ids = [
            int(conn.execute(text("SELECT CONNECTION_ID()")).scalar_one())
            for conn in (first, second)
        ]
        first.commit()
        second.commit()
        first.close()  # `second` goes back last
    handed_out = []
    for _ in range(3):
        with engine.connect() as conn:
            handed_out.append(int(conn.execute(text("SELECT CONNECTION_ID()")).scalar_one()))
            conn.commit()
    assert engine.pool.checkedin() == 2  # type: ignore[attr-defined]
    assert handed_out == [ids[1]] * 3
