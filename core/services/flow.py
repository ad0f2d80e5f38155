"""Moving through an interview: next question, go deeper, hint, skip.

Every action names the position it acts on (buttons carry it), so a double click or a
redelivered action finds its work already done and returns it marked `duplicate`.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.errors import (
    FollowUpInProgress,
    FollowUpLimitReached,
    InterviewError,
    LlmUnavailable,
    QuestionAlreadyAnswered,
)
from core.domain.model import (
    AskedQuestion,
    AttemptStatus,
    Evaluation,
    QuestionKind,
    SessionStatus,
    UserRef,
)
from core.domain.results import HintGiven, QuestionAsked, SessionSummary
from core.ports import DuplicateKey, UnitOfWork
from core.services.common import owned_session, scope_of
from core.services.deps import Deps
from core.services.selection import choose_question
from core.services.summary import summarize


class NotAnsweredYet(InterviewError):
    code = "not_answered"

    def __init__(self, action: str) -> None:
        super().__init__(f"Answer this question first (or skip it) before {action}.")


def next_question(
    deps: Deps, *, session_id: int, after_position: int, actor: UserRef
) -> QuestionAsked | SessionSummary:
    """Ask the next main question, or finish the session with its summary after the last one."""
    with deps.uow() as uow:
        step = _advance(deps, uow, session_id, after_position, actor)
    if isinstance(step, QuestionAsked):
        return step
    # Summarised outside the locked transaction: on SQLite a second connection would wait for it.
    return summarize(deps, session_id=session_id, already_finished=step.already)


@dataclass(frozen=True, slots=True)
class _Finished:
    already: bool  # it had finished before this call (a double click on Finish)


def _advance(
    deps: Deps, uow: UnitOfWork, session_id: int, after_position: int, actor: UserRef
) -> QuestionAsked | _Finished:
    now = deps.clock.now()
    session = owned_session(uow, session_id, actor, active=False, lock=True)
    following = uow.questions.get(session_id, after_position + 1)
    if following is not None:
        return QuestionAsked(session, following, duplicate=True)
    if not session.is_active:
        return _Finished(already=True)
    current = _question_at(uow, session_id, after_position)
    if uow.attempts.at_position(session_id, after_position) is None:
        raise NotAnsweredYet("moving on")
    if current.main_index >= session.question_count:
        finished = uow.sessions.finish(session_id, status=SessionStatus.COMPLETED, at=now)
        uow.commit()
        return _Finished(already=not finished)
    identity = uow.identities.get(session.identity_id)
    assert identity is not None
    in_session = {q.question.bank_id for q in uow.questions.in_session(session_id)}
    question = choose_question(
        deps.bank.pool(session.role, session.difficulty),
        asked_before=uow.questions.bank_ids_asked(
            scope_of(uow, identity), session.role, session.difficulty
        ),
        in_this_session={b for b in in_session if b},
        rng=deps.random,
    )
    asked = AskedQuestion(
        session_id, after_position + 1, QuestionKind.MAIN, current.main_index + 1, question, now
    )
    try:
        uow.questions.add(asked)
    except DuplicateKey:  # a concurrent click asked it first
        uow.rollback()
        existing = uow.questions.get(session_id, after_position + 1)
        assert existing is not None
        return QuestionAsked(session, existing, duplicate=True)
    uow.sessions.touch(session_id, now)
    uow.commit()
    return QuestionAsked(session, asked)


def go_deeper(deps: Deps, *, session_id: int, position: int, actor: UserRef) -> QuestionAsked:
    """One follow-up question built from the gaps of the answer at `position` (capped)."""
    with deps.uow() as uow:
        session = owned_session(uow, session_id, actor)
        current = _question_at(uow, session_id, position)
        attempt = uow.attempts.at_position(session_id, position)
        if attempt is None or attempt.evaluation is None:
            raise NotAnsweredYet("going deeper")
        following = uow.questions.get(session_id, position + 1)
        if following is not None:
            if following.follow_up_of == position:
                return QuestionAsked(session, following, duplicate=True)
            raise InterviewError("You have already moved on to the next question.")
        used = sum(
            q.kind is QuestionKind.FOLLOW_UP and q.main_index == current.main_index
            for q in uow.questions.in_session(session_id)
        )
    limit = deps.rules.max_follow_ups_per_question
    if used >= limit:
        raise FollowUpLimitReached(limit)
    lock = f"deeper:{session_id}:{position}"
    token = deps.locks.acquire(lock, ttl_seconds=deps.rules.evaluation_lock_seconds)
    if token is None:
        raise FollowUpInProgress()
    try:
        return _write_follow_up(deps, session_id, current, attempt.answer, attempt.evaluation)
    finally:
        deps.locks.release(lock, token)


def _write_follow_up(
    deps: Deps, session_id: int, current: AskedQuestion, answer: str, evaluation: Evaluation
) -> QuestionAsked:
    now = deps.clock.now()
    provider = deps.evaluator.provider
    try:
        reply = deps.writer.follow_up(current.question, answer, evaluation)
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
    asked = AskedQuestion(
        session_id,
        current.position + 1,
        QuestionKind.FOLLOW_UP,
        current.main_index,
        reply.question,
        now,
        follow_up_of=current.position,
    )
    with deps.uow() as uow:
        session = uow.sessions.get(session_id, for_update=True)
        assert session is not None
        try:
            uow.questions.add(asked)
        except DuplicateKey:
            uow.rollback()
            existing = uow.questions.get(session_id, current.position + 1)
            assert existing is not None
            return QuestionAsked(session, existing, duplicate=True)
        if reply.usage is not None:
            uow.llm_calls.add(
                purpose="follow_up",
                provider=provider,
                usage=reply.usage,
                ok=True,
                error_kind=None,
                at=now,
            )
        uow.sessions.touch(session_id, now)
        uow.commit()
    return QuestionAsked(session, asked)


def give_hint(deps: Deps, *, session_id: int, position: int, actor: UserRef) -> HintGiven:
    """The question's hint first, then one key point at a time (never more than half of them)."""
    with deps.uow() as uow:
        session = owned_session(uow, session_id, actor, lock=True)
        asked = _question_at(uow, session_id, position)
        if uow.attempts.at_position(session_id, position) is not None:
            raise QuestionAlreadyAnswered()
        points = asked.question.key_points
        available = (1 if asked.question.hint else 0) + len(points) // 2
        if asked.hints_used >= available:
            raise InterviewError("No more hints for this question — give it your best shot.")
        used = uow.questions.add_hint(session_id, position)
        uow.commit()
    if asked.question.hint and used == 1:
        text = asked.question.hint
    else:  # then one key point per hint, in order
        text = f"A strong answer mentions this: {points[used - (2 if asked.question.hint else 1)]}"
    return HintGiven(session=session, question=asked, hint=text, hints_used=used)


def skip_question(
    deps: Deps, *, session_id: int, position: int, actor: UserRef, delivery_id: str
) -> QuestionAsked | SessionSummary:
    """Record the question as skipped (no score) and move on."""
    with deps.uow() as uow:
        owned_session(uow, session_id, actor, lock=True)
        _question_at(uow, session_id, position)
        try:
            uow.attempts.add(
                session_id=session_id,
                position=position,
                delivery_id=delivery_id,
                answer="",
                status=AttemptStatus.SKIPPED,
                created_at=deps.clock.now(),
            )
            uow.commit()
        except DuplicateKey:
            uow.rollback()
            existing = uow.attempts.at_position(session_id, position)
            if existing is None or existing.status is not AttemptStatus.SKIPPED:
                raise QuestionAlreadyAnswered() from None
    return next_question(deps, session_id=session_id, after_position=position, actor=actor)


def _question_at(uow: UnitOfWork, session_id: int, position: int) -> AskedQuestion:
    asked = uow.questions.get(session_id, position)
    if asked is None:
        raise InterviewError("That question is not part of this interview.")
    return asked
