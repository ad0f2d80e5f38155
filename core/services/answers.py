"""Answering: save the answer first, then evaluate it exactly once under a per-attempt lock.

Order (DESIGN.md §3): active session -> attempt stored `pending` (unique per session+position
and per delivery id) -> attempt lock -> cache lookup -> LLM on a miss -> evaluation stored with
a conditional update -> lock released. A fault anywhere leaves the answer saved and retryable.
The Interview aggregate says which question an answer goes to and what may follow it.
"""

from __future__ import annotations

import hashlib
import logging
import time
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from core.domain.errors import (
    AnswerTooLong,
    EmptyAnswer,
    InvalidAnswerText,
    LlmFault,
    LlmUnavailable,
    NoActiveSession,
    NothingToRetry,
    NotYourSession,
    QuestionAlreadyAnswered,
    Service,
    ServiceUnavailable,
)
from core.domain.interview import Interview
from core.domain.model import (
    Attempt,
    AttemptStatus,
    ConversationRef,
    Evaluation,
    LlmUsage,
    UserRef,
)
from core.domain.results import AnswerOutcome, AnswerStatus
from core.ports import DuplicateKey, UnitOfWork
from core.services.common import interview_of_session, load_interview
from core.services.deps import Deps
from core.services.grading import check_language, grade_answer, graded_version

log = logging.getLogger(__name__)

AcceptedHook = Callable[[Attempt], None]

IN_PROGRESS_MESSAGE = "That answer is already being evaluated — the result will appear shortly."
FAILED_MESSAGE = "The evaluation of this answer failed; it is saved — press Retry."
UNEXPECTED_MESSAGE = (
    "Something went wrong while evaluating your answer. It is saved — press Retry in a moment."
)


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
    answer = validated_answer(deps, text)
    with deps.uow() as uow:
        interview = load_interview(uow, session_id, deps.rules, actor=actor, lock=True)
        accepted = _accept(deps, uow, interview, answer, delivery_id, position)
    return _evaluate_accepted(deps, accepted, on_accepted)


Accepted = tuple[Interview, Attempt] | AnswerOutcome  # stored now, or what was stored before


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
        return _replay(interview, earlier, delivery_id)
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
        uow.sessions.touch(interview.session.id, now)
        uow.commit()
    except DuplicateKey:
        uow.rollback()
        interview = load_interview(uow, interview.session.id, deps.rules)
        raced = _earlier_attempt(interview, delivery_id, current.position)
        assert raced is not None, "a unique key refused the insert, so a row exists"
        return _replay(interview, raced, delivery_id)
    return interview.with_attempt(attempt), attempt


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
        return _replay(interview, attempt, attempt.delivery_id)
    return evaluate_attempt(deps, interview=interview, attempt=attempt)


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


def evaluation_cache_key(provider: str, prompt_version: str, question: str, answer: str) -> str:
    """SHA-256 of prompt version + question + normalised answer (case and spacing ignored)."""
    normalised = " ".join(unicodedata.normalize("NFKC", answer).casefold().split())
    material = "\x1f".join((provider, prompt_version, question.strip(), normalised))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def evaluate_attempt(
    deps: Deps, *, interview: Interview, attempt: Attempt, just_stored: bool = False
) -> AnswerOutcome:
    """Evaluate one stored attempt under its lock; at most one evaluation is ever stored.

    `just_stored`: the caller inserted it a moment ago, so it is known to be pending (anyone
    else read it before taking the lock, and must look again once they hold it)."""
    lock_name = f"attempt:{attempt.id}"
    try:
        token = deps.locks.acquire(lock_name, ttl_seconds=deps.rules.evaluation_lock_seconds)
    except ServiceUnavailable as exc:
        _mark_failed(deps, attempt, Service.REDIS)  # saved and retryable once Redis is back
        raise ServiceUnavailable(exc.service, answer_saved=True) from exc
    if token is None:
        return _outcome(interview, attempt, AnswerStatus.IN_PROGRESS, duplicate=True)
    try:
        return _evaluate_locked(deps, interview, attempt, just_stored=just_stored)
    finally:
        try:
            deps.locks.release(lock_name, token)
        except ServiceUnavailable:
            log.warning("could not release lock %s; it expires on its own", lock_name)


def _evaluate_locked(
    deps: Deps, interview: Interview, attempt: Attempt, *, just_stored: bool
) -> AnswerOutcome:
    fresh: Attempt | None = attempt
    if not just_stored:
        with deps.uow() as uow:
            fresh = uow.attempts.get(attempt.id)
    assert fresh is not None
    if fresh.status is AttemptStatus.EVALUATED:
        return _outcome(interview, fresh, AnswerStatus.EVALUATED, duplicate=True)
    question = interview.question_at(fresh.position).question
    evaluator = deps.evaluator
    key = evaluation_cache_key(
        evaluator.provider, graded_version(evaluator), question.text, fresh.answer
    )
    evaluation = _cache_get(deps, key)
    cached = evaluation is not None
    usage: LlmUsage | None = None
    if evaluation is None:
        started = time.perf_counter()
        try:
            evaluation, usage = grade_answer(
                evaluator, question, fresh.answer, throttle=deps.throttle
            )
        except LlmUnavailable as err:
            return _failed(deps, interview, fresh, err.kind, err.message, auto_retry=err.retryable)
        except Exception:  # a bug or an unforeseen fault must not strand the saved answer
            log.exception("evaluator %s failed unexpectedly", evaluator.provider)
            return _failed(deps, interview, fresh, LlmFault.UNEXPECTED, UNEXPECTED_MESSAGE)
        usage = usage or LlmUsage(
            model=evaluator.provider, latency_ms=(time.perf_counter() - started) * 1000
        )
        _cache_put(deps, key, evaluation)
    final, stored = _store(deps, fresh, evaluation, cached=cached, usage=usage)
    return _outcome(interview, final, AnswerStatus.EVALUATED, duplicate=not stored)


