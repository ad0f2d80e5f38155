"""A pooled MariaDB connection goes back to the pool with no transaction open, and without a
ROLLBACK after a COMMIT that already ended it (core.adapters.sql.database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pymysql.connections
import pytest
from sqlalchemy import Engine, text

from core.adapters.sql.database import make_engine, make_session_factory
from core.adapters.sql.unit_of_work import SqlUnitOfWork
from core.domain.model import ConversationRef
from core.domain.roles import Difficulty, Role


@pytest.fixture
def engine(mysql_database: str) -> Iterator[Engine]:
    engine = make_engine(mysql_database)
    yield engine
    engine.dispose()


@pytest.fixture
def rollbacks(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every ROLLBACK PyMySQL sends, by connection."""
    sent: list[object] = []
    original = pymysql.connections.Connection.rollback

    def counted(self: pymysql.connections.Connection) -> None:
        sent.append(self)
        original(self)

    monkeypatch.setattr(pymysql.connections.Connection, "rollback", counted)
    return sent


def _new_session(engine: Engine) -> int:
    """A session row to lock and update (its unit of work opens the pool's one connection)."""
    with SqlUnitOfWork(make_session_factory(engine)) as uow:
        identity = uow.identities.ensure(ConversationRef("slack", "T", "C", "U-pool").user_ref)
        session = uow.sessions.add(
            identity_id=identity.id,
            conversation=ConversationRef("slack", "T", "C", "U-pool", thread="t"),
            role=Role.BACKEND,
            difficulty=Difficulty.EASY,
            question_count=3,
            created_at=datetime.now(UTC),
        )
        uow.commit()
    return session.id


def _lock_is_free(database_url: str, session_id: int) -> bool:
    """Another connection can lock the session's row at once (NOWAIT fails if it is held)."""
    other = make_engine(database_url)
    try:
        with other.connect() as conn:
            locked = conn.execute(
                text("SELECT id FROM interview_sessions WHERE id = :i FOR UPDATE NOWAIT"),
                {"i": session_id},
            ).scalar()
        return bool(locked == session_id)
    finally:
        other.dispose()


def _in_transaction(engine: Engine) -> int:
    """@@in_transaction of the connection the pool hands out next (the only one it holds)."""
    assert engine.pool.checkedout() == 0 and engine.pool.checkedin() == 1  # type: ignore[attr-defined]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT @@in_transaction")
        return int(cursor.fetchone()[0])
    finally:
        raw.close()


def test_a_committed_unit_of_work_sends_no_rollback(
    engine: Engine, rollbacks: list[object]
) -> None:
    session_id = _new_session(engine)
    rollbacks.clear()  # connecting rolls back once: only what follows counts
    with SqlUnitOfWork(make_session_factory(engine)) as uow:
        uow.sessions.touch(session_id, datetime.now(UTC))
        uow.commit()
    assert rollbacks == []
    assert _in_transaction(engine) == 0


def test_a_unit_of_work_left_open_is_rolled_back_and_its_locks_released(
    engine: Engine, rollbacks: list[object], mysql_database: str
) -> None:
    session_id = _new_session(engine)
    rollbacks.clear()  # connecting rolls back once: only what follows counts
    with pytest.raises(RuntimeError), SqlUnitOfWork(make_session_factory(engine)) as uow:
        assert uow.sessions.get(session_id, for_update=True) is not None  # row lock taken
        raise RuntimeError("a fault before the commit")
    assert len(rollbacks) == 1
    assert _lock_is_free(mysql_database, session_id)


def test_a_read_only_unit_of_work_is_rolled_back_on_return(
    engine: Engine, rollbacks: list[object]
) -> None:
    session_id = _new_session(engine)
    rollbacks.clear()  # connecting rolls back once: only what follows counts
    with SqlUnitOfWork(make_session_factory(engine, read_only=True), read_only=True) as uow:
        assert uow.sessions.get(session_id) is not None  # InnoDB read: a transaction is open
    assert len(rollbacks) == 1
    assert _in_transaction(engine) == 0


def test_a_connection_used_through_the_driver_alone_is_rolled_back_on_return(
    engine: Engine, rollbacks: list[object], mysql_database: str
) -> None:
    session_id = _new_session(engine)  # its COMMIT marked the connection's transaction ended
    rollbacks.clear()
    raw = engine.raw_connection()  # no SQLAlchemy event sees what runs on it
    cursor = raw.cursor()
    cursor.execute("SELECT id FROM interview_sessions WHERE id = %s FOR UPDATE", (session_id,))
    raw.close()
    assert len(rollbacks) == 1
    assert _lock_is_free(mysql_database, session_id)
