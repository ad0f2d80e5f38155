"""Moving through an interview: next question, go deeper, hint, skip.

Every action names the position it acts on (buttons carry it), so a double click or a
redelivered action finds its work already done and returns it marked `duplicate`. Whether an
action is allowed is the Interview aggregate's decision; these functions load, ask and save.
"""

from __future__ import annotations

import logging

from core.domain.errors import (
    FollowUpInProgress,
    LlmUnavailable,
    QuestionAlreadyAnswered,
    ServiceUnavailable,
)
from core.domain.interview import Interview
from core.domain.model import AttemptStatus, SessionStatus, UserRef
from core.domain.results import HintGiven, QuestionAsked, SessionSummary
from core.domain.selection import choose_question
from core.ports import DuplicateKey, UnitOfWork
from core.services.answers import touch_due
from core.services.banks import session_pool
from core.services.common import load_interview
from core.services.deps import Deps
from core.services.learning import schedule_reviews
from core.services.sessions import planned_question
from core.services.summary import summary_of

log = logging.getLogger(__name__)


def interview_of(deps: Deps, *, session_id: int, actor: UserRef) -> Interview:
    """The person's interview as it stands (to resume it, or to show where it is)."""
    with deps.uow() as uow:
        return load_interview(uow, session_id, deps.rules, actor=actor)


def next_question(
    deps: Deps, *, session_id: int, after_position: int, actor: UserRef
) -> QuestionAsked | SessionSummary:
    """Ask the next main question, or finish the session with its summary after the last one."""
    with deps.uow() as uow:
        interview = load_interview(uow, session_id, deps.rules, actor=actor, lock=True)
        return _advance(deps, uow, interview, after_position)


def _advance(
    deps: Deps, uow: UnitOfWork, interview: Interview, after_position: int
) -> QuestionAsked | SessionSummary:
    """Move past `after_position` inside the caller's transaction, and commit it."""
    following = _asked_after(interview, after_position)
    if following is not None:  # a double click: the next question is already there
        uow.commit()
        return following
    if not interview.session.is_active:
        uow.commit()
        return summary_of(interview, already_finished=True)
    if interview.finishes_after(after_position):
        now = deps.clock.now()
        finished = uow.sessions.finish(interview.session.id, status=SessionStatus.COMPLETED, at=now)
        uow.commit()
        ended = interview.with_session(interview.session.finished(SessionStatus.COMPLETED, now))
        return summary_of(ended, already_finished=not finished)
    return _ask_next(deps, uow, interview, after_position)


def _asked_after(interview: Interview, position: int) -> QuestionAsked | None:
    following = next((q for q in interview.questions if q.position == position + 1), None)
    return None if following is None else QuestionAsked(interview.session, following, True)


def _ask_next(
    deps: Deps, uow: UnitOfWork, interview: Interview, after_position: int
) -> QuestionAsked:
    now = deps.clock.now()
    session = interview.session
    planned = interview.next_planned(after_position)
    if planned is not None:  # a review session: chosen when it started
        question = planned_question(deps, uow, planned, session.identity_id, interview.bank_ids())
    else:
        level = interview.next_difficulty(after_position)  # moves in an adaptive interview
        question = choose_question(
            session_pool(deps, uow, session, level),
            last_seen=uow.questions.last_seen(session.identity_id, session.role, level),
            in_this_session=interview.bank_ids(),
            rng=deps.random,
        )
    asked = interview.next_main(question, after_position=after_position, at=now)
    try:
        uow.questions.add(asked)
    except DuplicateKey:  # a concurrent click asked it first (only our insert was undone)
        existing = uow.questions.get(session.id, after_position + 1)
        assert existing is not None
        uow.commit()  # keep the rest of this transaction: a skip recorded with it
        return QuestionAsked(session, existing, duplicate=True)
    if touch_due(session.last_activity_at, now):
        uow.sessions.touch(session.id, now)
    uow.commit()
    return QuestionAsked(session, asked)


