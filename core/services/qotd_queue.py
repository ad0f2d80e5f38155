"""Where stored question-of-the-day answers wait for their evaluation, locally.

`WorkerPool`: a bounded pool of threads in the long-running process (`interviewbot slack`,
`interviewbot discord`); a busy evaluation (the rate limiter's turn is far off) goes back to
the end of the line after its wait. `InlineEvaluations` runs each one at once in the caller
(tests, and WORKERS=0). On AWS the queue is SQS (core.adapters.sqs_queue) and the evaluation
worker is core.jobs.evaluation_handler. Whatever the queue, a job that is lost (a process
killed) leaves its answer pending in the database, and maintenance evaluates it.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

from core.services.qotd_evaluation import QotdRun

log = logging.getLogger(__name__)

Run = Callable[[int], QotdRun]
MAX_REQUEUES = 50  # a job busy this often is left to maintenance (it stays saved)


class InlineEvaluations:
    """Evaluates in the submitting thread (no queue): for tests and single-process use."""

    def __init__(self, run: Run, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self._run, self._sleep = run, sleep

    def submit(self, answer_id: int) -> None:
        for _ in range(MAX_REQUEUES):
            result = self._run(answer_id)
            if result.status != "busy":
                return
            self._sleep(result.retry_after)


class WorkerPool:
    """`workers` threads evaluating queued answers; busy jobs come back after their wait."""

    def __init__(self, run: Run, *, workers: int = 4) -> None:
        self._run = run
        self._jobs: list[tuple[float, int, int, int]] = []  # (due, seq, answer_id, requeues)
        self._seq = itertools.count()
        self._ready = threading.Condition()
        self._active = 0
        self._stopped = False
        self._threads = [
            threading.Thread(target=self._work, name=f"qotd-eval-{n}", daemon=True)
            for n in range(max(1, workers))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, answer_id: int) -> None:
        self._push(answer_id, 0, delay=0.0)

    def _push(self, answer_id: int, requeues: int, *, delay: float) -> None:
        with self._ready:
            heapq.heappush(
                self._jobs, (time.monotonic() + delay, next(self._seq), answer_id, requeues)
            )
            self._ready.notify()

    def _work(self) -> None:
        while True:
            with self._ready:
                job = self._next_job()
                if job is None:
                    return
                self._active += 1
            _, _, answer_id, requeues = job
            try:
                result = self._run(answer_id)
            except Exception:  # the answer stays saved: maintenance evaluates it later
                log.exception("evaluating answer %s failed in the worker pool", answer_id)
                result = QotdRun("failed")
            if result.status == "busy" and requeues < MAX_REQUEUES:
                self._push(answer_id, requeues + 1, delay=result.retry_after)
            with self._ready:
                self._active -= 1
                self._ready.notify_all()

    def _next_job(self) -> tuple[float, int, int, int] | None:
        """The next job whose time has come; waits for one (None once stopped)."""
        while not self._stopped:
            if self._jobs:
                wait = self._jobs[0][0] - time.monotonic()
                if wait <= 0:
                    return heapq.heappop(self._jobs)
                self._ready.wait(wait)
            else:
                self._ready.wait()
        return None

    def drain(self, timeout: float) -> bool:
        """Wait until every queued job ran (tests, benchmarks); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._ready:
            while self._jobs or self._active:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._ready.wait(min(left, 0.5))
        return True

    def stop(self) -> None:
        with self._ready:
            self._stopped = True
            self._ready.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)