def _failed(
    deps: Deps,
    interview: Interview,
    attempt: Attempt,
    kind: str,
    message: str,
    *,
    auto_retry: bool = True,
) -> AnswerOutcome:
    failed = _mark_failed(deps, attempt, kind, auto_retry=auto_retry)
    return _outcome(interview, failed, AnswerStatus.FAILED, message=message)


def _store(
    deps: Deps, attempt: Attempt, evaluation: Evaluation, *, cached: bool, usage: LlmUsage | None
) -> tuple[Attempt, bool]:
    """Store the evaluation (conditionally) and return the attempt as it now stands."""
    now = deps.clock.now()
    with deps.uow() as uow:
        stored = uow.attempts.record_evaluation(
            attempt.id, evaluation, cached=cached, usage=usage, at=now
        )
        if usage is not None:  # the call happened (and cost) whether or not we won the store
            uow.llm_calls.add(
                purpose="evaluate",
                provider=deps.evaluator.provider,
                usage=usage,
                ok=True,
                error_kind=None,
                at=now,
                attempt_id=attempt.id,
            )
        final = uow.attempts.get(attempt.id) if not stored else None
        uow.commit()
    if final is None:  # ours is the stored evaluation: no need to read it back
        final = _evaluated_copy(attempt, evaluation, cached=cached, usage=usage, at=now)
    return final, stored


def _evaluated_copy(
    attempt: Attempt, evaluation: Evaluation, *, cached: bool, usage: LlmUsage | None, at: datetime
) -> Attempt:
    return replace(
        attempt,
        status=AttemptStatus.EVALUATED,
        evaluation=evaluation,
        cached=cached,
        usage=usage,
        error_kind=None,
        evaluated_at=at,
    )


def _mark_failed(deps: Deps, attempt: Attempt, kind: str, *, auto_retry: bool = True) -> Attempt:
    with deps.uow() as uow:
        uow.attempts.record_failure(
            attempt.id, error_kind=kind, auto_retry=auto_retry, at=deps.clock.now()
        )
        if kind != Service.REDIS:
            uow.llm_calls.add(
                purpose="evaluate",
                provider=deps.evaluator.provider,
                usage=None,
                ok=False,
                error_kind=kind,
                at=deps.clock.now(),
                attempt_id=attempt.id,
            )
        failed = uow.attempts.get(attempt.id)
        uow.commit()
    return failed or attempt


def _cache_get(deps: Deps, key: str) -> Evaluation | None:
    try:
        return deps.cache.get(key)
    except ServiceUnavailable:
        log.warning("evaluation cache unreachable; evaluating without it")
        return None


def _cache_put(deps: Deps, key: str, evaluation: Evaluation) -> None:
    try:
        deps.cache.put(key, evaluation)
    except ServiceUnavailable:
        log.warning("evaluation cache unreachable; result not cached")


def _replay(interview: Interview, attempt: Attempt, delivery_id: str) -> AnswerOutcome:
    """Someone answered this already (a redelivery, a double click, or a second message)."""
    if attempt.status is AttemptStatus.SKIPPED:
        raise QuestionAlreadyAnswered()
    status = {
        AttemptStatus.EVALUATED: AnswerStatus.EVALUATED,
        AttemptStatus.FAILED: AnswerStatus.FAILED,
    }.get(attempt.status, AnswerStatus.IN_PROGRESS)
    message = {AnswerStatus.FAILED: FAILED_MESSAGE}.get(status, "")
    return _outcome(
        interview,
        attempt,
        status,
        duplicate=True,
        message=message,
        superseded=attempt.delivery_id != delivery_id,
    )


def _outcome(
    interview: Interview,
    attempt: Attempt,
    status: AnswerStatus,
    *,
    duplicate: bool = False,
    message: str = "",
    superseded: bool = False,
) -> AnswerOutcome:
    """What became of the answer, with what the interview allows next (asked of the aggregate)."""
    if status is AnswerStatus.IN_PROGRESS and not message:
        message = IN_PROGRESS_MESSAGE
    now = interview.with_attempt(attempt)
    position = attempt.position
    return AnswerOutcome(
        status=status,
        session=now.session,
        question=now.question_at(position),
        attempt=attempt,
        duplicate=duplicate,
        has_next=now.has_next(position),
        can_go_deeper=now.can_go_deeper(position),
        message=message,
        superseded=superseded,
    )