def go_deeper(deps: Deps, *, session_id: int, position: int, actor: UserRef) -> QuestionAsked:
    """One follow-up question built from the gaps of the answer at `position` (capped)."""
    with deps.uow() as uow:
        interview = load_interview(uow, session_id, deps.rules, actor=actor)
    following = _asked_after(interview, position)
    if following is not None and following.question.follow_up_of == position:
        return following  # a double click: the follow-up is already there
    interview.check_deeper(position)
    lock = f"deeper:{session_id}:{position}"
    token = deps.locks.acquire(lock, ttl_seconds=deps.rules.evaluation_lock_seconds)
    if token is None:
        raise FollowUpInProgress()
    try:
        return _write_follow_up(deps, interview, position)
    finally:
        try:
            deps.locks.release(lock, token)
        except ServiceUnavailable:  # the follow-up may be stored: never report "nothing changed"
            log.warning("could not release lock %s; it expires on its own", lock)


def _write_follow_up(deps: Deps, interview: Interview, position: int) -> QuestionAsked:
    now = deps.clock.now()
    provider = deps.evaluator.provider
    current = interview.question_at(position)
    attempt = interview.attempt_at(position)
    assert attempt is not None and attempt.evaluation is not None  # check_deeper made sure
    try:
        reply = deps.writer.follow_up(current.question, attempt.answer, attempt.evaluation)
    except LlmUnavailable as err:
        with deps.uow() as uow:
            uow.llm_calls.add(
                purpose="follow_up",
                provider=provider,
                usage=None,
                ok=False,
                error_kind=err.kind,
                at=now,
            )
            uow.commit()
        raise
    asked = interview.follow_up(reply.question, position=position, at=now)
    with deps.uow() as uow:
        session = uow.sessions.get(interview.session.id, for_update=True)
        assert session is not None
        try:
            uow.questions.add(asked)
        except DuplicateKey:
            uow.rollback()
            existing = uow.questions.get(session.id, position + 1)
            assert existing is not None
            return QuestionAsked(session, existing, duplicate=True)
        if reply.usage is not None:
            uow.llm_calls.add(
                purpose="follow_up",
                provider=reply.provider or provider,  # a fallback chain names who wrote it
                usage=reply.usage,
                ok=True,
                error_kind=None,
                at=now,
            )
        uow.sessions.touch(session.id, now)
        uow.commit()
    return QuestionAsked(session, asked)


def give_hint(deps: Deps, *, session_id: int, position: int, actor: UserRef) -> HintGiven:
    """The question's hint first, then one key point at a time (never more than half of them)."""
    with deps.uow() as uow:
        interview = load_interview(uow, session_id, deps.rules, actor=actor, lock=True)
        interview.check_hint(position)
        used = uow.questions.add_hint(session_id, position)
        uow.commit()
    return HintGiven(
        session=interview.session,
        question=interview.question_at(position),
        hint=interview.hint_text(position, used),
        hints_used=used,
        hints_left=max(0, interview.hints_available(position) - used),
    )


def skip_question(
    deps: Deps, *, session_id: int, position: int, actor: UserRef, delivery_id: str
) -> QuestionAsked | SessionSummary:
    """Record the question as skipped (no score) and move on, in one transaction: an outage
    leaves either both done or neither. A skip counts as forgotten for what it would review."""
    moved: QuestionAsked | SessionSummary | None = None
    skipped = None
    with deps.uow() as uow:
        interview = load_interview(uow, session_id, deps.rules, actor=actor, lock=True)
        existing = interview.attempt_at(position)
        if existing is None:
            interview.check_skip(position)
            try:
                skipped = uow.attempts.add(
                    session_id=session_id,
                    position=position,
                    delivery_id=delivery_id,
                    answer="",
                    status=AttemptStatus.SKIPPED,
                    created_at=deps.clock.now(),
                )
            except DuplicateKey:
                uow.rollback()
                skipped, existing = None, uow.attempts.at_position(session_id, position)
            else:
                moved = _advance(deps, uow, interview.with_attempt(skipped), position)
        if moved is None and existing is not None and existing.status is not AttemptStatus.SKIPPED:
            raise QuestionAlreadyAnswered()
    if skipped is not None:  # after the commit, outside any unit of work
        schedule_reviews(deps, interview=interview, attempt=skipped)
    if moved is not None:
        return moved
    return next_question(deps, session_id=session_id, after_position=position, actor=actor)
