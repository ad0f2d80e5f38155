"""Gemini (google-genai) implementations of the Evaluator and QuestionWriter ports.

The evaluator returns an Assessment (per-key-point verdicts with quotes, see llm_replies);
core.services.grading.grade_answer holds it to the one grading policy, which computes the score.
Only modules named core/adapters/gemini*.py import google.genai. Every failure surfaces as
core.domain.LlmUnavailable with a message fit for the candidate; see llm_faults for the fault
kinds, llm_retry for the retry policy and gemini_errors for how Gemini's faults are told apart.
The prompt and the reply mapping are shared with every provider (llm_prompt, llm_replies).
The SDK is imported on the first request (llm_client.OnDemand): building the core imports none.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from core.adapters.llm_client import OnDemand, resolve
from core.adapters.llm_drafts import draft_budget
from core.adapters.llm_ports import (
    LlmEvaluator,
    LlmPort,
    LlmQuestionDrafter,
    LlmQuestionWriter,
    LlmRequest,
)
from core.adapters.tls_context import shared_tls_context
from core.domain.model import LlmUsage

if TYPE_CHECKING:
    from google import genai

    from core.adapters.gemini_call import GeminiCaller

T = TypeVar("T")

__all__ = [
    "MAX_OUTPUT_TOKENS",
    "GeminiEvaluator",
    "GeminiQuestionDrafter",
    "GeminiQuestionWriter",
    "build_gemini_client",
    "model_label",
]

# The JSON itself needs well under 1,000 tokens, but on thinking models (2.5 and later) the
# thinking tokens come out of the same budget: a tight limit ends in MAX_TOKENS with no text.
MAX_OUTPUT_TOKENS = 8192


def build_gemini_client(
    *, api_key: str, base_url: str | None, timeout_seconds: float
) -> genai.Client:
    """A client with a per-request timeout; base_url points it elsewhere (a stub in tests)."""
    from google import genai
    from google.genai import types

    # The API version is pinned: the SDK's default for the Gemini API is v1, while structured
    # output and system instructions are documented against v1beta.
    # The process's one TLS context (tls_context) for the httpx clients ("verify") and for aiohttp
    # and websockets ("ssl"): otherwise the SDK loads the CA certificates three times a client.
    tls = shared_tls_context()
    options = types.HttpOptions(
        api_version="v1beta",
        timeout=int(timeout_seconds * 1000),
        client_args={"verify": tls},
        async_client_args={"verify": tls, "ssl": tls},
    )
    if base_url:
        options.base_url = base_url
    return genai.Client(api_key=api_key, http_options=options)


def model_label(model: str) -> str:
    """A model id as people write it: "gemini-2.5-flash" -> "Gemini 2.5 Flash"."""
    name = model.strip().removeprefix("models/")
    parts = [p for p in name.replace("_", "-").split("-") if p]
    return " ".join(p.capitalize() if p.isalpha() else p for p in parts) or "Gemini"


class _GeminiPort(LlmPort):
    """What every Gemini port shares: one caller, a versioned prompt, Gemini's budgets."""

    provider = "gemini"

    def __init__(
        self,
        client: genai.Client | OnDemand[genai.Client],
        *,
        model: str,
        prompt_version: str,
        max_retries: int = 2,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        # Part of the cache key: editing the prompt, or grading with another model, re-grades.
        self.prompt_version = f"{self.template_version}/{model}/{prompt_version}"
        self._graded_by = model_label(model)
        options = dict(max_retries=max_retries, sleep=sleep, clock=clock, jitter=jitter)
        self._caller = OnDemand(lambda: _new_caller(client, model, options))

    @property
    def graded_by(self) -> str:
        return self._graded_by

    def generate(self, request: LlmRequest, accept: Callable[[Any], T]) -> tuple[T, LlmUsage]:
        return self._caller.get().generate(request, accept)

    def budget(self, purpose: str, count: int = 0) -> int:
        return draft_budget(count) if purpose == "draft" else MAX_OUTPUT_TOKENS


def _new_caller(client: Any, model: str, options: dict[str, Any]) -> GeminiCaller:
    """The port's caller, built by its first request (this imports google-genai)."""
    from core.adapters.gemini_call import GeminiCaller

    return GeminiCaller(resolve(client), model=model, **options)


class GeminiEvaluator(_GeminiPort, LlmEvaluator):
    """Asks Gemini for per-key-point verdicts with quotes; the core's policy computes the grade."""


class GeminiQuestionWriter(_GeminiPort, LlmQuestionWriter):
    """Writes the "go deeper" follow-up question from the gaps of the last evaluation."""


class GeminiQuestionDrafter(_GeminiPort, LlmQuestionDrafter):
    """Drafts bank questions from a job description, for a person to review."""
