"""An interview read in one statement: the session, its questions and their answers.

Loading an interview asked three statements, one round trip each (the session, locked; its
questions; its attempts), twice per answer with its next question. Here the writer's read
(the session locked FOR UPDATE) joins the questions and the attempts to it, and a read of the
questions joins the attempts: the repositories keep what came along in the unit of work's
session, and the very next read of those rows takes it instead of asking again.

What came along is exactly what that read would return. Under the session's row lock nobody
else writes the interview's questions (every writer takes that lock first); attempts are also
updated by evaluations without it, and one read at the moment of the join is what a read a
moment later could equally have returned (READ COMMITTED reads each statement afresh anyway).
It is taken once, forgotten by any write to questions or attempts through these repositories,
and by the unit of work's commit or rollback (the lock is gone then). An attempt answers one
of its session's questions (its position comes from one), so joining attempts to questions
loses none.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session as DbSession

from core.adapters.sql.prepared import (
    ATTEMPT_COLUMNS,
    QUESTION_COLUMNS,
    SESSION_COLUMNS,
    active_where,
    attempts,
    questions,
    sessions,
)
from core.domain.model import AskedQuestion, Attempt

QUESTIONS, ATTEMPTS = "interviewbot_read_ahead_questions", "interviewbot_read_ahead_attempts"

_QUESTION_FIELDS = (
    *(c.label(f"q_{c.name}") for c in QUESTION_COLUMNS),
    sessions.c.role.label("q_session_role"),  # for rows from before questions had their own
    sessions.c.difficulty.label("q_session_difficulty"),
)
_ATTEMPT_FIELDS = tuple(c.label(f"a_{c.name}") for c in ATTEMPT_COLUMNS)
_answered = (attempts.c.session_id == questions.c.session_id) & (
    attempts.c.position == questions.c.position
)

QUESTIONS_WITH_ATTEMPTS = (
    select(*_QUESTION_FIELDS, *_ATTEMPT_FIELDS)
    .select_from(
        questions.join(sessions, sessions.c.id == questions.c.session_id).outerjoin(
            attempts, _answered
        )
    )
    .where(questions.c.session_id == bindparam("session_id"))
    .order_by(questions.c.position)
)

_interview = (
    select(*SESSION_COLUMNS, *_QUESTION_FIELDS, *_ATTEMPT_FIELDS)
    .select_from(
        sessions.outerjoin(questions, questions.c.session_id == sessions.c.id).outerjoin(
            attempts, _answered
        )
    )
    .order_by(questions.c.position)
)
# FOR UPDATE locks the session's row, as the session alone did, and also the question and
# attempt rows joined to it (InnoDB locks every row a locking read returns): an evaluation
# being stored for this session waits for the answer's short transaction to end. Every
# interview writer takes the session's row first, so the order stays one and no cycle forms.
INTERVIEW_LOCKED = _interview.where(sessions.c.id == bindparam("session_id")).with_for_update()


def _active_interview(in_thread: bool) -> Any:
    """The newest active session of a conversation, with its interview, locked. The pick is a
    subquery (a LIMIT on the join would cut questions off); the status is checked again on the
    locked row, which is read as it stands once the lock is had."""
    picked = sessions.alias("picked")
    newest = (
        select(picked.c.id)
        .where(*active_where(picked, in_thread))
        .order_by(picked.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return _interview.where(sessions.c.id == newest, *active_where(sessions, in_thread)[-1:])


ACTIVE_INTERVIEW_LOCKED = {
    thread: _active_interview(thread).with_for_update() for thread in (True, False)
}


# A joined row's slice seen as one table's row: attribute access at C speed (a namedtuple),
# for the repositories' row converters.
QuestionFields = namedtuple(  # type: ignore[misc]
    "QuestionFields", [*(c.name for c in QUESTION_COLUMNS), "session_role", "session_difficulty"]
)
AttemptFields = namedtuple("AttemptFields", [c.name for c in ATTEMPT_COLUMNS])  # type: ignore[misc]
_NQ, _NA = len(QuestionFields._fields), len(AttemptFields._fields)
# Where each table's columns start in a joined row: (questions, attempts).
OFFSETS = {"questions": (0, _NQ), "interview": (len(SESSION_COLUMNS), len(SESSION_COLUMNS) + _NQ)}


def question_part(row: Any, at: int) -> Any:
    return QuestionFields._make(row[at : at + _NQ])


def attempt_part(row: Any, at: int) -> Any:
    return AttemptFields._make(row[at : at + _NA])


def keep(
    db: DbSession,
    session_id: int,
    rows: Sequence[Any],
    offsets: tuple[int, int],
    *,
    asked: Callable[[Any], AskedQuestion] | None,
    answered: Callable[[Any], Attempt],
) -> None:
    """Keep what the joined `rows` hold (one per question, or a lone session row without
    questions) for the next read of the session's questions (`asked` given) and attempts."""
    at_q, at_a = offsets
    found = [row for row in rows if row.q_position is not None]
    if asked is not None:
        db.info[QUESTIONS] = (session_id, [asked(question_part(row, at_q)) for row in found])
    db.info[ATTEMPTS] = (
        session_id,
        [answered(attempt_part(row, at_a)) for row in found if row.a_id is not None],
    )


def take_questions(db: DbSession, session_id: int) -> list[AskedQuestion] | None:
    kept = db.info.pop(QUESTIONS, None)
    return kept[1] if kept is not None and kept[0] == session_id else None


def take_attempts(db: DbSession, session_id: int) -> list[Attempt] | None:
    kept = db.info.pop(ATTEMPTS, None)
    return kept[1] if kept is not None and kept[0] == session_id else None


def forget(db: DbSession) -> None:
    """A write to questions or attempts, a commit or a rollback: what was kept may be stale."""
    db.info.pop(QUESTIONS, None)
    db.info.pop(ATTEMPTS, None)
