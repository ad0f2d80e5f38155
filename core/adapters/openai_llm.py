"""OpenAI-compatible implementations of the Evaluator and QuestionWriter ports.

One adapter for OpenAI's API and for the servers that speak it (Ollama's /v1, vLLM, hosted
gateways), through the official `openai` package. The prompt, the fence and the reply mapping
are the ones Gemini uses (llm_prompt, llm_replies), so every provider is graded alike; the
core's grading policy computes the score. Only modules named core/adapters/openai*.py import
`openai`; every failure surfaces as core.domain.LlmUnavailable (see llm_faults and
openai_errors), and openai_call holds the structured-output and prompt-only modes.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

import openai

from core.adapters.llm_drafts import (
    DRAFT_TEMPERATURE,
    DRAFT_TEMPLATE_VERSION,
    DraftPayload,
    draft_budget,
    draft_prompt,
    draft_system_instruction,
    drafts_from_payload,
)
from core.adapters.llm_prompt import (
    EVALUATION_TEMPLATE_VERSION,
    FOLLOW_UP_TEMPLATE_VERSION,
    EvaluationPayload,
    Fence,
    FollowUpPayload,
    evaluation_prompt,
    evaluation_system_instruction,
    follow_up_prompt,
    follow_up_system_instruction,
)
from core.adapters.llm_replies import assessment_from_payload, question_from_payload
from core.adapters.openai_call import ChatRequest, OpenAICaller
from core.adapters.openai_server import graded_by_label
from core.domain.grading import Assessment
from core.domain.model import Evaluation, Question
from core.domain.roles import Difficulty, Role
from core.ports import DraftReply, EvaluatorReply, FollowUpReply

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
EVALUATION_TEMPERATURE = 0.1
FOLLOW_UP_TEMPERATURE = 0.5


def build_openai_client(
    *, base_url: str | None, api_key: str | None, timeout_seconds: float
) -> openai.OpenAI:
    """A client with a per-request timeout and no retries of its own (llm_retry decides)."""
    # openai 1.x and 2.x log every request's body at DEBUG: candidates' answers stay out of
    # the logs (as with Gemini) unless someone asks for them on this logger explicitly.
    sdk_logger = logging.getLogger("openai")
    if sdk_logger.getEffectiveLevel() < logging.INFO:
        sdk_logger.setLevel(logging.INFO)
    # The address and the key are always passed: left out, the client would read
    # OPENAI_BASE_URL and OPENAI_API_KEY itself, behind the settings' validation.
    return openai.OpenAI(
        base_url=base_url or DEFAULT_BASE_URL,
        api_key=api_key or NO_KEY,
        timeout=timeout_seconds,
        max_retries=0,
    )


class _OpenAIPort:
    """What the evaluator and the writer share: one caller, and a versioned prompt."""

    provider = "openai"
    template_version = ""
    # The models behind this API read other languages; the grading policy leaves its
    # English-only checks out for such answers (core.domain.grading).
    english_only = False

    def __init__(
        self,
        client: openai.OpenAI,
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
        self._base_url = str(client.base_url)
        self._caller = OpenAICaller(
            client, model=model, max_retries=max_retries, sleep=sleep, clock=clock, jitter=jitter
        )

    @property
    def graded_by(self) -> str:
        """ "gpt-4o-mini", "llama3.1:8b via Ollama": the server is named once it has replied."""
        return graded_by_label(self.model, self._base_url, self._caller.features.kind)


class OpenAIEvaluator(_OpenAIPort):
    """Asks the model for per-key-point verdicts with quotes; the core's policy grades."""

    template_version = EVALUATION_TEMPLATE_VERSION

    def evaluate(self, question: Question, answer: str) -> EvaluatorReply:
        """Judge one answer; raises LlmUnavailable when the server cannot produce a usable one."""
        fence = Fence.around(
            (answer, question.text, question.reference_answer, *question.key_points)
        )
        request = ChatRequest(
            purpose="evaluation",
            system_instruction=evaluation_system_instruction(self.prompt_version, fence),
            prompt=evaluation_prompt(question, answer, fence),
            schema=EvaluationPayload,
            max_output_tokens=self.max_output_tokens,
            temperature=EVALUATION_TEMPERATURE,
        )

        def accept(payload: EvaluationPayload) -> Assessment:
            return assessment_from_payload(payload, question, graded_by=self.graded_by)

        assessment, usage = self._caller.generate(request, accept)
        return EvaluatorReply(assessment=assessment, usage=usage)


class OpenAIQuestionWriter(_OpenAIPort):
    """Writes the "go deeper" follow-up question from the gaps of the last evaluation."""

    template_version = FOLLOW_UP_TEMPLATE_VERSION

    def follow_up(self, question: Question, answer: str, evaluation: Evaluation) -> FollowUpReply:
        """One follow-up question on the same topic; raises LlmUnavailable on failure."""
        fence = Fence.around(
            (
                answer,
                question.text,
                evaluation.feedback,
                *question.key_points,
                *evaluation.missing,
            )
        )
        request = ChatRequest(
            purpose="follow_up",
            system_instruction=follow_up_system_instruction(self.prompt_version, fence),
            prompt=follow_up_prompt(question, answer, evaluation, fence),
            schema=FollowUpPayload,
            max_output_tokens=self.max_output_tokens,
            temperature=FOLLOW_UP_TEMPERATURE,
        )

        def accept(payload: FollowUpPayload) -> Question:
            return question_from_payload(payload, question)

        follow_up, usage = self._caller.generate(request, accept)
        return FollowUpReply(question=follow_up, usage=usage)


class OpenAIQuestionDrafter(_OpenAIPort):
    """Drafts bank questions from a job description, for a person to review."""

    template_version = DRAFT_TEMPLATE_VERSION

    def draft(
        self, role: Role, difficulty: Difficulty, count: int, job_description: str
    ) -> DraftReply:
        """Up to `count` drafted questions; raises LlmUnavailable on failure."""
        fence = Fence.around((job_description,))
        request = ChatRequest(
            purpose="draft",
            system_instruction=draft_system_instruction(self.prompt_version, fence),
            prompt=draft_prompt(role, difficulty, count, job_description, fence),
            schema=DraftPayload,
            # Never less than the configured budget; more for many questions.
            max_output_tokens=max(self.max_output_tokens, draft_budget(count) - 4096),
            temperature=DRAFT_TEMPERATURE,
        )

        def accept(payload: DraftPayload) -> tuple[Question, ...]:
            return drafts_from_payload(payload, role, difficulty, count)

        questions, usage = self._caller.generate(request, accept)
        return DraftReply(questions=questions, drafted_by=self.graded_by, usage=usage)
