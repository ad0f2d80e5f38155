"""The scheduled maintenance: retry failed evaluations with back-off.

Lives apart from the answer path: it is the job's policy (how often, how many, which failures),
and it runs the same evaluate_attempt the answer path does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from core.domain.errors import NoActiveSession
from core.domain.interview import Interview
from core.domain.model import Attempt
from core.ports import UnitOfWork
from core.services.common import load_interview
from core.services.deps import Deps
from core.services.evaluation import evaluate_attempt

# The maintenance job retries a failed evaluation at most this often (a person's Retry always
# works); failures that retrying cannot fix (a blocked or refused request) are never retried.
MAX_AUTOMATIC_RETRIES = 5
RETRY_BACKOFF = timedelta(minutes=10)


def retry_failed_evaluations(
    deps: Deps, *, limit: int = 50, seconds_left: Callable[[], float] | None = None
) -> dict[str, int]:
    """Maintenance: evaluate answers whose evaluation failed or whose worker died.

    `seconds_left` (a Lambda's remaining time) stops the run while one more evaluation could
    still finish, so a long LLM outage never gets the job killed mid-write."""
    now = deps.clock.now()
    stuck_before = now - timedelta(seconds=deps.rules.evaluation_lock_seconds)
    with deps.uow() as uow:
        # More candidates than the limit: some of the least recently tried may still be
        # backing off, and must not hide the ones that are due.
        candidates = uow.attempts.retryable(
            stuck_before=stuck_before, max_failures=MAX_AUTOMATIC_RETRIES, limit=4 * limit
        )
        due = [a for a in candidates if _due(a, now)][:limit]
        work = [(_interview(deps, uow, a.session_id), a) for a in due]
    counts = {"evaluated": 0, "failed": 0, "busy": 0, "deferred": 0}
    for interview, attempt in work:
        if seconds_left is not None and seconds_left() < deps.rules.evaluation_lock_seconds:
            counts["deferred"] += 1
            continue
        if interview is None:
            continue
        outcome = evaluate_attempt(deps, interview=interview, attempt=attempt)
        counts[{"evaluated": "evaluated", "failed": "failed"}.get(outcome.status, "busy")] += 1
    return counts


def _interview(deps: Deps, uow: UnitOfWork, session_id: int) -> Interview | None:
    try:
        return load_interview(uow, session_id, deps.rules)
    except NoActiveSession:  # deleted since (the person deleted their history)
        return None


def _due(attempt: Attempt, now: datetime) -> bool:
    """Exponential back-off between automatic retries: 10, 20, 40, 80 minutes."""
    if attempt.last_failed_at is None:
        return True  # never failed: a worker died while evaluating it
    wait = RETRY_BACKOFF * 2 ** max(0, attempt.failures - 1)
    return attempt.last_failed_at + wait <= now
