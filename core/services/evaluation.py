"""Evaluating a stored answer exactly once: attempt lock, cache, grading, conditional store.

The answer is always saved before anything here runs (core/services/answers.py), so every
fault leaves it saved and retryable; the maintenance job and the Retry button come here too.
"""

from __future__ import annotations

import hashlib
import logging
import time
import unicodedata
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
from core.services.grading import grade_answer, graded_version
from core.services.learning import schedule_reviews

log = logging.getLogger(__name__)

IN_PROGRESS_MESSAGE = "That answer is already being evaluated — the result will appear shortly."
FAILED_MESSAGE = "The evaluation of this answer failed; it is saved — press Retry."
UNEXPECTED_MESSAGE = (
    "Something went wrong while evaluating your answer. It is saved — press Retry in a moment."
)


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
            evaluation, usage = grade_answer(evaluator, question, fresh.answer)
        except LlmUnavailable as err:
            return _failed(deps, interview, fresh, err.kind, err.message, auto_retry=err.retryable)
        except Exception:  # a bug or an unforeseen fault must not strand the saved answer
            log.exception("evaluator %s failed unexpectedly", evaluator.provider)
            return _failed(deps, interview, fresh, LlmFault.UNEXPECTED, UNEXPECTED_MESSAGE)
        model_called = usage is not None  # the offline scorer calls no model: no call to count
        usage = usage or LlmUsage(
            model=evaluator.provider, latency_ms=(time.perf_counter() - started) * 1000
        )
        _cache_put(deps, key, evaluation)
    else:
        model_called = False
    final, stored = _store(
        deps, fresh, evaluation, cached=cached, usage=usage, model_called=model_called
    )
    if stored:  # ours is the evaluation: its answer reschedules what it reviewed, once
        schedule_reviews(deps, interview=interview, attempt=final)
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
    deps: Deps,
    attempt: Attempt,
    evaluation: Evaluation,
    *,
    cached: bool,
    usage: LlmUsage | None,
    model_called: bool,
) -> tuple[Attempt, bool]:
    """Store the evaluation (conditionally) and return the attempt as it now stands."""
    now = deps.clock.now()
    with deps.uow() as uow:
        stored = uow.attempts.record_evaluation(
            attempt.id, evaluation, cached=cached, usage=usage, at=now
        )
        if model_called and usage is not None:  # it cost, whether or not we won the store
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


def replay(interview: Interview, attempt: Attempt, delivery_id: str) -> AnswerOutcome:
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
