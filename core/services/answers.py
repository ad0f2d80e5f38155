"""Answering: save the answer first, then evaluate it exactly once under a per-attempt lock.

Order (DESIGN.md §3): active session -> attempt stored `pending` (unique per session+position
and per delivery id) -> attempt lock -> cache lookup -> LLM on a miss -> evaluation stored with
a conditional update -> lock released. A fault anywhere leaves the answer saved and retryable.
"""

from __future__ import annotations

import hashlib
import logging
import time
import unicodedata
from collections.abc import Callable

from core.domain.errors import (
    AnswerTooLong,
    EmptyAnswer,
    InterviewError,
    LlmUnavailable,
    NoActiveSession,
    NothingToRetry,
    NotYourSession,
    QuestionAlreadyAnswered,
    ServiceUnavailable,
)
from core.domain.model import (
    AskedQuestion,
    Attempt,
    AttemptStatus,
    ConversationRef,
    Evaluation,
    LlmUsage,
    QuestionKind,
    Session,
    UserRef,
)
from core.domain.results import AnswerOutcome, AnswerStatus
from core.ports import DuplicateKey, UnitOfWork
from core.services.common import owned_session
from core.services.deps import Deps
from core.services.grading import check_language, grade_answer, graded_version

log = logging.getLogger(__name__)

AcceptedHook = Callable[[Attempt], None]

IN_PROGRESS_MESSAGE = "That answer is already being evaluated — the result will appear shortly."
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
        session = uow.sessions.find_active(conversation)
    if session is None:
        raise NoActiveSession()
    if session.conversation.user_ref != conversation.user_ref:
        raise NotYourSession()  # before validating: other people's messages are not answers
    return submit_answer(
        deps,
        session_id=session.id,
        actor=conversation.user_ref,
        text=text,
        delivery_id=delivery_id,
        on_accepted=on_accepted,
    )


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
    now = deps.clock.now()
    with deps.uow() as uow:
        session = owned_session(uow, session_id, actor, lock=True)
        current = uow.questions.latest(session_id)
        if current is None:
            raise NoActiveSession()
        if position is not None and position != current.position:
            earlier = uow.attempts.at_position(session_id, position)
            if earlier is None:
                raise InterviewError("That question is no longer current; answer the latest one.")
            return _replay(deps, uow, session, earlier, delivery_id)
        existing = uow.attempts.for_delivery(session_id, delivery_id) or uow.attempts.at_position(
            session_id, current.position
        )
        if existing is not None:  # a redelivery, a double submit, or a second message
            return _replay(deps, uow, session, existing, delivery_id)
        try:
            attempt = uow.attempts.add(
                session_id=session_id,
                position=current.position,
                delivery_id=delivery_id,
                answer=answer,
                status=AttemptStatus.PENDING,
                created_at=now,
            )
            uow.sessions.touch(session_id, now)
            uow.commit()
        except DuplicateKey:
            uow.rollback()
            existing = uow.attempts.for_delivery(
                session_id, delivery_id
            ) or uow.attempts.at_position(session_id, current.position)
            assert existing is not None, "a unique key refused the insert, so a row exists"
            return _replay(deps, uow, session, existing, delivery_id)
    if on_accepted is not None:
        _notify_accepted(on_accepted, attempt)
    return evaluate_attempt(deps, session=session, asked=current, attempt=attempt)


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
        session = owned_session(uow, session_id, actor, active=False)
        asked = uow.questions.get(session_id, position)
        attempt = uow.attempts.at_position(session_id, position)
        if asked is None or attempt is None or attempt.status is AttemptStatus.SKIPPED:
            raise NothingToRetry()
        if attempt.status is AttemptStatus.EVALUATED:
            return _replay(deps, uow, session, attempt, attempt.delivery_id)
    return evaluate_attempt(deps, session=session, asked=asked, attempt=attempt)


def validated_answer(deps: Deps, text: str) -> str:
    answer = (text or "").strip()
    if not answer:
        raise EmptyAnswer()
    if len(answer) > deps.rules.max_answer_chars:
        raise AnswerTooLong(len(answer), deps.rules.max_answer_chars)
    check_language(deps.evaluator, answer)
    return answer


def evaluation_cache_key(provider: str, prompt_version: str, question: str, answer: str) -> str:
    """SHA-256 of prompt version + question + normalised answer (case and spacing ignored)."""
    normalised = " ".join(unicodedata.normalize("NFKC", answer).casefold().split())
    material = "\x1f".join((provider, prompt_version, question.strip(), normalised))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def evaluate_attempt(
    deps: Deps, *, session: Session, asked: AskedQuestion, attempt: Attempt
) -> AnswerOutcome:
    """Evaluate one stored attempt under its lock; at most one evaluation is ever stored."""
    lock_name = f"attempt:{attempt.id}"
    try:
        token = deps.locks.acquire(lock_name, ttl_seconds=deps.rules.evaluation_lock_seconds)
    except ServiceUnavailable as exc:
        _mark_failed(deps, attempt, "redis")  # saved and retryable once Redis is back
        raise ServiceUnavailable(exc.service, answer_saved=True) from exc
    if token is None:
        return _outcome(deps, session, asked, attempt, AnswerStatus.IN_PROGRESS, duplicate=True)
    try:
        return _evaluate_locked(deps, session, asked, attempt)
    finally:
        try:
            deps.locks.release(lock_name, token)
        except ServiceUnavailable:
            log.warning("could not release lock %s; it expires on its own", lock_name)


