"""History queries: a constant number of SQL statements per page, whatever the history size."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import sessionmaker

from core.adapters.sql.analytics import SqlAnalytics
from core.adapters.sql.attempts import attempt_from_row
from core.adapters.sql.models import AttemptRow, IdentityRow, QuestionRow, SessionRow
from core.adapters.sql.repositories import SqlQuestions, session_from_row
from core.domain.history import Page, SessionDetail, SessionFilter, SessionListItem
from core.domain.model import QuestionKind

EVALUATED = "evaluated"


class SqlHistory:
    def __init__(self, session_factory: sessionmaker[Any]) -> None:
        self._factory = session_factory

    def sessions(
        self,
        identity_ids: Sequence[int],
        filters: SessionFilter,
        *,
        page: int,
        per_page: int,
    ) -> Page[SessionListItem]:
        where = _session_conditions(identity_ids, filters)
        newest_first = (SessionRow.created_at.desc(), SessionRow.id.desc())
        # Pick the page's session ids first (index on identity_id, created_at), then aggregate
        # the answers of those sessions only: the cost of a page no longer grows with the history.
        page_ids = (
            select(SessionRow.id)
            .where(*where)
            .order_by(*newest_first)
            .limit(per_page)
            .offset((page - 1) * per_page)
            .subquery()
        )
        # "Answered" counts main questions (follow-ups are extra); the average counts every
        # scored answer, follow-ups included.
        main_scored = case(
            ((AttemptRow.status == EVALUATED) & (QuestionRow.kind == QuestionKind.MAIN.value), 1)
        )
        query = (
            select(
                SessionRow,
                func.count(main_scored).label("answered"),
                func.avg(case((AttemptRow.status == EVALUATED, AttemptRow.score))).label("avg"),
            )
            .join(page_ids, page_ids.c.id == SessionRow.id)
            .outerjoin(AttemptRow, AttemptRow.session_id == SessionRow.id)
            .outerjoin(
                QuestionRow,
                (QuestionRow.session_id == AttemptRow.session_id)
                & (QuestionRow.position == AttemptRow.position),
            )
            .group_by(SessionRow.id)
            .order_by(*newest_first)
        )
        with self._factory() as db:
            total = db.scalar(select(func.count()).select_from(SessionRow).where(*where)) or 0
            items = [
                SessionListItem(
                    session_from_row(row),
                    int(answered),
                    round(float(avg), 1) if avg is not None else None,
                )
                for row, answered, avg in db.execute(query)
            ]
        return Page(items=items, total=int(total), page=page, per_page=per_page)

    def session_detail(self, identity_ids: Sequence[int], session_id: int) -> SessionDetail | None:
        """The whole transcript, or None when the session is not in this person's scope."""
        with self._factory() as db:
            row = db.scalars(
                select(SessionRow).where(
                    SessionRow.id == session_id, SessionRow.identity_id.in_(list(identity_ids))
                )
            ).first()
            if row is None:
                return None
            questions = SqlQuestions(db).in_session(session_id)
            attempts = {
                a.position: attempt_from_row(a)
                for a in db.scalars(select(AttemptRow).where(AttemptRow.session_id == session_id))
            }
        return SessionDetail(
            session_from_row(row), [(q, attempts.get(q.position)) for q in questions]
        )

    def export_rows(self, identity_ids: Sequence[int]) -> Iterator[dict[str, Any]]:
        """Every question and answer of the scope, flattened (for CSV and JSON export)."""
        query = (
            select(SessionRow, QuestionRow, AttemptRow)
            .join(QuestionRow, QuestionRow.session_id == SessionRow.id)
            .outerjoin(
                AttemptRow,
                (AttemptRow.session_id == QuestionRow.session_id)
                & (AttemptRow.position == QuestionRow.position),
            )
            .where(SessionRow.identity_id.in_(list(identity_ids)))
            .order_by(SessionRow.created_at, SessionRow.id, QuestionRow.position)
        )
        with self._factory() as db:
            for session, question, attempt in db.execute(query).yield_per(500):
                yield _export_row(session, question, attempt)

    def delete_identities(self, identity_ids: Sequence[int]) -> int:
        """Delete identities and, by cascade, their sessions, answers and link codes."""
        with self._factory() as db, db.begin():
            rows = db.scalars(select(IdentityRow).where(IdentityRow.id.in_(list(identity_ids))))
            count = 0
            for row in rows:
                db.delete(row)
                count += 1
        return count


def _session_conditions(identity_ids: Sequence[int], filters: SessionFilter) -> list[Any]:
    where: list[Any] = [SessionRow.identity_id.in_(list(identity_ids))]
    if filters.role:
        where.append(SessionRow.role == filters.role)
    if filters.difficulty:
        where.append(SessionRow.difficulty == filters.difficulty)
    if filters.platform:
        where.append(SessionRow.platform == filters.platform)
    if filters.since:
        where.append(SessionRow.created_at >= filters.since)
    if filters.until:
        where.append(SessionRow.created_at < filters.until)
    return where


def _export_row(
    session: SessionRow, question: QuestionRow, attempt: AttemptRow | None
) -> dict[str, Any]:
    evaluation = (attempt.evaluation or {}) if attempt else {}
    return {
        "session_id": session.id,
        "started_at": session.created_at.isoformat(),
        "platform": session.platform,
        "role": session.role,
        "difficulty": session.difficulty,
        "session_status": session.status,
        "position": question.position,
        "kind": question.kind,
        "question": question.text,
        "answer": attempt.answer if attempt else None,
        "status": attempt.status if attempt else "unanswered",
        "score": attempt.score if attempt else None,
        "feedback": evaluation.get("feedback"),
        "ideal_answer": evaluation.get("ideal_answer"),
        "tags": list(evaluation.get("tags") or []),
        "criteria": dict(evaluation.get("criteria") or {}),
    }


class SqlReadModel(SqlHistory, SqlAnalytics):
    """The HistoryQueries port: history pages, details, export, deletion and analytics."""
