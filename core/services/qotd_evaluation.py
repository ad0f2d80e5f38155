"""Evaluating a stored question-of-the-day answer and telling the person, once.

The same conventions as an interview answer (core.services.answers): a per-answer lock, the
evaluation cache keyed by evaluation_cache_key with graded_version, grade_answer's policy, a
conditional store. Then a delivery claim, so the person gets exactly one private message, sent
through the platform's Notifier. When the global rate limiter says "not yet" (LlmBusy), or the
model answered 429 anyway, nothing is recorded as failed: the queue tries again later, so a
burst never shows anyone a rate-limit error. A worker that dies mid-evaluation leaves the
answer pending; maintenance (`retry_qotd_evaluations`) finds it and delivers the result.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.domain.errors import LlmFault, LlmUnavailable, ServiceUnavailable
from core.domain.model import Evaluation, LlmUsage
from core.domain.qotd import AnswerStatus, QotdAnswer, QotdPost
from core.domain.qotd_notices import QotdEvaluationNotice
from core.ports import Notifier
from core.services.deps import Deps
from core.services.grading import ForgivingCache, grade_cached
from core.services.throttle import LlmBusy

log = logging.getLogger(__name__)

RATE_LIMITED_RETRY_SECONDS = 10.0  # the model said 429 despite the limiter: try again soon
MAX_AUTOMATIC_RETRIES = 5
RETRY_BACKOFF = timedelta(minutes=2)
NOT_EVALUATED = (
    "Sorry — your answer to the question of the day could not be evaluated "
    "({reason}). It is saved and counts as answered."
)


@dataclass(frozen=True, slots=True)
class QotdRun:
    """What one evaluation run did: evaluated, failed, busy (try again in `retry_after`),
    in_progress (another worker holds it) or gone (deleted meanwhile)."""

    status: str
    retry_after: float = 0.0


def evaluate_qotd_answer(
    deps: Deps, notifiers: Mapping[str, Notifier], *, answer_id: int
) -> QotdRun:
    """Evaluate one stored answer under its lock and deliver the result privately."""
    lock = f"qotd-answer:{answer_id}"
    token = deps.locks.acquire(lock, ttl_seconds=deps.rules.evaluation_lock_seconds)
    if token is None:
        return QotdRun("in_progress")
    try:
        return _evaluate_locked(deps, notifiers, answer_id)
    finally:
        try:
            deps.locks.release(lock, token)
        except ServiceUnavailable:
            log.warning("could not release %s; it expires on its own", lock)


def _evaluate_locked(deps: Deps, notifiers: Mapping[str, Notifier], answer_id: int) -> QotdRun:
    with deps.uow() as uow:
        answer = uow.qotd.get_answer(answer_id)
        post = uow.qotd.get_post(answer.post_id) if answer else None
    if answer is None or post is None:
        return QotdRun("gone")
    if answer.status is AnswerStatus.EVALUATED:  # a redelivered job: only the delivery may be due
        deliver(deps, notifiers, post, answer)
        return QotdRun("evaluated")
    try:
        evaluation, cached, usage = _grade(deps, post, answer)
    except LlmBusy as busy:
        return QotdRun("busy", retry_after=busy.retry_after)
    except LlmUnavailable as err:
        if err.kind == LlmFault.RATE_LIMITED:
            return QotdRun("busy", retry_after=RATE_LIMITED_RETRY_SECONDS)
        return _failed(deps, notifiers, post, answer, err.kind, err.message, err.retryable)
    except Exception:  # a bug must not strand the saved answer
        log.exception("evaluating question-of-the-day answer %s failed", answer_id)
        return _failed(deps, notifiers, post, answer, LlmFault.UNEXPECTED, "", True)
    now = deps.clock.now()
    with deps.uow() as uow:
        uow.qotd.record_evaluation(answer.id, evaluation, cached=cached, usage=usage, at=now)
        if usage is not None:
            uow.llm_calls.add(
                purpose="qotd",
                provider=deps.evaluator.provider,
                usage=usage,
                ok=True,
                error_kind=None,
                at=now,
            )
        stored = uow.qotd.get_answer(answer.id)
        uow.commit()
    deliver(deps, notifiers, post, stored or answer)
    return QotdRun("evaluated")


def _grade(
    deps: Deps, post: QotdPost, answer: QotdAnswer
) -> tuple[Evaluation, bool, LlmUsage | None]:
    """The same cache, fallback chain, rate limit and policy as an interview answer's."""
    started = time.perf_counter()
    graded = grade_cached(
        deps.evaluator,
        post.question,
        answer.answer,
        cache=ForgivingCache(deps.cache),
        throttle=deps.throttle,
    )
    if graded.cached:
        return graded.evaluation, True, None
    elapsed_ms = (time.perf_counter() - started) * 1000
    usage = graded.usage or LlmUsage(graded.evaluation.provider, elapsed_ms)
    return graded.evaluation, False, usage


