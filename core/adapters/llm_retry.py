"""Bounded retries for one LLM call, the same for every provider (see llm_faults for the kinds).

The SDKs' own retries are switched off (google-genai retries nothing without HttpRetryOptions;
the openai client is built with max_retries=0), so every retry decision lives here, where a
per-minute rate limit is told from an exhausted daily quota and a cut-off reply from an invalid one.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from core.adapters.llm_faults import Failed, Fault, fault, scrub
from core.domain.model import LlmUsage

__all__ = [
    "MAX_BACKOFF_SECONDS",
    "MAX_OUTPUT_TOKENS_CEILING",
    "MAX_SERVER_DELAY_SECONDS",
    "RetryingCaller",
    "UsageTally",
    "worst_case_seconds",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

INITIAL_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 16.0
MAX_JITTER = 0.5  # up to 50% more, so workers that failed together do not retry together
# A server-requested wait longer than this is not worth holding the candidate (and the attempt
# lock) for: give up at once with a retryable error instead.
MAX_SERVER_DELAY_SECONDS = 30.0
MAX_OUTPUT_TOKENS_CEILING = 32_768
# How often each kind may be retried within one call; the overall budget is max_retries.
# Unlisted kinds are never retried: daily_quota, blocked, config and bad_request cannot succeed
# before a quota reset, a different text or an operator's fix; "unexpected" is most likely a bug.
_RETRIES_PER_KIND = {
    "rate_limited": None,  # None: up to max_retries
    "server": None,
    "timeout": None,
    "network": None,
    "malformed": 1,
    "truncated": 1,
}
_BACKOFF_KINDS = frozenset({"rate_limited", "server", "timeout", "network"})


class UsageTally:
    """Tokens summed over every reply of one call, retries included: all of them are billed."""

    def __init__(self) -> None:
        self.input_tokens = 0
        self.output_tokens = 0

    def add(self, input_tokens: int | None, output_tokens: int | None) -> None:
        self.input_tokens += input_tokens or 0
        self.output_tokens += output_tokens or 0


# One try: given the output budget and the tally, return the value or raise Failed.
Attempt = Callable[[int, UsageTally], T]


class RetryingCaller:
    """Runs one try after another until a value comes back or a fault ends the call."""

    def __init__(
        self,
        *,
        provider: str,
        model: str,
        max_retries: int,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._provider = provider
        self._model = model
        self._max_retries = max(0, max_retries)
        self._sleep, self._clock, self._jitter = sleep, clock, jitter

    def run(self, purpose: str, max_output_tokens: int, attempt: Attempt[T]) -> tuple[T, LlmUsage]:
        """Return the first value a try yields and the call's usage; raise LlmUnavailable.

        An exception other than Failed out of a try is a bug: it ends the call as "unexpected"."""
        started = self._clock()
        tally = UsageTally()
        budget = max_output_tokens
        retries: dict[str, int] = {}
        while True:
            try:
                value = attempt(budget, tally)
            except Failed as failed:
                current = failed.fault
            except Exception as exc:  # every failure must end as LlmUnavailable, never raw
                current = fault("unexpected", f"{type(exc).__name__}: {scrub(exc, 120)}")
            else:
                latency_ms = (self._clock() - started) * 1000.0
                return value, LlmUsage(
                    self._model, latency_ms, tally.input_tokens, tally.output_tokens
                )
            delay = self._retry_delay(current, retries)
            tries = sum(retries.values()) + 1
            if delay is None:
                self._log(purpose, current, tries, "giving up")
                raise current.to_error()
            retries[current.kind] = retries.get(current.kind, 0) + 1
            if current.kind == "truncated":
                budget = min(budget * 2, MAX_OUTPUT_TOKENS_CEILING)
            self._log(purpose, current, tries, f"retrying in {delay:.1f}s")
            if delay > 0:
                self._sleep(delay)

    def _retry_delay(self, current: Fault, retries: dict[str, int]) -> float | None:
        """Seconds to wait before the next try, or None when this fault ends the call."""
        limit = _RETRIES_PER_KIND.get(current.kind, 0)
        if sum(retries.values()) >= self._max_retries:
            return None
        if limit is not None and retries.get(current.kind, 0) >= limit:
            return None
        if current.retry_after_seconds is not None:
            if current.retry_after_seconds > MAX_SERVER_DELAY_SECONDS:
                return None
            return current.retry_after_seconds
        if current.kind not in _BACKOFF_KINDS:
            return 0.0  # a malformed or cut-off reply is not a load problem: retry at once
        backed_off = sum(retries.get(kind, 0) for kind in _BACKOFF_KINDS)
        base = min(MAX_BACKOFF_SECONDS, INITIAL_BACKOFF_SECONDS * 2**backed_off)
        return base * (1.0 + MAX_JITTER * self._jitter())

    def _log(self, purpose: str, current: Fault, tries: int, outcome: str) -> None:
        logger.warning(
            "%s %s call (model %s) failed on try %d: %s [%s]; %s",
            self._provider,
            purpose,
            self._model,
            tries,
            current.kind,
            current.detail,
            outcome,
        )


def worst_case_seconds(timeout_seconds: float, max_retries: int) -> float:
    """The longest one call may take: every try at its full timeout, plus the backoffs between.

    A server-requested delay (up to MAX_SERVER_DELAY_SECONDS) can replace a backoff; it is left
    out here because servers ask for it instead of timing out, not on top of a timeout."""
    waits = sum(
        min(MAX_BACKOFF_SECONDS, INITIAL_BACKOFF_SECONDS * 2**n) * (1.0 + MAX_JITTER)
        for n in range(max(0, max_retries))
    )
    return timeout_seconds * (max(0, max_retries) + 1) + waits
