"""Evaluations after the response: the request stores the answer, the model is called later.

A model call may take 30 s and be retried twice; API Gateway stops waiting after 30 s. So an
answer posted on the web is stored (core `accept_answer`) and answered at once, and its
evaluation runs here afterwards:

- locally (uvicorn, tests): on a small pool of worker threads in the web process;
- on Lambda: by an asynchronous invocation of this same function (InvocationType=Event, the
  way Slack's lazy listeners run), because a Lambda is frozen as soon as it has answered and a
  thread would never finish. web.aws_lambda recognises the event and runs the job.

The job is the core's `retry_evaluation`, which evaluates a stored, unevaluated answer once
under its lock: a duplicate job, or a job racing the maintenance schedule, does no harm.
If a job is lost (a crashed worker), the answer is still stored as pending and the scheduled
maintenance evaluates it (`retry_failed_evaluations`, after the lock time).
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from core import services
from core.domain.errors import InterviewError

if TYPE_CHECKING:  # the dependencies' module brings every port; a health check needs none
    from core.services.deps import Deps

log = logging.getLogger(__name__)

EVENT_KIND = "interviewbot.evaluate-answer"
WORKERS = 4


@dataclass(frozen=True, slots=True)
class EvaluationJob:
    """Which stored answer to evaluate, and whose it is (the core checks the owner again)."""

    session_id: int
    position: int
    web_user_id: str

    def event(self) -> dict[str, Any]:
        return {"kind": EVENT_KIND, **asdict(self)}

    @classmethod
    def from_event(cls, event: Any) -> EvaluationJob | None:
        """The job an asynchronous self-invocation carries; None for any other event."""
        if not isinstance(event, dict) or event.get("kind") != EVENT_KIND:
            return None
        return cls(int(event["session_id"]), int(event["position"]), str(event["web_user_id"]))


def run(deps: Deps, job: EvaluationJob) -> None:
    """Evaluate the stored answer; the core stores whatever comes of it (evaluated or failed)."""
    actor = services.web_user_ref(job.web_user_id)
    try:
        outcome = services.retry_evaluation(
            deps, session_id=job.session_id, position=job.position, actor=actor
        )
    except InterviewError as exc:  # deleted meanwhile, an outage: the answer stays as stored
        log.warning("background evaluation of session %s: %s", job.session_id, exc.code)
        return
    except Exception:  # a worker must never die of one job
        log.exception("background evaluation of session %s failed", job.session_id)
        return
    log.info("background evaluation of session %s: %s", job.session_id, outcome.status)


class BackgroundEvaluations:
    """Runs evaluation jobs after the response: worker threads, or a Lambda self-invocation."""

    def __init__(self, workers: int = WORKERS) -> None:
        self.workers = workers
        self.lambda_client: Any = None  # boto3's, made on first use; tests put a recorder here
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def schedule(self, deps: Deps, job: EvaluationJob, aws_context: Any = None) -> None:
        """Start the job and return at once. `aws_context`: the Lambda context of this request."""
        if aws_context is not None:
            self._invoke_self(deps, job, aws_context)
            return
        self._threads().submit(run, deps, job)

    def _threads(self) -> ThreadPoolExecutor:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="evaluate")
        return self._pool

    def _invoke_self(self, deps: Deps, job: EvaluationJob, context: Any) -> None:
        # The alias's ARN (invoked_function_arn), so the job runs the same version as the request.
        try:
            self._lambda().invoke(
                FunctionName=context.invoked_function_arn,
                InvocationType="Event",
                Payload=json.dumps(job.event()).encode(),
            )
        except Exception:
            # The answer is stored either way. Evaluating here keeps the person from waiting
            # for the maintenance schedule; the gateway may give up first, the Lambda does not.
            log.exception("could not invoke the background evaluation; evaluating in the request")
            run(deps, job)

    def _lambda(self) -> Any:
        if self.lambda_client is None:
            import boto3  # provided by the Lambda runtime; only needed there

            self.lambda_client = boto3.client("lambda")
        return self.lambda_client

    @property
    def running(self) -> bool:
        """Whether worker threads are up (started by the first job, stopped by `shutdown`)."""
        return self._pool is not None

    def shutdown(self) -> None:
        """Let running evaluations finish (an evaluation cut short stays pending until retried)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
