"""The SQLAlchemy unit of work: one transaction, the repositories bound to it."""

from __future__ import annotations

from typing import Any, Self

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import sessionmaker

from core.adapters.sql.attempts import SqlAttempts, SqlLinkCodes, SqlLlmCalls
from core.adapters.sql.qotd import SqlQotd
from core.adapters.sql.repositories import SqlIdentities, SqlQuestions, SqlSessions
from core.domain.errors import ServiceUnavailable


class SqlUnitOfWork:
    def __init__(self, session_factory: sessionmaker[Any]) -> None:
        self._factory = session_factory

    def __enter__(self) -> Self:
        self.db = self._factory()
        self.identities = SqlIdentities(self.db)
        self.sessions = SqlSessions(self.db)
        self.questions = SqlQuestions(self.db)
        self.attempts = SqlAttempts(self.db)
        self.llm_calls = SqlLlmCalls(self.db)
        self.link_codes = SqlLinkCodes(self.db)
        self.qotd = SqlQotd(self.db)
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
        self.db.commit()

    def rollback(self) -> None:
        self.db.rollback()
