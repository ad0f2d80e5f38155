"""SQLite (the embedded default): reads never take the write lock.

Writers still begin with BEGIN IMMEDIATE and queue one after another; readers begin a deferred
transaction, which in WAL mode reads a snapshot without waiting. Before, every transaction took
the write lock, so a history page waited up to 30 s behind any writer and then failed."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core import services
from core.adapters.sql.unit_of_work import ReadOnlyUnitOfWork
from core.bootstrap import Core
from core.domain import UserRef
from tests.conftest import migrated_copy
from tests.integration.wiring import browser, start, web_account, wire

PATIENCE_SECONDS = 20  # a blocked read would wait for the 30 s busy timeout, then fail


@pytest.fixture
def database(tmp_path: Path, migrated_sqlite: Path) -> Path:
    """A fresh database at the head: a copy of the migrated template (tests/conftest.py)."""
    path = tmp_path / "embedded.db"
    migrated_copy(migrated_sqlite, path)
    return path


@pytest.fixture
def core(database: Path, tmp_path: Path) -> Iterator[Core]:
    wired = wire(f"sqlite:///{database}", f"memory://sqlite-reads-{tmp_path.name}")
    yield wired
    wired.close()


def in_background(call: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_reads_answer_while_a_long_write_transaction_holds_the_lock(
    core: Core, database: Path
) -> None:
    account = web_account(core)
    started = start(core, browser(account, "w1"))
    scope = services.scope_for_web_user(core.deps, web_user_id=account)  # first visit: writes
    session_id = started.session.id
    me = browser(account, "w1")

    writer = sqlite3.connect(database, isolation_level=None, timeout=30)
    writer.execute("BEGIN IMMEDIATE")  # another process's long write transaction
    writer.execute(
        "UPDATE interview_sessions SET thread = 'uncommitted' WHERE id = ?", (session_id,)
    )
    queued: threading.Thread | None = None
    try:
        reads: dict[str, Callable[[], Any]] = {
            "every signed-in page (scope)": lambda: services.scope_for_web_user(
                core.deps, web_user_id=account
            ),
            "history page": lambda: services.list_sessions(core.deps, scope=scope).total,
            "session page": lambda: services.session_detail(
                core.deps, scope=scope, session_id=session_id
            ),
            "analytics": lambda: services.analytics(core.deps, scope=scope),
            "export": lambda: list(services.export_history(core.deps, scope=scope)),
            "quota": lambda: services.quota_status(core.deps, user=me.user_ref).used,
            "current session": lambda: services.find_session(core.deps, conversation=me),
            "summary": lambda: services.summarize(core.deps, session_id=session_id),
        }
        for name, read in reads.items():
            thread, outcome = in_background(read)
            thread.join(PATIENCE_SECONDS)
            assert not thread.is_alive(), f"{name} waited for the writer"
            assert "error" not in outcome, f"{name}: {outcome.get('error')!r}"
        assert services.list_sessions(core.deps, scope=scope).total == 1
        assert services.find_session(core.deps, conversation=me) is not None  # the snapshot
        # A writer meanwhile queues behind the lock: it neither fails nor goes ahead.
        queued, result = in_background(lambda: start(core, browser(account, "w2")))
        queued.join(0.5)
        assert queued.is_alive()
        assert writer.in_transaction  # the long write really held the lock all along
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert queued is not None
    queued.join(PATIENCE_SECONDS)
    assert not queued.is_alive() and "error" not in result, result
    assert result["value"].quota.used == 2


def test_the_database_is_in_wal_mode(tmp_path: Path) -> None:
    # A new file, not a copy of the template (already in WAL mode): the core must turn it on.
    core = wire(f"sqlite:///{tmp_path / 'new.db'}", f"memory://sqlite-wal-{tmp_path.name}")
    try:
        with core.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        core.close()


def test_a_read_only_unit_of_work_refuses_to_commit(core: Core) -> None:
    someone = UserRef("slack", "T1", "U-reader")
    with core.deps.uow(read_only=True) as uow, pytest.raises(ReadOnlyUnitOfWork):
        uow.identities.ensure(someone)
        uow.commit()
    with core.deps.uow(read_only=True) as uow:
        assert uow.identities.find(someone) is None  # nothing was stored


def test_the_first_visit_links_the_browser_identity_later_visits_only_read(core: Core) -> None:
    account = web_account(core)
    first = services.scope_for_web_user(core.deps, web_user_id=account)
    with core.deps.uow(read_only=True) as uow:
        browser_identity = uow.identities.find(browser(account, "x").user_ref)
    assert browser_identity is not None and browser_identity.web_user_id == account
    assert services.scope_for_web_user(core.deps, web_user_id=account) == first
