"""Answering: save the answer first, then evaluate it exactly once under a per-attempt lock.

Order (DESIGN.md §3): active session -> attempt stored `pending` (unique per session+position
and per delivery id) -> attempt lock -> cache lookup -> LLM on a miss -> evaluation stored with
a conditional update -> lock released. A fault anywhere leaves the answer saved and retryable.
The Interview aggregate says which question an answer goes to and what may follow it.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from core.domain.errors import (
    AnswerTooLong,
    EmptyAnswer,
    InvalidAnswerText,
    NoActiveSession,
    NothingToRetry,
    NotYourSession,
)
from core.domain.interview import Interview
from core.domain.model import (
    Attempt,
    AttemptStatus,
    ConversationRef,
    UserRef,
)
from core.domain.results import AnswerOutcome, AnswerStatus
from core.ports import DuplicateKey, UnitOfWork
from core.services.common import interview_of_session, load_interview
from core.services.deps import Deps
from core.services.evaluation import evaluate_attempt, outcome, replay
from core.services.grading import check_language

log = logging.getLogger(__name__)

AcceptedHook = Callable[[Attempt], None]

ACCEPTED_MESSAGE = "Your answer is saved and being evaluated — the result will appear shortly."


def answer_in_conversation(
    deps: Deps,
    *,
    conversation: ConversationRef,
    text: str,
    delivery_id: str,
    on_accepted: AcceptedHook | None = None,
) -> AnswerOutcome:
    """A chat message in a session's thread: the owner's answer to the current question."""
    with deps.uow() as uow:
        session = uow.sessions.find_active(conversation, for_update=True)
        if session is None:
            raise NoActiveSession()
        if session.conversation.user_ref != conversation.user_ref:
            raise NotYourSession()  # before validating: other people's messages are not answers
        answer = validated_answer(deps, text)
        interview = interview_of_session(uow, session, deps.rules)
        accepted = _accept(deps, uow, interview, answer, delivery_id, None)
    return _evaluate_accepted(deps, accepted, on_accepted)


def submit_answer(
    deps: Deps,
    *,
    session_id: int,
    actor: UserRef,
    text: str,
    delivery_id: str,
    position: int | None = None,
    on_accepted: AcceptedHook | None = None,
) -> AnswerOutcome:
    """Store the answer (idempotent on delivery id), then evaluate it once.

    `on_accepted` runs once per answer, only in the caller whose insert stored it, after the
    commit and before the evaluation: an adapter shows "Evaluating…" there, so redeliveries
    and racers (which get `duplicate=True`) never show it a second time."""
    accepted = _accept_submission(deps, session_id, actor, text, delivery_id, position)
    return _evaluate_accepted(deps, accepted, on_accepted)


def accept_answer(
    deps: Deps,
    *,
    session_id: int,
    actor: UserRef,
    text: str,
    delivery_id: str,
    position: int | None = None,
) -> AnswerOutcome:
    """Store the answer (idempotent on delivery id) and return without evaluating it.

    For a caller that must answer at once (the web, behind a 30-second gateway): it has the
    answer evaluated afterwards with `retry_evaluation`, which evaluates a pending answer once
    under its lock. A fresh answer comes back IN_PROGRESS; a repeat, as it stands."""
    accepted = _accept_submission(deps, session_id, actor, text, delivery_id, position)
    if isinstance(accepted, AnswerOutcome):
        return accepted
    interview, attempt = accepted
    return outcome(interview, attempt, AnswerStatus.IN_PROGRESS, message=ACCEPTED_MESSAGE)


Accepted = tuple[Interview, Attempt] | AnswerOutcome  # stored now, or what was stored before


def _accept_submission(
    deps: Deps,
    session_id: int,
    actor: UserRef,
    text: str,
    delivery_id: str,
    position: int | None,
) -> Accepted:
    answer = validated_answer(deps, text)
    with deps.uow() as uow:
        interview = load_interview(uow, session_id, deps.rules, actor=actor, lock=True)
        return _accept(deps, uow, interview, answer, delivery_id, position)


def _accept(
    deps: Deps,
    uow: UnitOfWork,
    interview: Interview,
    answer: str,
    delivery_id: str,
    position: int | None,
) -> Accepted:
    """Store the answer as pending in this (locked) unit of work, or replay the earlier one."""
    interview.require_active()
    earlier = _earlier_attempt(interview, delivery_id, position)
    if earlier is not None:  # a redelivery, a double submit, or a second message
        return replay(interview, earlier, delivery_id)
    current = interview.answerable(position)
    now = deps.clock.now()
    try:
        attempt = uow.attempts.add(
            session_id=interview.session.id,
            position=current.position,
            delivery_id=delivery_id,
            answer=answer,
            status=AttemptStatus.PENDING,
            created_at=now,
        )
        if touch_due(interview.session.last_activity_at, now):
            uow.sessions.touch(interview.session.id, now)
        uow.commit()
    except DuplicateKey:
        uow.rollback()
        interview = load_interview(uow, interview.session.id, deps.rules)
        raced = _earlier_attempt(interview, delivery_id, current.position)
        assert raced is not None, "a unique key refused the insert, so a row exists"
        return replay(interview, raced, delivery_id)
    return interview.with_attempt(attempt), attempt


# Idle expiry counts hours (SESSION_IDLE_HOURS, at least 1): a session touched this recently
# need not be written again for an answer or a next question (a statement less on each).
TOUCH_AFTER = timedelta(minutes=10)


def touch_due(last_activity: datetime | None, now: datetime) -> bool:
    return last_activity is None or now - last_activity >= TOUCH_AFTER


def _evaluate_accepted(
    deps: Deps, accepted: Accepted, on_accepted: AcceptedHook | None
) -> AnswerOutcome:
    if isinstance(accepted, AnswerOutcome):
        return accepted
    interview, attempt = accepted
    if on_accepted is not None:
        _notify_accepted(on_accepted, attempt)
    # Just stored by us, under our lock: it is pending, no need to read it back.
    return evaluate_attempt(deps, interview=interview, attempt=attempt, just_stored=True)


def _earlier_attempt(
    interview: Interview, delivery_id: str, position: int | None
) -> Attempt | None:
    """The stored attempt this submission repeats: same delivery, or its question's answer."""
    for attempt in interview.attempts.values():
        if attempt.delivery_id == delivery_id:
            return attempt
    target = interview.current.position if position is None else position
    return interview.attempt_at(target)


