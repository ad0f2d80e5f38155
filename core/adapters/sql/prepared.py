"""The answer path's statements, built once on the tables and run on the session's connection.

Every answer and "next question" runs the same dozen statements. Built per call on the ORM
classes, each went through statement construction, cache-key generation and the ORM's compile
and flush machinery, about three times the cost of the driver's round trip. Built once here on
the plain tables with bound parameters, a statement's cache key is computed once, and `run`
executes it on the unit of work's connection (same transaction) without the ORM layer.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Executable,
    Table,
    bindparam,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session as DbSession

from core.adapters.sql.models import (
    AttemptRow,
    AttemptTagRow,
    Base,
    IdentityRow,
    QuestionRow,
    ReviewEventRow,
    SessionRow,
)
from core.domain.model import AttemptStatus, SessionStatus

Params = dict[str, Any] | list[dict[str, Any]]


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


sessions = _table(SessionRow)
questions = _table(QuestionRow)
attempts = _table(AttemptRow)
attempt_tags = _table(AttemptTagRow)
identities = _table(IdentityRow)
review_events = _table(ReviewEventRow)

# Reads select plain columns, not ORM entities: entity bookkeeping (identity map, instance state)
# buys nothing for rows that become frozen domain objects at once.
SESSION_COLUMNS = tuple(sessions.columns)
QUESTION_COLUMNS = tuple(questions.columns)
ATTEMPT_COLUMNS = tuple(attempts.columns)
EVENT_COLUMNS = tuple(review_events.columns)


def run(db: DbSession, statement: Executable, params: Params | None = None) -> CursorResult[Any]:
    """Execute a Core statement in the unit of work's transaction, past the ORM layer."""
    return db.connection().execute(statement, params)


# --- identities and sessions ---------------------------------------------------------------

IDENTITY_OF_USER = select(identities).where(
    identities.c.platform == bindparam("platform"),
    identities.c.tenant == bindparam("tenant"),
    identities.c.external_user == bindparam("user"),
)
INSERT_SESSION = insert(sessions)

_session_by_id = select(*SESSION_COLUMNS).where(sessions.c.id == bindparam("session_id"))
# FOR UPDATE queues concurrent writers to one session (answers, clicks) on its row lock.
SESSION_BY_ID = {False: _session_by_id, True: _session_by_id.with_for_update()}


def active_where(table: Any, in_thread: bool) -> tuple[Any, ...]:
    """A conversation's active sessions (its thread's, or the channel's outside threads) in
    `table` (the sessions table or an alias of it); the status condition comes last."""
    thread = table.c.thread == bindparam("thread") if in_thread else table.c.thread.is_(None)
    return (
        table.c.platform == bindparam("platform"),
        table.c.tenant == bindparam("tenant"),
        table.c.channel == bindparam("channel"),
        thread,
        table.c.status == SessionStatus.ACTIVE.value,
    )


def _active_in(in_thread: bool) -> Any:
    return (
        select(*SESSION_COLUMNS)
        .where(*active_where(sessions, in_thread))
        .order_by(sessions.c.id.desc())
        .limit(1)
    )


_in_thread = _active_in(True)
_in_channel = _active_in(False)
# Keyed by (has a thread, for update).
ACTIVE_SESSION = {
    (True, False): _in_thread,
    (True, True): _in_thread.with_for_update(),
    (False, False): _in_channel,
    (False, True): _in_channel.with_for_update(),
}

TOUCH_SESSION = (
    update(sessions)
    .where(sessions.c.id == bindparam("session_id"))
    .values(last_activity_at=bindparam("at", type_=sessions.c.last_activity_at.type))
)

# --- questions ------------------------------------------------------------------------------


def _questions_where(*where: Any) -> Any:
    """Questions with their session's role and difficulty (for rows from before questions
    carried their own), in one statement."""
    return (
        select(
            *QUESTION_COLUMNS,
            sessions.c.role.label("session_role"),
            sessions.c.difficulty.label("session_difficulty"),
        )
        .join(sessions, sessions.c.id == questions.c.session_id)
        .where(questions.c.session_id == bindparam("session_id"), *where)
    )


QUESTION_AT = _questions_where(questions.c.position == bindparam("position"))
LATEST_QUESTION = _questions_where().order_by(questions.c.position.desc()).limit(1)
INSERT_QUESTION = insert(questions)


def _person_of(identity_column: Any) -> Any:
    """This identity, or every identity linked to the same web account (a SQL condition)."""
    account = select(identities.c.web_user_id).where(identities.c.id == bindparam("identity_id"))
    linked = select(identities.c.id).where(
        identities.c.web_user_id.is_not(None),
        identities.c.web_user_id == account.scalar_subquery(),
    )
    return (identity_column == bindparam("identity_id")) | identity_column.in_(linked)


# When the person last saw each bank question of one pool.
LAST_SEEN = (
    select(questions.c.bank_id, func.max(questions.c.asked_at))
    .join(sessions, sessions.c.id == questions.c.session_id)
    .where(
        _person_of(sessions.c.identity_id),
        questions.c.role == bindparam("role"),
        questions.c.difficulty == bindparam("difficulty"),
        questions.c.bank_id.is_not(None),
    )
    .group_by(questions.c.bank_id)
)

# --- attempts -------------------------------------------------------------------------------

OPEN_STATUSES = (AttemptStatus.PENDING.value, AttemptStatus.FAILED.value)

ATTEMPT_BY_ID = select(*ATTEMPT_COLUMNS).where(attempts.c.id == bindparam("attempt_id"))
ATTEMPTS_OF_SESSION = (
    select(*ATTEMPT_COLUMNS)
    .where(attempts.c.session_id == bindparam("session_id"))
    .order_by(attempts.c.position)
)
INSERT_ATTEMPT = insert(attempts)
INSERT_ATTEMPT_TAGS = insert(attempt_tags)
# Conditional on the status: if a lock expired and two workers both evaluated, the database
# lets exactly one of them store its evaluation. The values come with each execution.
RECORD_EVALUATION = update(attempts).where(
    attempts.c.id == bindparam("attempt_id"), attempts.c.status.in_(OPEN_STATUSES)
)

# --- review log -----------------------------------------------------------------------------

_newest_events = select(func.max(review_events.c.id)).where(_person_of(review_events.c.identity_id))
_by_item = (review_events.c.kind, review_events.c.item)
# Each item's latest review across the person's identities, of every item or of some.
LATEST_EVENTS = select(*EVENT_COLUMNS).where(
    review_events.c.id.in_(_newest_events.group_by(*_by_item))
)
LATEST_EVENTS_OF_ITEMS = select(*EVENT_COLUMNS).where(
    review_events.c.id.in_(
        _newest_events.where(tuple_(*_by_item).in_(bindparam("items", expanding=True))).group_by(
            *_by_item
        )
    )
)
INSERT_EVENTS = insert(review_events)
