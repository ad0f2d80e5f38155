"""Attempts, LLM call records and link codes; the conditional updates here are concurrency guards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from core.adapters.sql import read_ahead
from core.adapters.sql.models import AttemptRow, LinkCodeRow, LlmCallRow
from core.adapters.sql.prepared import (
    ATTEMPT_BY_ID,
    ATTEMPT_COLUMNS,
    ATTEMPTS_OF_SESSION,
    INSERT_ATTEMPT,
    INSERT_ATTEMPT_TAGS,
    OPEN_STATUSES,
    RECORD_EVALUATION,
    run,
)
from core.adapters.sql.repositories import _insert
from core.domain.model import Attempt, AttemptStatus, Evaluation, LlmUsage
from core.ports import DuplicateKey


class SqlAttempts:
    def __init__(self, db: DbSession) -> None:
        self.db = db

    def add(
        self,
        *,
        session_id: int,
        position: int,
        delivery_id: str,
        answer: str,
        status: AttemptStatus,
        created_at: datetime,
    ) -> Attempt:
        values = {
            "session_id": session_id,
            "position": position,
            "delivery_id": delivery_id,
            "answer": answer,
            "status": status.value,
            "created_at": created_at,
            "cached": False,
        }
        read_ahead.forget(self.db)
        try:
            inserted = run(self.db, INSERT_ATTEMPT, values)
        except IntegrityError as exc:  # the caller rolls back, reloads and replays
            raise DuplicateKey(str(exc.orig)) from exc
        (attempt_id,) = inserted.inserted_primary_key  # type: ignore[misc]
        # The row as stored: the columns not given hold their defaults (no failures yet).
        return Attempt(
            id=attempt_id,
            session_id=session_id,
            position=position,
            delivery_id=delivery_id,
            answer=answer,
            status=status,
            created_at=created_at,
        )

    def get(self, attempt_id: int) -> Attempt | None:
        row = run(self.db, ATTEMPT_BY_ID, {"attempt_id": attempt_id}).first()
        return attempt_from_row(row) if row else None

    def at_position(self, session_id: int, position: int) -> Attempt | None:
        return self._first(AttemptRow.session_id == session_id, AttemptRow.position == position)

    def for_delivery(self, session_id: int, delivery_id: str) -> Attempt | None:
        return self._first(
            AttemptRow.session_id == session_id, AttemptRow.delivery_id == delivery_id
        )

    def in_session(self, session_id: int) -> list[Attempt]:
        kept = read_ahead.take_attempts(self.db, session_id)  # read with the questions
        if kept is not None:
            return kept
        rows = run(self.db, ATTEMPTS_OF_SESSION, {"session_id": session_id})
        return [attempt_from_row(r) for r in rows]

    def record_evaluation(
        self,
        attempt_id: int,
        evaluation: Evaluation,
        *,
        cached: bool,
        usage: LlmUsage | None,
        at: datetime,
    ) -> bool:
        """Store the evaluation if the attempt is still pending or failed (see
        RECORD_EVALUATION); False when another worker stored one first."""
        read_ahead.forget(self.db)
        result = run(
            self.db,
            RECORD_EVALUATION,
            {
                "attempt_id": attempt_id,
                "status": AttemptStatus.EVALUATED.value,
                "score": evaluation.score,
                "evaluation": evaluation.to_dict(),
                "cached": cached,
                "error_kind": None,
                "evaluated_at": at,
                "model": usage.model if usage else None,
                "latency_ms": usage.latency_ms if usage else None,
                "input_tokens": usage.input_tokens if usage else None,
                "output_tokens": usage.output_tokens if usage else None,
                "graded_by": evaluation.graded_by[:64] or None,
            },
        )
        if not result.rowcount:
            return False
        # Only a pending or failed attempt gets here, and neither has tags yet.
        if evaluation.tags:
            tags = [{"attempt_id": attempt_id, "tag": t} for t in dict.fromkeys(evaluation.tags)]
            run(self.db, INSERT_ATTEMPT_TAGS, tags)
        return True

    def record_failure(
        self, attempt_id: int, *, error_kind: str, auto_retry: bool, at: datetime
    ) -> bool:
        read_ahead.forget(self.db)
        result = self.db.execute(
            update(AttemptRow)
            .where(AttemptRow.id == attempt_id, AttemptRow.status.in_(OPEN_STATUSES))
            .values(
                status=AttemptStatus.FAILED.value,
                error_kind=error_kind,
                failures=AttemptRow.failures + 1,
                last_failed_at=at,
                auto_retry=auto_retry,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def requeue(self, attempt_id: int) -> bool:
        read_ahead.forget(self.db)
        result = self.db.execute(
            update(AttemptRow)
            .where(AttemptRow.id == attempt_id, AttemptRow.status == AttemptStatus.FAILED.value)
            .values(status=AttemptStatus.PENDING.value)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def retryable(self, *, stuck_before: datetime, max_failures: int, limit: int) -> list[Attempt]:
        failed = (
            (AttemptRow.status == AttemptStatus.FAILED.value)
            & AttemptRow.auto_retry.is_(True)
            & (AttemptRow.failures < max_failures)
        )
        stuck = (AttemptRow.status == AttemptStatus.PENDING.value) & (
            AttemptRow.created_at < stuck_before
        )
        rows = self.db.scalars(
            select(AttemptRow)
            .where(failed | stuck)
            .order_by(
                func.coalesce(AttemptRow.last_failed_at, AttemptRow.created_at), AttemptRow.id
            )
            .limit(limit)
        )
        return [attempt_from_row(r) for r in rows]

    def _first(self, *where: Any) -> Attempt | None:
        row = self.db.execute(select(*ATTEMPT_COLUMNS).where(*where)).first()
        return attempt_from_row(row) if row else None


def attempt_from_row(row: Any) -> Attempt:
    usage = (
        LlmUsage(
            model=row.model,
            latency_ms=row.latency_ms or 0.0,
            input_tokens=row.input_tokens or 0,
            output_tokens=row.output_tokens or 0,
        )
        if row.model
        else None
    )
    return Attempt(
        id=row.id,
        session_id=row.session_id,
        position=row.position,
        delivery_id=row.delivery_id,
        answer=row.answer,
        status=AttemptStatus(row.status),
        created_at=row.created_at,
        evaluation=Evaluation.from_dict(row.evaluation) if row.evaluation else None,
        cached=bool(row.cached),
        error_kind=row.error_kind,
        evaluated_at=row.evaluated_at,
        usage=usage,
        failures=row.failures or 0,
        last_failed_at=row.last_failed_at,
        auto_retry=row.auto_retry if row.auto_retry is not None else True,
    )


class SqlLlmCalls:
    def __init__(self, db: DbSession) -> None:
        self.db = db

    def add(
        self,
        *,
        purpose: str,
        provider: str,
        usage: LlmUsage | None,
        ok: bool,
        error_kind: str | None,
        at: datetime,
        attempt_id: int | None = None,
    ) -> None:
        self.db.add(
            LlmCallRow(
                attempt_id=attempt_id,
                purpose=purpose,
                provider=provider,
                model=usage.model if usage else None,
                ok=ok,
                error_kind=error_kind,
                latency_ms=usage.latency_ms if usage else None,
                input_tokens=usage.input_tokens if usage else None,
                output_tokens=usage.output_tokens if usage else None,
                created_at=at,
            )
        )


class SqlLinkCodes:
    def __init__(self, db: DbSession) -> None:
        self.db = db

    def add(self, *, code_hash: str, identity_id: int, expires_at: datetime) -> None:
        _insert(
            self.db,
            LinkCodeRow(code_hash=code_hash, identity_id=identity_id, expires_at=expires_at),
        )

    def consume(self, *, code_hash: str, now: datetime) -> int | None:
        # One conditional UPDATE: of two concurrent redemptions exactly one sees rowcount 1.
        result = self.db.execute(
            update(LinkCodeRow)
            .where(
                LinkCodeRow.code_hash == code_hash,
                LinkCodeRow.used_at.is_(None),
                LinkCodeRow.expires_at > now,
            )
            .values(used_at=now)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        return self.db.scalar(
            select(LinkCodeRow.identity_id).where(LinkCodeRow.code_hash == code_hash)
        )