def _notify_accepted(hook: AcceptedHook, attempt: Attempt) -> None:
    # The answer is already stored: a failing hook (say, the chat API is down) must not cost
    # the candidate the evaluation, so it is logged and the evaluation goes ahead.
    try:
        hook(attempt)
    except Exception:
        log.exception("on_accepted hook failed for attempt %s; evaluating anyway", attempt.id)


def retry_evaluation(
    deps: Deps, *, session_id: int, position: int, actor: UserRef
) -> AnswerOutcome:
    """Evaluate a saved answer again (the Retry button): after a failure, or when the worker
    evaluating it died (the attempt lock is free again then; a live worker still holds it)."""
    with deps.uow() as uow:
        interview = load_interview(uow, session_id, deps.rules, actor=actor)
    attempt = interview.attempt_at(position)
    if attempt is None or attempt.status is AttemptStatus.SKIPPED:
        raise NothingToRetry()
    if attempt.status is AttemptStatus.EVALUATED:
        return replay(interview, attempt, attempt.delivery_id)
    return evaluate_attempt(deps, interview=interview, attempt=attempt)


def requeue_for_retry(
    deps: Deps, *, session_id: int, position: int, actor: UserRef
) -> AnswerOutcome:
    """The Retry button, for a caller that evaluates afterwards (`retry_evaluation`): a failed
    answer goes back to pending, so the interview shows it being evaluated again at once."""
    with deps.uow() as uow:
        interview = load_interview(uow, session_id, deps.rules, actor=actor, lock=True)
        attempt = interview.attempt_at(position)
        if attempt is None or attempt.status is AttemptStatus.SKIPPED:
            raise NothingToRetry()
        if attempt.status is AttemptStatus.EVALUATED:
            return replay(interview, attempt, attempt.delivery_id)
        if attempt.status is AttemptStatus.FAILED:
            uow.attempts.requeue(attempt.id)
            uow.commit()
            attempt = replace(attempt, status=AttemptStatus.PENDING)
    return outcome(interview, attempt, AnswerStatus.IN_PROGRESS, message=ACCEPTED_MESSAGE)


def validated_answer(deps: Deps, text: str) -> str:
    """The answer as it will be stored, or a clear refusal (nothing stored, nothing counted)."""
    answer = unicodedata.normalize("NFC", text or "").strip()
    if not answer:
        raise EmptyAnswer()
    if len(answer) > deps.rules.max_answer_chars:
        raise AnswerTooLong(len(answer), deps.rules.max_answer_chars)
    if not _is_text(answer):
        raise InvalidAnswerText()
    check_language(deps.evaluator, answer)
    return answer


def _is_text(answer: str) -> bool:
    """No lone surrogates (undecodable bytes) and no control characters besides line breaks."""
    try:
        answer.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in answer)
