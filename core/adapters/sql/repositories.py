"""Repositories over SQLAlchemy: rows in, domain objects out. No business rules here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from core.adapters.sql import read_ahead
from core.adapters.sql.models import (
    IdentityRow,
    QuestionRow,
    SessionRow,
)
from core.adapters.sql.prepared import (
    ACTIVE_SESSION,
    IDENTITY_OF_USER,
    INSERT_QUESTION,
    INSERT_SESSION,
    LAST_SEEN,
    LATEST_QUESTION,
    QUESTION_AT,
    SESSION_BY_ID,
    TOUCH_SESSION,
    run,
)
from core.domain.model import (
    AskedQuestion,
    BankRef,
    ConversationRef,
    PlannedQuestion,
    Question,
    QuestionKind,
    Session,
    SessionKind,
    SessionStatus,
    UserRef,
)
from core.domain.roles import Difficulty, Role
from core.ports import DuplicateKey, IdentityRecord


def _insert(db: DbSession, row: object, *, savepoint: bool = False) -> None:
    """Insert now; DuplicateKey when a unique key refuses it.

    Without `savepoint` the transaction must then be rolled back (every caller on the answer
    path does: it reloads and replays); with it, the transaction stays usable, at the cost of two
    more statements."""
    try:
        if savepoint:
            with db.begin_nested():
                db.add(row)
        else:
            db.add(row)
            db.flush()
    except IntegrityError as exc:
        raise DuplicateKey(str(exc.orig)) from exc


class SqlIdentities:
    def __init__(self, db: DbSession) -> None:
        self.db = db

    def find(self, user: UserRef) -> IdentityRecord | None:
        where = {"platform": user.platform, "tenant": user.tenant, "user": user.user}
        row = run(self.db, IDENTITY_OF_USER, where).first()
        return _identity(row) if row else None

    def ensure(self, user: UserRef, *, display_name: str | None = None) -> IdentityRecord:
        found = self.find(user)
        if found:
            return found
        row = IdentityRow(
            platform=user.platform,
            tenant=user.tenant,
            external_user=user.user,
            display_name=display_name,
        )
        try:
            _insert(self.db, row, savepoint=True)
        except DuplicateKey:  # created concurrently: theirs is as good as ours
            found = self.find(user)
            assert found is not None
            return found
        return _identity(row)

    def get(self, identity_id: int) -> IdentityRecord | None:
        row = self.db.get(IdentityRow, identity_id)
        return _identity(row) if row else None

    def linked_to(self, web_user_id: str) -> list[IdentityRecord]:
        rows = self.db.scalars(
            select(IdentityRow)
            .where(IdentityRow.web_user_id == uuid.UUID(web_user_id))
            .order_by(IdentityRow.id)
        )
        return [_identity(r) for r in rows]

    def set_web_user(self, identity_id: int, web_user_id: str | None) -> None:
        self.db.execute(
            update(IdentityRow)
            .where(IdentityRow.id == identity_id)
            .values(web_user_id=uuid.UUID(web_user_id) if web_user_id else None)
        )


def _identity(row: Any) -> IdentityRecord:
    """An identity from its entity or from a row of its columns."""
    return IdentityRecord(
        id=row.id,
        user=UserRef(row.platform, row.tenant, row.external_user),
        web_user_id=str(row.web_user_id) if row.web_user_id else None,
        display_name=row.display_name,
    )


class SqlSessions:
    def __init__(self, db: DbSession) -> None:
        self.db = db

    def add(
        self,
        *,
        identity_id: int,
        conversation: ConversationRef,
        role: Role,
        difficulty: Difficulty,
        question_count: int,
        created_at: datetime,
        kind: SessionKind = SessionKind.INTERVIEW,
        adaptive: bool = False,
        plan: Sequence[PlannedQuestion] = (),
        bank: BankRef | None = None,
    ) -> Session:
        values = {
            "identity_id": identity_id,
            "platform": conversation.platform,
            "tenant": conversation.tenant,
            "channel": conversation.channel,
            "thread": conversation.thread,
            "external_user": conversation.user,
            "role": role.value,
            "difficulty": difficulty.value,
            "question_count": question_count,
            "status": SessionStatus.ACTIVE.value,
            "created_at": created_at,
            "last_activity_at": created_at,
            "kind": kind.value,
            "adaptive": adaptive,
            "plan": [p.to_dict() for p in plan] or None,
            "bank_name": bank.name if bank else None,
            "bank_version": bank.version if bank else None,
        }
        try:
            inserted = run(self.db, INSERT_SESSION, values)
        except IntegrityError as exc:
            raise DuplicateKey(str(exc.orig)) from exc
        (session_id,) = inserted.inserted_primary_key  # type: ignore[misc]
        return Session(
            id=session_id,
            identity_id=identity_id,
            conversation=conversation,
            role=role,
            difficulty=difficulty,
            question_count=question_count,
            status=SessionStatus.ACTIVE,
            created_at=created_at,
            kind=kind,
            adaptive=adaptive,
            plan=tuple(plan),
            last_activity_at=created_at,
            bank=bank,
        )

    def get(self, session_id: int, *, for_update: bool = False) -> Session | None:
        # FOR UPDATE queues concurrent writers to one session (answers, clicks) on its row lock,
        # so they meet the winner's committed row instead of deadlocking on unique-key inserts.
        # A writer goes on to read the interview: it comes in the same statement (read_ahead).
        if for_update:
            return self._with_interview(read_ahead.INTERVIEW_LOCKED, {"session_id": session_id})
        row = run(self.db, SESSION_BY_ID[for_update], {"session_id": session_id}).first()
        return session_from_row(row) if row else None

    def _with_interview(self, statement: Any, where: dict[str, Any]) -> Session | None:
        from core.adapters.sql.attempts import attempt_from_row  # it imports this module

        rows = run(self.db, statement, where).all()
        if not rows:
            return None
        session = session_from_row(rows[0])
        at = read_ahead.OFFSETS["interview"]
        read_ahead.keep(self.db, session.id, rows, at, asked=_asked, answered=attempt_from_row)
        return session

    def find_active(
        self, conversation: ConversationRef, *, for_update: bool = False
    ) -> Session | None:
        # Answers in a thread queue on the session's row, as by id.
        in_thread = conversation.thread is not None
        where = {
            "platform": conversation.platform,
            "tenant": conversation.tenant,
            "channel": conversation.channel,
            "thread": conversation.thread,
        }
        if for_update:  # an answer: the interview is read next, so it comes along
            return self._with_interview(read_ahead.ACTIVE_INTERVIEW_LOCKED[in_thread], where)
        row = run(self.db, ACTIVE_SESSION[in_thread, for_update], where).first()
        return session_from_row(row) if row else None

    def latest_active(self, identity_ids: Sequence[int]) -> Session | None:
        row = self.db.scalars(
            select(SessionRow)
            .where(
                SessionRow.identity_id.in_(list(identity_ids)),
                SessionRow.status == SessionStatus.ACTIVE.value,
            )
            .order_by(SessionRow.id.desc())
        ).first()
        return session_from_row(row) if row else None

    def bind_thread(self, session_id: int, thread: str) -> None:
        self.db.execute(update(SessionRow).where(SessionRow.id == session_id).values(thread=thread))

    def touch(self, session_id: int, at: datetime) -> None:
        run(self.db, TOUCH_SESSION, {"session_id": session_id, "at": at})

    def finish(self, session_id: int, *, status: SessionStatus, at: datetime) -> bool:
        result = self.db.execute(
            update(SessionRow)
            .where(SessionRow.id == session_id, SessionRow.status == SessionStatus.ACTIVE.value)
            .values(status=status.value, ended_at=at, last_activity_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def stale_active(self, *, idle_since: datetime, limit: int) -> list[Session]:
        rows = self.db.scalars(
            select(SessionRow)
            .where(
                SessionRow.status == SessionStatus.ACTIVE.value,
                SessionRow.last_activity_at < idle_since,
            )
            .order_by(SessionRow.id)
            .limit(limit)
        )
        return [session_from_row(r) for r in rows]

    def count_started(
        self, identity_ids: Sequence[int], *, since: datetime, until: datetime
    ) -> int:
        if not identity_ids:
            return 0
        return int(
            self.db.scalar(
                select(func.count())
                .select_from(SessionRow)
                .where(
                    SessionRow.identity_id.in_(list(identity_ids)),
                    SessionRow.created_at >= since,
                    SessionRow.created_at < until,
                )
            )
            or 0
        )

    def delete(self, session_id: int) -> None:
        # Its questions (and attempts, if any) go with it: ON DELETE CASCADE.
        read_ahead.forget(self.db)
        self.db.execute(delete(SessionRow).where(SessionRow.id == session_id))


def session_from_row(row: Any) -> Session:
    return Session(
        id=row.id,
        identity_id=row.identity_id,
        conversation=ConversationRef(
            platform=row.platform,
            tenant=row.tenant,
            channel=row.channel,
            user=row.external_user,
            thread=row.thread,
        ),
        role=Role(row.role),
        difficulty=Difficulty(row.difficulty),
        question_count=row.question_count,
        status=SessionStatus(row.status),
        created_at=row.created_at,
        ended_at=row.ended_at,
        kind=SessionKind(row.kind or SessionKind.INTERVIEW.value),
        adaptive=bool(row.adaptive),
        plan=tuple(PlannedQuestion.from_dict(p) for p in row.plan or ()),
        last_activity_at=row.last_activity_at,
        bank=BankRef(row.bank_name, row.bank_version) if row.bank_name else None,
    )


class SqlQuestions:
    def __init__(self, db: DbSession) -> None:
        self.db = db

    def add(self, asked: AskedQuestion) -> None:
        """Insert the question; DuplicateKey (only this statement undone) when the position is
        taken."""
        q = asked.question
        row = {
            "session_id": asked.session_id,
            "position": asked.position,
            "kind": asked.kind.value,
            "main_index": asked.main_index,
            "follow_up_of": asked.follow_up_of,
            "bank_id": q.bank_id,
            "bank_version": q.bank_version,
            "text": q.text,
            "reference_answer": q.reference_answer,
            "key_points": list(q.key_points),
            "topics": list(q.topics),
            "hint": q.hint,
            "hints_used": asked.hints_used,
            "asked_at": asked.asked_at,
            "role": q.role.value,
            "difficulty": q.difficulty.value,
        }
        read_ahead.forget(self.db)
        try:
            run(self.db, INSERT_QUESTION, row)
        except IntegrityError as exc:
            raise DuplicateKey(str(exc.orig)) from exc

    def get(self, session_id: int, position: int) -> AskedQuestion | None:
        where = {"session_id": session_id, "position": position}
        found = run(self.db, QUESTION_AT, where).first()
        return _asked(found) if found else None

    def latest(self, session_id: int) -> AskedQuestion | None:
        found = run(self.db, LATEST_QUESTION, {"session_id": session_id}).first()
        return _asked(found) if found else None

    def in_session(self, session_id: int) -> list[AskedQuestion]:
        """The session's questions; their attempts come along for attempts.in_session."""
        kept = read_ahead.take_questions(self.db, session_id)
        if kept is not None:
            return kept
        from core.adapters.sql.attempts import attempt_from_row  # it imports this module

        rows = run(self.db, read_ahead.QUESTIONS_WITH_ATTEMPTS, {"session_id": session_id}).all()
        offsets = read_ahead.OFFSETS["questions"]
        read_ahead.keep(self.db, session_id, rows, offsets, asked=None, answered=attempt_from_row)
        return [_asked(read_ahead.question_part(row, offsets[0])) for row in rows]

    def last_seen(
        self, identity_id: int, role: Role, difficulty: Difficulty
    ) -> dict[str, datetime]:
        """When the person behind `identity_id` (every identity linked to the same web account)
        last saw each bank question of this pool — one statement."""
        where = {"identity_id": identity_id, "role": role.value, "difficulty": difficulty.value}
        rows = run(self.db, LAST_SEEN, where)
        return {bank_id: _utc(seen) for bank_id, seen in rows if bank_id and seen}

    def add_hint(self, session_id: int, position: int) -> int:
        read_ahead.forget(self.db)
        where = (QuestionRow.session_id == session_id, QuestionRow.position == position)
        self.db.execute(
            update(QuestionRow).where(*where).values(hints_used=QuestionRow.hints_used + 1)
        )
        return int(self.db.scalar(select(QuestionRow.hints_used).where(*where)) or 0)


def _asked(row: Any) -> AskedQuestion:
    """A question row with its session's role and difficulty (selected alongside)."""
    return AskedQuestion(
        session_id=row.session_id,
        position=row.position,
        kind=QuestionKind(row.kind),
        main_index=row.main_index,
        question=Question(
            role=Role(row.role or row.session_role),
            difficulty=Difficulty(row.difficulty or row.session_difficulty),
            text=row.text,
            reference_answer=row.reference_answer,
            key_points=tuple(row.key_points or ()),
            topics=tuple(row.topics or ()),
            hint=row.hint,
            bank_id=row.bank_id,
            bank_version=row.bank_version,
        ),
        asked_at=row.asked_at,
        follow_up_of=row.follow_up_of,
        hints_used=row.hints_used,
    )


def _utc(moment: datetime) -> datetime:
    """An aggregate (max) bypasses the column type: MySQL returns it naive (UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
