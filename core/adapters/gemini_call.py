"""One structured-output Gemini call with bounded retries, shared by the evaluator and the writer.

The SDK itself retries nothing unless given HttpRetryOptions (none are passed), so every retry
decision lives here, where it can tell a per-minute rate limit from an exhausted daily quota and
a cut-off reply from an invalid one. See gemini_errors for the fault table.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from google import genai
from google.genai import types
from pydantic import BaseModel

from core.adapters.gemini_errors import Fault, classify_exception, fault, scrub
from core.domain.model import LlmUsage

__all__ = ["GeminiCaller", "GeminiRequest"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

INITIAL_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 16.0
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
_BLOCKING_FINISH_REASONS = frozenset(
    {
        "SAFETY",
        "PROHIBITED_CONTENT",
        "BLOCKLIST",
        "SPII",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
    }
)


@dataclass(frozen=True, slots=True)
class GeminiRequest:
    """Everything one generate_content call needs apart from the client and the model."""

    purpose: str  # "evaluation" or "follow_up": for logs
    system_instruction: str
    prompt: str
    schema: type[BaseModel]
    max_output_tokens: int
    temperature: float = 0.2

    def config(self, max_output_tokens: int) -> types.GenerateContentConfig:
        return types.GenerateContentConfig(
            system_instruction=self.system_instruction,
            response_mime_type="application/json",
            response_schema=self.schema,
            temperature=self.temperature,
            max_output_tokens=max_output_tokens,
        )


class _Failed(Exception):
    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.kind)
        self.fault = fault


class _UsageTally:
    """Tokens summed over every reply of one call, retries included: all of them are billed."""

    def __init__(self) -> None:
        self.input_tokens = 0
        self.output_tokens = 0

    def add(self, response: types.GenerateContentResponse) -> None:
        usage = response.usage_metadata
        if usage is not None:
            self.input_tokens += usage.prompt_token_count or 0
            self.output_tokens += usage.candidates_token_count or 0


class GeminiCaller:
    """Calls generate_content until it yields an accepted payload or a fault ends the call."""

    def __init__(
        self,
        client: genai.Client,
        *,
        model: str,
        max_retries: int,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._client = client
        self._model = model
        self._max_retries = max(0, max_retries)
        self._sleep, self._clock, self._jitter = sleep, clock, jitter

    def generate(self, request: GeminiRequest, accept: Callable[[Any], T]) -> tuple[T, LlmUsage]:
        """Return accept(parsed payload) and the call's usage; raise LlmUnavailable on failure.

        `accept` turns the parsed pydantic payload into the caller's value and raises ValueError
        when the payload is unusable, which counts as a malformed reply.
        """
        started = self._clock()
        tally = _UsageTally()
        budget = request.max_output_tokens
        retries: dict[str, int] = {}
        while True:
            try:
                value = self._attempt(request, budget, accept, tally)
            except _Failed as failed:
                current = failed.fault
            else:
                latency_ms = (self._clock() - started) * 1000.0
                return value, LlmUsage(
                    self._model, latency_ms, tally.input_tokens, tally.output_tokens
                )
            delay = self._retry_delay(current, retries)
            attempt = sum(retries.values()) + 1
            if delay is None:
                self._log(request, current, attempt, "giving up")
                raise current.to_error()
            retries[current.kind] = retries.get(current.kind, 0) + 1
            if current.kind == "truncated":
                budget = min(budget * 2, MAX_OUTPUT_TOKENS_CEILING)
            self._log(request, current, attempt, f"retrying in {delay:.1f}s")
            if delay > 0:
                self._sleep(delay)

    def _attempt(
        self,
        request: GeminiRequest,
        budget: int,
        accept: Callable[[Any], T],
        tally: _UsageTally,
    ) -> T:
        try:
            response = self._client.models.generate_content(
                model=self._model, contents=request.prompt, config=request.config(budget)
            )
        except Exception as exc:  # every failure must end as LlmUnavailable, never a raw error
            raise _Failed(classify_exception(exc) or _unexpected(exc)) from exc
        tally.add(response)
        payload = _payload(response, request.schema)
        try:
            return accept(payload)
        except ValueError as exc:
            raise _Failed(fault("malformed", f"unusable payload: {scrub(exc, 120)}")) from exc

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
        # Up to 50% jitter so workers that failed together do not retry together.
        return base * (1.0 + 0.5 * self._jitter())

    def _log(self, request: GeminiRequest, current: Fault, attempt: int, outcome: str) -> None:
        logger.warning(
            "Gemini %s call (model %s) failed on try %d: %s [%s]; %s",
            request.purpose,
            self._model,
            attempt,
            current.kind,
            current.detail,
            outcome,
        )


def _payload(response: types.GenerateContentResponse, schema: type[BaseModel]) -> BaseModel:
    """The parsed payload of a reply, or the fault that explains why there is none."""
    feedback = response.prompt_feedback
    if feedback is not None and _name(feedback.block_reason) not in (
        "",
        "BLOCKED_REASON_UNSPECIFIED",
    ):
        raise _Failed(fault("blocked", f"prompt blocked: {_name(feedback.block_reason)}"))
    if not response.candidates:
        raise _Failed(fault("malformed", "reply without candidates"))
    finish = _name(response.candidates[0].finish_reason)
    if finish in _BLOCKING_FINISH_REASONS:
        raise _Failed(fault("blocked", f"finish reason {finish}"))
    # .parsed is None, without an exception, for invalid or off-schema JSON and for cut replies.
    parsed = response.parsed
    if isinstance(parsed, schema):
        return parsed  # complete and valid, even if the budget ran out right after it
    if finish == "MAX_TOKENS":
        raise _Failed(fault("truncated", "finish reason MAX_TOKENS"))
    raise _Failed(fault("malformed", f"reply did not match the schema (finish reason {finish})"))


def _name(value: object) -> str:
    """An SDK enum member or raw string as its plain name ("MAX_TOKENS")."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def _unexpected(exc: Exception) -> Fault:
    # Not a known API or transport failure (likely a bug): fail once, without retrying.
    return fault("unexpected", f"{type(exc).__name__}: {scrub(exc, 120)}")
