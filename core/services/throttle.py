"""Every model call takes its turn from one global rate limiter (a token bucket per provider and
model, in Redis), so a burst waits instead of meeting the provider's 429s.

`LlmThrottle.take_turn()` runs in grade_answer before each call to the model (core.bootstrap
wires it when the configured provider is a model with a limit): it reserves the next turn and
sleeps until it comes. A turn further away than `max_wait` is not taken: it raises LlmBusy, and
the caller decides what waiting means for it (an interview answer is saved with Retry; a
question-of-the-day answer goes back to its queue for `retry_after` seconds)."""

from __future__ import annotations

import time
from collections.abc import Callable

from core.domain.errors import LlmFault, LlmUnavailable
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


class LlmThrottle:
    """Hands out turns at the model: at most `per_minute` a minute (`burst` at once), waiting
    at most `max_wait` seconds for one."""

    def __init__(
        self,
        limiter: RateLimiter,
        *,
        bucket: str,
        per_minute: float,
        burst: int = 1,
        max_wait: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limiter, self.bucket = limiter, bucket
        self.per_minute, self.burst, self.max_wait = per_minute, burst, max_wait
        self._sleep = sleep

    def take_turn(self, provider: str = "") -> None:
        """Wait for the next turn (at most max_wait); LlmBusy when the line is longer."""
        turn = self.limiter.reserve(
            self.bucket, per_minute=self.per_minute, burst=self.burst, max_wait=self.max_wait
        )
        if not turn.granted:
            raise LlmBusy(retry_after=max(1.0, turn.wait_seconds - self.max_wait))
        if turn.wait_seconds > 0:
            self._sleep(turn.wait_seconds)


class ProviderThrottles:
    """One throttle per model of a fallback chain: each provider keeps its own limit, and a
    provider without one (the offline scorer) never waits."""

    def __init__(self, throttles: dict[str, LlmThrottle]) -> None:
        self.throttles = throttles

    def take_turn(self, provider: str = "") -> None:
        throttle = self.throttles.get(provider)
        if throttle is not None:
            throttle.take_turn(provider)