def _evaluate_locked(
    deps: Deps, session: Session, asked: AskedQuestion, attempt: Attempt
) -> AnswerOutcome:
    with deps.uow() as uow:
        fresh = uow.attempts.get(attempt.id)
    assert fresh is not None
    if fresh.status is AttemptStatus.EVALUATED:
        return _outcome(deps, session, asked, fresh, AnswerStatus.EVALUATED, duplicate=True)
    evaluator = deps.evaluator
    key = evaluation_cache_key(
        evaluator.provider, graded_version(evaluator), asked.question.text, fresh.answer
    )
    evaluation = _cache_get(deps, key)
    cached = evaluation is not None
    usage: LlmUsage | None = None
    if evaluation is None:
        started = time.perf_counter()
        try:
            evaluation, usage = grade_answer(evaluator, asked.question, fresh.answer)
        except LlmUnavailable as err:
            return _failed(
                deps, session, asked, fresh, err.kind, err.message, auto_retry=err.retryable
            )
        except Exception:  # a bug or an unforeseen fault must not strand the saved answer
            log.exception("evaluator %s failed unexpectedly", evaluator.provider)
            return _failed(deps, session, asked, fresh, "unexpected", UNEXPECTED_MESSAGE)
        usage = usage or LlmUsage(
            model=evaluator.provider, latency_ms=(time.perf_counter() - started) * 1000
        )
        _cache_put(deps, key, evaluation)
    stored = _store(deps, fresh, evaluation, cached=cached, usage=usage)
    final = _reload(deps, fresh)
    return _outcome(deps, session, asked, final, AnswerStatus.EVALUATED, duplicate=not stored)


def _failed(
    deps: Deps,
    session: Session,
    asked: AskedQuestion,
    attempt: Attempt,
    kind: str,
    message: str,
    *,
    auto_retry: bool = True,
) -> AnswerOutcome:
    _mark_failed(deps, attempt, kind, auto_retry=auto_retry)
    failed = _reload(deps, attempt)
    return _outcome(deps, session, asked, failed, AnswerStatus.FAILED, message=message)


def _store(
    deps: Deps, attempt: Attempt, evaluation: Evaluation, *, cached: bool, usage: LlmUsage | None
) -> bool:
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
        uow.sessions.touch(attempt.session_id, now)
        uow.commit()
    return stored


def _mark_failed(deps: Deps, attempt: Attempt, kind: str, *, auto_retry: bool = True) -> None:
    with deps.uow() as uow:
        uow.attempts.record_failure(
            attempt.id, error_kind=kind, auto_retry=auto_retry, at=deps.clock.now()
        )
        if kind != "redis":
            uow.llm_calls.add(
                purpose="evaluate",
                provider=deps.evaluator.provider,
                usage=None,
                ok=False,
                error_kind=kind,
                at=deps.clock.now(),
                attempt_id=attempt.id,
            )
        uow.commit()


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


def _reload(deps: Deps, attempt: Attempt) -> Attempt:
    with deps.uow() as uow:
        return uow.attempts.get(attempt.id) or attempt


def _replay(
    deps: Deps, uow: UnitOfWork, session: Session, attempt: Attempt, delivery_id: str
) -> AnswerOutcome:
    """Someone answered this already (a redelivery, a double click, or a second message)."""
    if attempt.status is AttemptStatus.SKIPPED:
        raise QuestionAlreadyAnswered()
    asked = uow.questions.get(session.id, attempt.position)
    assert asked is not None
    status = {
        AttemptStatus.EVALUATED: AnswerStatus.EVALUATED,
        AttemptStatus.FAILED: AnswerStatus.FAILED,
    }.get(attempt.status, AnswerStatus.IN_PROGRESS)
    message = {
        AnswerStatus.FAILED: "The evaluation of this answer failed; it is saved — press Retry.",
        AnswerStatus.IN_PROGRESS: IN_PROGRESS_MESSAGE,
    }.get(status, "")
    return _outcome(
        deps,
        session,
        asked,
        attempt,
        status,
        duplicate=True,
        message=message,
        superseded=attempt.delivery_id != delivery_id,
        uow=uow,
    )


def _outcome(
    deps: Deps,
    session: Session,
    asked: AskedQuestion,
    attempt: Attempt,
    status: AnswerStatus,
    *,
    duplicate: bool = False,
    message: str = "",
    superseded: bool = False,
    uow: UnitOfWork | None = None,
) -> AnswerOutcome:
    if status is AnswerStatus.IN_PROGRESS and not message:
        message = IN_PROGRESS_MESSAGE
    return AnswerOutcome(
        status=status,
        session=session,
        question=asked,
        attempt=attempt,
        duplicate=duplicate,
        has_next=asked.main_index < session.question_count,
        can_go_deeper=attempt.evaluation is not None and _follow_ups_left(deps, asked, uow=uow) > 0,
        message=message,
        superseded=superseded,
    )


def _follow_ups_left(deps: Deps, asked: AskedQuestion, *, uow: UnitOfWork | None) -> int:
    def count(u: UnitOfWork) -> int:
        return sum(
            q.kind is QuestionKind.FOLLOW_UP and q.main_index == asked.main_index
            for q in u.questions.in_session(asked.session_id)
        )

    if uow is not None:
        used = count(uow)
    else:
        with deps.uow() as fresh:
            used = count(fresh)
    return deps.rules.max_follow_ups_per_question - used
