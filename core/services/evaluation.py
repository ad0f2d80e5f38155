"""Evaluating a stored answer exactly once: attempt lock, cache, grading, conditional store.

The answer is always saved before anything here runs (core/services/answers.py), so every
fault leaves it saved and retryable; the maintenance job and the Retry button come here too.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import datetime

from core.domain.errors import (
    LlmFault,
    LlmUnavailable,
    QuestionAlreadyAnswered,
    Service,
    ServiceUnavailable,
)
from core.domain.interview import Interview
from core.domain.model import Attempt, AttemptStatus, Evaluation, LlmUsage
from core.domain.results import AnswerOutcome, AnswerStatus
from core.services.deps import Deps
from core.services.grading import ForgivingCache, Graded, grade_cached
from core.services.learning import schedule_reviews

log = logging.getLogger(__name__)

IN_PROGRESS_MESSAGE = "That answer is already being evaluated — the result will appear shortly."
FAILED_MESSAGE = "The evaluation of this answer failed; it is saved — press Retry."
UNEXPECTED_MESSAGE = (
    "Something went wrong while evaluating your answer. It is saved — press Retry in a moment."
)


def evaluate_attempt(
    deps: Deps, *, interview: Interview, attempt: Attempt, just_stored: bool = False
) -> AnswerOutcome:
    """Evaluate one stored attempt under its lock; at most one evaluation is ever stored.

    `just_stored`: the caller inserted it a moment ago, so it is known to be pending (anyone
    else read it before taking the lock, and must look again once they hold it). The answer
    is stored already: an outage from here on (the database or Redis going away
    mid-evaluation) says that it is saved, never that nothing changed."""
    try:
        return _evaluate_stored(deps, interview, attempt, just_stored=just_stored)
    except ServiceUnavailable as exc:
        if exc.answer_saved:
            raise
        raise ServiceUnavailable(exc.service, answer_saved=True) from exc


def _evaluate_stored(
    deps: Deps, interview: Interview, attempt: Attempt, *, just_stored: bool
) -> AnswerOutcome:
    lock_name = f"attempt:{attempt.id}"
    try:
        token = deps.locks.acquire(lock_name, ttl_seconds=deps.rules.evaluation_lock_seconds)
    except ServiceUnavailable as exc:
        _mark_failed(deps, attempt, Service.REDIS)  # saved and retryable once Redis is back
        raise ServiceUnavailable(exc.service, answer_saved=True) from exc
    if token is None:
        return outcome(interview, attempt, AnswerStatus.IN_PROGRESS, duplicate=True)
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
        return outcome(interview, fresh, AnswerStatus.EVALUATED, duplicate=True)
    question = interview.question_at(fresh.position).question
    evaluator = deps.evaluator
    started = time.perf_counter()
    try:
        # Each failed call is recorded as it happens (a fallback chain may make several).
        graded = grade_cached(
            evaluator,
            question,
            fresh.answer,
            cache=ForgivingCache(deps.cache),
            on_failure=lambda grader, err: _record_failed_call(deps, fresh, grader.provider, err),
            throttle=deps.throttle,
        )
    except LlmUnavailable as err:
        return _failed(deps, interview, fresh, err.kind, err.message, auto_retry=err.retryable)
    except Exception:  # a bug or an unforeseen fault must not strand the saved answer
        log.exception("evaluator %s failed unexpectedly", evaluator.provider)
        _record_failed_call(deps, fresh, evaluator.provider, None)
        return _failed(deps, interview, fresh, LlmFault.UNEXPECTED, UNEXPECTED_MESSAGE)
    final, stored = _store(deps, fresh, graded, _usage_of(graded, started))
    if stored:  # ours is the evaluation: its answer reschedules what it reviewed, once
        schedule_reviews(deps, interview=interview, attempt=final)
    return outcome(interview, final, AnswerStatus.EVALUATED, duplicate=not stored)


def _usage_of(graded: Graded, started: float) -> LlmUsage | None:
    """What the grading cost: none from the cache; timed here for a grader without a model."""
    if graded.cached or graded.usage is not None:
        return graded.usage
    elapsed_ms = (time.perf_counter() - started) * 1000
    return LlmUsage(model=graded.evaluation.provider, latency_ms=elapsed_ms)


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
    return outcome(interview, failed, AnswerStatus.FAILED, message=message)


def _store(
    deps: Deps, attempt: Attempt, graded: Graded, usage: LlmUsage | None
) -> tuple[Attempt, bool]:
    """Store the evaluation (conditionally) and return the attempt as it now stands."""
    now = deps.clock.now()
    evaluation, cached = graded.evaluation, graded.cached
    with deps.uow() as uow:
        stored = uow.attempts.record_evaluation(
            attempt.id, evaluation, cached=cached, usage=usage, at=now
        )
        # A model that was called cost something, whether or not we won the store; the offline
        # scorer calls none, so there is no call to count (one statement less per answer).
        if graded.usage is not None and not cached:
            uow.llm_calls.add(
                purpose="evaluate",
                provider=evaluation.provider,  # who graded: with a fallback chain, not the first
                usage=graded.usage,
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
        failed = uow.attempts.get(attempt.id)
        uow.commit()
    return failed or attempt


def _record_failed_call(
    deps: Deps, attempt: Attempt, provider: str, error: LlmUnavailable | None
) -> None:
    """One failed model call, for the analytics (kind "unexpected" when it was no LLM fault)."""
    with deps.uow() as uow:
        uow.llm_calls.add(
            purpose="evaluate",
            provider=provider,
            usage=None,
            ok=False,
            error_kind=error.kind if error is not None else LlmFault.UNEXPECTED,
            at=deps.clock.now(),
            attempt_id=attempt.id,
        )
        uow.commit()


def replay(interview: Interview, attempt: Attempt, delivery_id: str) -> AnswerOutcome:
    """Someone answered this already (a redelivery, a double click, or a second message)."""
    if attempt.status is AttemptStatus.SKIPPED:
        raise QuestionAlreadyAnswered()
    status = {
        AttemptStatus.EVALUATED: AnswerStatus.EVALUATED,
        AttemptStatus.FAILED: AnswerStatus.FAILED,
    }.get(attempt.status, AnswerStatus.IN_PROGRESS)
    message = {AnswerStatus.FAILED: FAILED_MESSAGE}.get(status, "")
    return outcome(
        interview,
        attempt,
        status,
        duplicate=True,
        message=message,
        superseded=attempt.delivery_id != delivery_id,
    )


def outcome(
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
