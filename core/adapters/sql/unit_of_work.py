"""The SQLAlchemy unit of work: one transaction, the repositories bound to it."""

from __future__ import annotations

from typing import Any, Self

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import sessionmaker

from core.adapters.sql import read_ahead
from core.adapters.sql.attempts import SqlAttempts, SqlLinkCodes, SqlLlmCalls
from core.adapters.sql.banks import SqlBanks
from core.adapters.sql.qotd import SqlQotd
from core.adapters.sql.repositories import SqlIdentities, SqlQuestions, SqlSessions
from core.adapters.sql.reviews import SqlReminders, SqlReviews
from core.domain.errors import ServiceUnavailable


class ReadOnlyUnitOfWork(RuntimeError):
    """A unit of work opened for reading tried to commit: open it as a writer instead."""


class SqlUnitOfWork:
    def __init__(self, session_factory: sessionmaker[Any], *, read_only: bool = False) -> None:
        # Readers get a factory whose transactions never take SQLite's write lock (see
        # core.adapters.sql.database); writers take it at their first statement.
        self._factory = session_factory
        self.read_only = read_only

    def __enter__(self) -> Self:
        self.db = self._factory()
        self.identities = SqlIdentities(self.db)
        self.sessions = SqlSessions(self.db)
        self.questions = SqlQuestions(self.db)
        self.attempts = SqlAttempts(self.db)
        self.llm_calls = SqlLlmCalls(self.db)
        self.link_codes = SqlLinkCodes(self.db)
        self.reviews = SqlReviews(self.db)
        self.reminders = SqlReminders(self.db)
        self.qotd = SqlQotd(self.db)
        self.banks = SqlBanks(self.db)
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self.db.rollback()  # no-op after commit(); discards anything uncommitted
            self.db.close()
        except DBAPIError:
            pass  # the connection is already broken; the original error below says why
        if isinstance(exc, OperationalError | InterfaceError):
            # Unreachable or failing database: a clear, retryable message instead of a traceback.
            raise ServiceUnavailable("database") from exc

    def commit(self) -> None:
        if self.read_only:
            # A deferred SQLite transaction that writes can fail under contention: a bug to
            # surface in tests, never a write to let through.
            raise ReadOnlyUnitOfWork("this unit of work was opened read-only")
        read_ahead.forget(self.db)  # the row lock ends with the transaction
        self.db.commit()

    def rollback(self) -> None:
        read_ahead.forget(self.db)
        self.db.rollback()
