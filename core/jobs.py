"""Scheduled work on AWS: maintenance (`handler`) and what is due now (`due_handler`: reminders,
questions of the day), each an EventBridge-scheduled Lambda; locally `interviewbot maintenance`
and `interviewbot due`, and the long-running bots' timers. `evaluation_handler` is the SQS
worker that evaluates question-of-the-day answers on AWS."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any

from core import services
from core.bootstrap import Core, build_core
from core.config import Settings
from core.ports import Notifier

log = logging.getLogger(__name__)
_core: Core | None = None


def run_maintenance(
    core: Core, *, seconds_left: Callable[[], float] | None = None
) -> dict[str, Any]:
    """Close abandoned sessions and evaluate answers whose evaluation failed or stalled."""
    from core.services.qotd_evaluation import retry_qotd_evaluations

    expired = services.expire_idle_sessions(core.deps)
    retried = services.retry_failed_evaluations(core.deps, seconds_left=seconds_left)
    qotd = retry_qotd_evaluations(core.deps, core.notifiers, seconds_left=seconds_left)
    return {"expired_sessions": expired, "retried_evaluations": retried, "qotd_evaluations": qotd}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point; the core is built on the first invocation and reused while warm."""
    global _core
    if _core is None:
        _core = build_core()
    result = run_maintenance(
        _core, seconds_left=lambda: context.get_remaining_time_in_millis() / 1000
    )
    log.info("maintenance: %s", result)
    return result


def notifiers_for(settings: Settings) -> dict[str, Notifier]:
    """A Notifier for each configured platform, found through the `interviewbot.notifiers`
    entry points (each `make(settings)` returns None when its platform is not configured), so
    the core never imports a chat platform."""
    found: dict[str, Notifier] = {}
    for entry in entry_points(group="interviewbot.notifiers"):
        try:
            notifier = entry.load()(settings)
        except ImportError:  # that platform's extra is not installed here
            continue
        if notifier is not None:
            found[notifier.platform] = notifier
    return found


def run_due_now(core: Core, notifiers: Mapping[str, Notifier]) -> dict[str, Any]:
    """Send what is due now (each job claims each occurrence once)."""
    from core.services.schedule import run_due

    return dict(run_due(core.deps, notifiers))


def due_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point of the "what is due" schedule (every few minutes)."""
    global _core
    if _core is None:
        _core = build_core()
    result = run_due_now(_core, notifiers_for(_core.settings))
    log.info("due: %s", result)
    return result


def due_for_platform(platform: str) -> dict[str, Any]:
    """What is due now for one platform's people and channels: run by that platform's own
    function on the schedule, so each Lambda artefact carries only its own platform's client."""
    global _core
    if _core is None:
        _core = build_core()
    notifiers = {p: n for p, n in notifiers_for(_core.settings).items() if p == platform}
    result = run_due_now(_core, notifiers)
    log.info("due for %s: %s", platform, result)
    return result


def evaluate_messages(
    core: Core, records: list[dict[str, Any]], *, seconds_left: Callable[[], float] | None = None
) -> dict[str, Any]:
    """Evaluate the answers named by a batch of SQS messages. A message whose turn at the
    model is far off is hidden for that long and reported failed (so SQS keeps it); others
    are done. Returns Lambda's partial-batch response."""
    from core.adapters.sqs_queue import SqsEvaluationQueue, answer_of
    from core.services.qotd_evaluation import evaluate_qotd_answer

    queue = core.deps.evaluations
    failures: list[dict[str, str]] = []
    for record in records:
        answer_id = answer_of(str(record.get("body", "")))
        if answer_id is None:
            continue  # not ours: dropping it beats retrying it forever
        if seconds_left is not None and seconds_left() < core.settings.evaluation_lock_seconds:
            failures.append({"itemIdentifier": record["messageId"]})  # back to the queue
            continue
        try:
            run = evaluate_qotd_answer(core.deps, core.notifiers, answer_id=answer_id)
        except Exception:
            log.exception("evaluating answer %s failed; SQS will deliver it again", answer_id)
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        if run.status == "busy":
            if isinstance(queue, SqsEvaluationQueue) and record.get("receiptHandle"):
                queue.retry_later(record["receiptHandle"], run.retry_after)
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def evaluation_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point of the evaluation worker (an SQS event source with
    ReportBatchItemFailures): one question-of-the-day evaluation per message."""
    global _core
    if _core is None:
        _core = build_core()
    result = evaluate_messages(
        _core,
        list(event.get("Records") or []),
        seconds_left=lambda: context.get_remaining_time_in_millis() / 1000,
    )
    log.info("evaluations: %d to retry later", len(result["batchItemFailures"]))
    return result