def _failed(
    deps: Deps,
    notifiers: Mapping[str, Notifier],
    post: QotdPost,
    answer: QotdAnswer,
    kind: str,
    message: str,
    retryable: bool,
) -> QotdRun:
    # The last automatic retry spent, or a failure retrying cannot fix: tell the person now
    # instead of leaving them waiting for an evaluation that will not come.
    final = not retryable or answer.failures + 1 >= MAX_AUTOMATIC_RETRIES
    now = deps.clock.now()
    with deps.uow() as uow:
        uow.qotd.record_failure(answer.id, error_kind=kind, auto_retry=not final, at=now)
        uow.llm_calls.add(
            purpose="qotd",
            provider=deps.evaluator.provider,
            usage=None,
            ok=False,
            error_kind=kind,
            at=now,
        )
        failed = uow.qotd.get_answer(answer.id)
        uow.commit()
    if final:
        deliver(deps, notifiers, post, failed or answer, failed_reason=message or kind)
        return QotdRun("failed")
    return QotdRun("failed", retry_after=RETRY_BACKOFF.total_seconds())


def deliver(
    deps: Deps,
    notifiers: Mapping[str, Notifier],
    post: QotdPost,
    answer: QotdAnswer,
    *,
    failed_reason: str = "",
) -> bool:
    """Send the evaluation (or why there is none) to the person, once; False if not sent."""
    notifier = notifiers.get(answer.user.platform)
    if notifier is None:
        return False
    now = deps.clock.now()
    with deps.uow() as uow:
        claimed = uow.qotd.claim_delivery(answer.id, at=now)
        uow.commit()
    if not claimed:
        return False
    notice = QotdEvaluationNotice(
        platform=answer.user.platform,
        tenant=answer.user.tenant,
        user=answer.user.user,
        post=post,
        answer=answer,
        reply_handle=answer.reply_handle_at(now),
        failed=NOT_EVALUATED.format(reason=failed_reason) if failed_reason else "",
    )
    try:
        notifier.send(notice)
    except Exception as exc:  # maintenance sends it again (`undelivered`)
        log.warning("evaluation of answer %s not delivered: %s", answer.id, exc)
        with deps.uow() as uow:
            uow.qotd.release_delivery(answer.id)
            uow.commit()
        return False
    return True


def retry_qotd_evaluations(
    deps: Deps,
    notifiers: Mapping[str, Notifier],
    *,
    limit: int = 50,
    seconds_left: Callable[[], float] | None = None,
) -> dict[str, int]:
    """Maintenance: evaluate answers whose worker died or whose evaluation failed, and deliver
    evaluations whose message did not go out."""
    now = deps.clock.now()
    stuck_before = now - timedelta(seconds=deps.rules.evaluation_lock_seconds)
    with deps.uow() as uow:
        candidates = uow.qotd.retryable_answers(
            stuck_before=stuck_before, max_failures=MAX_AUTOMATIC_RETRIES, limit=4 * limit
        )
        undelivered = uow.qotd.undelivered(before=now - timedelta(minutes=1), limit=limit)
    counts = {"evaluated": 0, "failed": 0, "busy": 0, "deferred": 0, "delivered": 0}
    for answer in [a for a in candidates if _due(a, now)][:limit]:
        if seconds_left is not None and seconds_left() < deps.rules.evaluation_lock_seconds:
            counts["deferred"] += 1
            continue
        run = evaluate_qotd_answer(deps, notifiers, answer_id=answer.id)
        key = run.status if run.status in counts else "busy"
        counts[key] += 1
    for answer in undelivered:
        with deps.uow() as uow:
            post = uow.qotd.get_post(answer.post_id)
        reason = answer.error_kind or "" if answer.status is AnswerStatus.FAILED else ""
        if post is not None and deliver(deps, notifiers, post, answer, failed_reason=reason):
            counts["delivered"] += 1
    return counts


def _due(answer: QotdAnswer, now: datetime) -> bool:
    if answer.last_failed_at is None:
        return True  # never failed: its worker died
    return answer.last_failed_at + RETRY_BACKOFF * 2 ** max(0, answer.failures - 1) <= now
