"""Every LLM evaluation takes its turn from one global rate limiter (a token bucket per
provider and model, in Redis), so a burst waits instead of meeting the provider's 429s.

`ThrottledEvaluator` wraps the configured Evaluator (core.bootstrap does it when a limit is
set): it reserves a turn, sleeps until it comes, then calls the model. A turn further away than
`max_wait` is not taken: the call raises LlmBusy, and the caller decides what waiting means for
it (an interview answer is saved with Retry; a question-of-the-day answer goes back to its
queue for `retry_after` seconds)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from core.domain.errors import LlmFault, LlmUnavailable
from core.domain.model import Question
from core.ports import Evaluator, EvaluatorReply
from core.ports_qotd import RateLimiter


class LlmBusy(LlmUnavailable):
    """Too many evaluations are waiting for the model: the turn is `retry_after` seconds off."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(
            "Many answers are being evaluated right now. Yours is saved — press Retry in a minute.",
            kind=LlmFault.RATE_LIMITED,
            retryable=True,
        )
        self.retry_after = retry_after


class ThrottledEvaluator:
    """An Evaluator that waits for its turn from the global rate limiter before each call."""

    def __init__(
        self,
        inner: Evaluator,
        limiter: RateLimiter,
        *,
        bucket: str,
        per_minute: float,
        burst: int = 1,
        max_wait: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.inner, self.limiter, self.bucket = inner, limiter, bucket
        self.per_minute, self.burst, self.max_wait = per_minute, burst, max_wait
        self._sleep = sleep
        # The cache key and the grading policy read these: they are the wrapped evaluator's.
        self.provider = inner.provider
        self.prompt_version = inner.prompt_version
        self.english_only = inner.english_only

    def __getattr__(self, name: str) -> Any:  # graded_by and the like
        return getattr(self.inner, name)

    def evaluate(self, question: Question, answer: str) -> EvaluatorReply:
        """Wait for a turn (at most max_wait), then evaluate; LlmBusy when the queue is longer."""
        turn = self.limiter.reserve(
            self.bucket, per_minute=self.per_minute, burst=self.burst, max_wait=self.max_wait
        )
        if not turn.granted:
            raise LlmBusy(retry_after=max(1.0, turn.wait_seconds - self.max_wait))
        if turn.wait_seconds > 0:
            self._sleep(turn.wait_seconds)
        return self.inner.evaluate(question, answer)
