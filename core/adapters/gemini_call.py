"""One structured-output Gemini call, retried by the shared loop (core.adapters.llm_retry).

This module knows Gemini's side only: the request config with the response schema, and how a
reply becomes a parsed payload or a fault (gemini_errors sorts the SDK's exceptions).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from google import genai
from google.genai import types
from pydantic import BaseModel

from core.adapters.gemini_errors import classify_exception
from core.adapters.llm_faults import Failed, fault, scrub
from core.adapters.llm_ports import LlmRequest
from core.adapters.llm_retry import RetryingCaller, UsageTally
from core.domain.model import LlmUsage

__all__ = ["GeminiCaller", "gemini_config"]

T = TypeVar("T")

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


def gemini_config(request: LlmRequest, max_output_tokens: int) -> types.GenerateContentConfig:
    """The request as Gemini's config: JSON constrained to the response schema."""
    return types.GenerateContentConfig(
        system_instruction=request.system_instruction,
        response_mime_type="application/json",
        response_schema=request.schema,
        temperature=request.temperature,
        max_output_tokens=max_output_tokens,
    )


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
        self._retrying = RetryingCaller(
            provider="Gemini",
            model=model,
            max_retries=max_retries,
            sleep=sleep,
            clock=clock,
            jitter=jitter,
        )

    def generate(self, request: LlmRequest, accept: Callable[[Any], T]) -> tuple[T, LlmUsage]:
        """Return accept(parsed payload) and the call's usage; raise LlmUnavailable on failure.

        `accept` turns the parsed pydantic payload into the caller's value and raises ValueError
        when the payload is unusable, which counts as a malformed reply.
        """

        def attempt(budget: int, tally: UsageTally) -> T:
            return self._attempt(request, budget, accept, tally)

        return self._retrying.run(request.purpose, request.max_output_tokens, attempt)

    def _attempt(
        self,
        request: LlmRequest,
        budget: int,
        accept: Callable[[Any], T],
        tally: UsageTally,
    ) -> T:
        try:
            response = self._client.models.generate_content(
                model=self._model, contents=request.prompt, config=gemini_config(request, budget)
            )
        except Exception as exc:  # every failure must end as LlmUnavailable, never a raw error
            known = classify_exception(exc)
            if known is None:
                raise
            raise Failed(known) from exc
        usage = response.usage_metadata
        if usage is not None:
            tally.add(usage.prompt_token_count, usage.candidates_token_count)
        payload = _payload(response, request.schema)
        try:
            return accept(payload)
        except ValueError as exc:
            raise Failed(fault("malformed", f"unusable payload: {scrub(exc, 120)}")) from exc


def _payload(response: types.GenerateContentResponse, schema: type[BaseModel]) -> BaseModel:
    """The parsed payload of a reply, or the fault that explains why there is none."""
    feedback = response.prompt_feedback
    if feedback is not None and _name(feedback.block_reason) not in (
        "",
        "BLOCKED_REASON_UNSPECIFIED",
    ):
        raise Failed(fault("blocked", f"prompt blocked: {_name(feedback.block_reason)}"))
    if not response.candidates:
        raise Failed(fault("malformed", "reply without candidates"))
    finish = _name(response.candidates[0].finish_reason)
    if finish in _BLOCKING_FINISH_REASONS:
        raise Failed(fault("blocked", f"finish reason {finish}"))
    # .parsed is None, without an exception, for invalid or off-schema JSON and for cut replies.
    parsed = response.parsed
    if isinstance(parsed, schema):
        return parsed  # complete and valid, even if the budget ran out right after it
    if finish == "MAX_TOKENS":
        raise Failed(fault("truncated", "finish reason MAX_TOKENS"))
    raise Failed(fault("malformed", f"reply did not match the schema (finish reason {finish})"))


def _name(value: object) -> str:
    """An SDK enum member or raw string as its plain name ("MAX_TOKENS")."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))
