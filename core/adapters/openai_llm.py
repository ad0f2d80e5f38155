"""OpenAI-compatible implementations of the Evaluator and QuestionWriter ports.

One adapter for OpenAI's API and for the servers that speak it (Ollama's /v1, vLLM, hosted
gateways), through the official `openai` package. The prompt, the fence and the reply mapping
are the ones Gemini uses (llm_prompt, llm_replies), so every provider is graded alike; the
core's grading policy computes the score. Only modules named core/adapters/openai*.py import
`openai`; every failure surfaces as core.domain.LlmUnavailable (see llm_faults and
openai_errors), and openai_call holds the structured-output and prompt-only modes. The SDK
is imported on the first request (llm_client.OnDemand): building the core imports none.
"""

from __future__ import annotations

import logging
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
from core.adapters.openai_server import graded_by_label
from core.adapters.tls_context import shared_tls_context
from core.domain.model import LlmUsage

if TYPE_CHECKING:
    import openai

    from core.adapters.openai_call import OpenAICaller

T = TypeVar("T")

__all__ = [
    "DEFAULT_BASE_URL",
    "NO_KEY",
    "OpenAIEvaluator",
    "OpenAIQuestionDrafter",
    "OpenAIQuestionWriter",
    "build_openai_client",
]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Local servers (Ollama, vLLM without --api-key) need no key, but the client insists on one;
# they ignore the Authorization header it sends.
NO_KEY = "no-key"


def build_openai_client(
    *, base_url: str | None, api_key: str | None, timeout_seconds: float
) -> openai.OpenAI:
    """A client with a per-request timeout and no retries of its own (llm_retry decides)."""
    import openai

    # openai 1.x and 2.x log every request's body at DEBUG: candidates' answers stay out of
    # the logs (as with Gemini) unless someone asks for them on this logger explicitly.
    sdk_logger = logging.getLogger("openai")
    if sdk_logger.getEffectiveLevel() < logging.INFO:
        sdk_logger.setLevel(logging.INFO)
    # The address and the key are always passed: left out, the client would read
    # OPENAI_BASE_URL and OPENAI_API_KEY itself, behind the settings' validation.
    # The client's HTTP client is the one the SDK would build (its defaults: limits, redirects),
    # but with the process's one TLS context (tls_context) instead of a CA load of its own.
    http_client = openai.DefaultHttpxClient(timeout=timeout_seconds, verify=shared_tls_context())
    return openai.OpenAI(
        base_url=base_url or DEFAULT_BASE_URL,
        api_key=api_key or NO_KEY,
        timeout=timeout_seconds,
        max_retries=0,
        http_client=http_client,
    )


class _OpenAIPort(LlmPort):
    """What every OpenAI-compatible port shares: one caller, a versioned prompt, the budget."""

    provider = "openai"

    def __init__(
        self,
        client: openai.OpenAI | OnDemand[openai.OpenAI],
        *,
        model: str,
        prompt_version: str,
        max_output_tokens: int = 4096,
        max_retries: int = 2,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        # Part of the cache key: editing the prompt, or grading with another model, re-grades.
        self.prompt_version = f"{self.template_version}/{model}/{prompt_version}"
        self.model = model
        self.max_output_tokens = max_output_tokens
        options = dict(max_retries=max_retries, sleep=sleep, clock=clock, jitter=jitter)
        self._caller = OnDemand(lambda: _new_caller(client, model, options))

    @property
    def graded_by(self) -> str:
        """ "gpt-4o-mini", "llama3.1:8b via Ollama": the server is named once it has replied."""
        caller = self._caller.get()
        return graded_by_label(self.model, caller.base_url, caller.features.kind)

    def generate(self, request: LlmRequest, accept: Callable[[Any], T]) -> tuple[T, LlmUsage]:
        return self._caller.get().generate(request, accept)

    def budget(self, purpose: str, count: int = 0) -> int:
        if purpose == "draft":  # never less than the configured budget; more for many questions
            return max(self.max_output_tokens, draft_budget(count) - 4096)
        return self.max_output_tokens


def _new_caller(client: Any, model: str, options: dict[str, Any]) -> OpenAICaller:
    """The port's caller, built by its first request (this imports openai)."""
    from core.adapters.openai_call import OpenAICaller

    return OpenAICaller(resolve(client), model=model, **options)


class OpenAIEvaluator(_OpenAIPort, LlmEvaluator):
    """Asks the model for per-key-point verdicts with quotes; the core's policy grades."""


class OpenAIQuestionWriter(_OpenAIPort, LlmQuestionWriter):
    """Writes the "go deeper" follow-up question from the gaps of the last evaluation."""


class OpenAIQuestionDrafter(_OpenAIPort, LlmQuestionDrafter):
    """Drafts bank questions from a job description, for a person to review."""
