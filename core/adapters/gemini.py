"""Gemini (google-genai) implementations of the Evaluator and QuestionWriter ports.

The evaluator returns an Assessment (per-key-point verdicts with quotes, see llm_replies);
core.services.grading.grade_answer holds it to the one grading policy, which computes the score.
Only modules named core/adapters/gemini*.py import google.genai. Every failure surfaces as
core.domain.LlmUnavailable with a message fit for the candidate; see llm_faults for the fault
kinds, llm_retry for the retry policy and gemini_errors for how Gemini's faults are told apart.
The prompt and the reply mapping are shared with every provider (llm_prompt, llm_replies).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from google import genai
from google.genai import types

from core.adapters.gemini_call import GeminiCaller, GeminiRequest
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
from core.domain.grading import Assessment
from core.domain.model import Evaluation, Question
from core.domain.roles import Difficulty, Role
from core.ports import DraftReply, EvaluatorReply, FollowUpReply

__all__ = [
    "EVALUATION_MAX_OUTPUT_TOKENS",
    "FOLLOW_UP_MAX_OUTPUT_TOKENS",
    "GeminiEvaluator",
    "GeminiQuestionDrafter",
    "GeminiQuestionWriter",
    "build_gemini_client",
    "model_label",
]

# The JSON itself needs well under 1,000 tokens, but on thinking models (2.5 and later) the
# thinking tokens come out of the same budget: a tight limit ends in MAX_TOKENS with no text.
EVALUATION_MAX_OUTPUT_TOKENS = 8192
FOLLOW_UP_MAX_OUTPUT_TOKENS = 8192
# Grading should be repeatable; a little temperature keeps follow-up questions varied.
EVALUATION_TEMPERATURE = 0.1
FOLLOW_UP_TEMPERATURE = 0.5


def build_gemini_client(
    *, api_key: str, base_url: str | None, timeout_seconds: float
) -> genai.Client:
    """A client with a per-request timeout; base_url points it elsewhere (a stub in tests)."""
    # The API version is pinned: the SDK's default for the Gemini API is v1, while structured
    # output and system instructions are documented against v1beta.
    options = types.HttpOptions(api_version="v1beta", timeout=int(timeout_seconds * 1000))
    if base_url:
        options.base_url = base_url
    return genai.Client(api_key=api_key, http_options=options)


def model_label(model: str) -> str:
    """A model id as people write it: "gemini-2.5-flash" -> "Gemini 2.5 Flash"."""
    name = model.strip().removeprefix("models/")
    parts = [p for p in name.replace("_", "-").split("-") if p]
    return " ".join(p.capitalize() if p.isalpha() else p for p in parts) or "Gemini"


class _GeminiPort:
    """What the evaluator and the writer share: one caller, and a versioned prompt."""

    provider = "gemini"
    template_version = ""
    # Gemini reads other languages, and the grading policy leaves the English-only checks out
    # for them (core.domain.grading), so such answers are graded rather than refused.
    english_only = False

    def __init__(
        self,
        client: genai.Client,
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
        self.graded_by = model_label(model)
        self._caller = GeminiCaller(
            client, model=model, max_retries=max_retries, sleep=sleep, clock=clock, jitter=jitter
        )


class GeminiEvaluator(_GeminiPort):
    """Asks Gemini for per-key-point verdicts with quotes; the core's policy computes the grade."""

    template_version = EVALUATION_TEMPLATE_VERSION

    def evaluate(self, question: Question, answer: str) -> EvaluatorReply:
        """Judge one answer; raises LlmUnavailable when Gemini cannot produce a usable one."""
        fence = Fence.around(
            (answer, question.text, question.reference_answer, *question.key_points)
        )
        request = GeminiRequest(
            purpose="evaluation",
            system_instruction=evaluation_system_instruction(self.prompt_version, fence),
            prompt=evaluation_prompt(question, answer, fence),
            schema=EvaluationPayload,
            max_output_tokens=EVALUATION_MAX_OUTPUT_TOKENS,
            temperature=EVALUATION_TEMPERATURE,
        )

        def accept(payload: EvaluationPayload) -> Assessment:
            return assessment_from_payload(payload, question, graded_by=self.graded_by)

        assessment, usage = self._caller.generate(request, accept)
        return EvaluatorReply(assessment=assessment, usage=usage)


class GeminiQuestionWriter(_GeminiPort):
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
        request = GeminiRequest(
            purpose="follow_up",
            system_instruction=follow_up_system_instruction(self.prompt_version, fence),
            prompt=follow_up_prompt(question, answer, evaluation, fence),
            schema=FollowUpPayload,
            max_output_tokens=FOLLOW_UP_MAX_OUTPUT_TOKENS,
            temperature=FOLLOW_UP_TEMPERATURE,
        )

        def accept(payload: FollowUpPayload) -> Question:
            return question_from_payload(payload, question)

        follow_up, usage = self._caller.generate(request, accept)
        return FollowUpReply(question=follow_up, usage=usage)


class GeminiQuestionDrafter(_GeminiPort):
    """Drafts bank questions from a job description, for a person to review."""

    template_version = DRAFT_TEMPLATE_VERSION

    def draft(
        self, role: Role, difficulty: Difficulty, count: int, job_description: str
    ) -> DraftReply:
        """Up to `count` drafted questions; raises LlmUnavailable on failure."""
        fence = Fence.around((job_description,))
        request = GeminiRequest(
            purpose="draft",
            system_instruction=draft_system_instruction(self.prompt_version, fence),
            prompt=draft_prompt(role, difficulty, count, job_description, fence),
            schema=DraftPayload,
            max_output_tokens=draft_budget(count),
            temperature=DRAFT_TEMPERATURE,
        )

        def accept(payload: DraftPayload) -> tuple[Question, ...]:
            return drafts_from_payload(payload, role, difficulty, count)

        questions, usage = self._caller.generate(request, accept)
        return DraftReply(questions=questions, drafted_by=self.graded_by, usage=usage)
