"""The Evaluator, QuestionWriter and QuestionDrafter every LLM provider offers, written once.

A provider (Gemini, an OpenAI-compatible server) only says how it sends one request and how many
tokens each kind of request may use; what is asked — the prompt, the fence around the
candidate's material, the reply mapping — is the same for all of them, so they grade alike.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from core.adapters.llm_drafts import (
    DRAFT_TEMPERATURE,
    DRAFT_TEMPLATE_VERSION,
    DraftPayload,
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
from core.domain.model import Evaluation, LlmUsage, Question
from core.domain.roles import Difficulty, Role
from core.ports import DraftReply, EvaluatorReply, FollowUpReply

__all__ = [
    "EVALUATION_TEMPERATURE",
    "FOLLOW_UP_TEMPERATURE",
    "LlmEvaluator",
    "LlmPort",
    "LlmQuestionDrafter",
    "LlmQuestionWriter",
    "LlmRequest",
]

T = TypeVar("T")
# Grading should be repeatable; a little temperature keeps follow-up questions varied.
EVALUATION_TEMPERATURE = 0.1
FOLLOW_UP_TEMPERATURE = 0.5


@dataclass(frozen=True, slots=True)
class LlmRequest:
    """One structured-output request, whatever the provider: what to ask and how to read it."""

    purpose: str  # "evaluation", "follow_up", "draft": for logs (and a schema's name)
    system_instruction: str
    prompt: str
    schema: type[BaseModel]
    max_output_tokens: int
    temperature: float = 0.2


class LlmPort(ABC):
    """What a provider supplies: how to send a request, and each purpose's token budget.

    Abstract: a provider class that forgets one of these cannot be built at all, rather than
    failing on its first request."""

    provider = ""
    template_version = ""
    prompt_version = ""
    # The models read other languages; the grading policy leaves its English-only checks out
    # for such answers (core.domain.grading), so they are graded rather than refused.
    english_only = False

    @property
    @abstractmethod
    def graded_by(self) -> str: ...

    @abstractmethod
    def generate(self, request: LlmRequest, accept: Callable[[Any], T]) -> tuple[T, LlmUsage]:
        """Send the request (with retries) and return accept(payload) and the usage."""

    @abstractmethod
    def budget(self, purpose: str, count: int = 0) -> int:
        """The output tokens a request of `purpose` may use (`count`: questions drafted)."""


class LlmEvaluator(LlmPort):
    """Asks the model for per-key-point verdicts with quotes; the core's policy grades."""

    template_version = EVALUATION_TEMPLATE_VERSION

    def evaluate(self, question: Question, answer: str) -> EvaluatorReply:
        """Judge one answer; raises LlmUnavailable when no usable judgement comes back."""
        fence = Fence.around(
            (answer, question.text, question.reference_answer, *question.key_points)
        )
        request = LlmRequest(
            purpose="evaluation",
            system_instruction=evaluation_system_instruction(self.prompt_version, fence),
            prompt=evaluation_prompt(question, answer, fence),
            schema=EvaluationPayload,
            max_output_tokens=self.budget("evaluation"),
            temperature=EVALUATION_TEMPERATURE,
        )

        def accept(payload: EvaluationPayload) -> Assessment:
            return assessment_from_payload(payload, question, graded_by=self.graded_by)

        assessment, usage = self.generate(request, accept)
        return EvaluatorReply(assessment=assessment, usage=usage)


class LlmQuestionWriter(LlmPort):
    """Writes the "go deeper" follow-up question from the gaps of the last evaluation."""

    template_version = FOLLOW_UP_TEMPLATE_VERSION

    def follow_up(self, question: Question, answer: str, evaluation: Evaluation) -> FollowUpReply:
        """One follow-up question on the same topic; raises LlmUnavailable on failure."""
        material = (answer, question.text, evaluation.feedback)
        fence = Fence.around((*material, *question.key_points, *evaluation.missing))
        request = LlmRequest(
            purpose="follow_up",
            system_instruction=follow_up_system_instruction(self.prompt_version, fence),
            prompt=follow_up_prompt(question, answer, evaluation, fence),
            schema=FollowUpPayload,
            max_output_tokens=self.budget("follow_up"),
            temperature=FOLLOW_UP_TEMPERATURE,
        )

        def accept(payload: FollowUpPayload) -> Question:
            return question_from_payload(payload, question)

        follow_up, usage = self.generate(request, accept)
        return FollowUpReply(question=follow_up, usage=usage)


class LlmQuestionDrafter(LlmPort):
    """Drafts bank questions from a job description, for a person to review."""

    template_version = DRAFT_TEMPLATE_VERSION

    def draft(
        self, role: Role, difficulty: Difficulty, count: int, job_description: str
    ) -> DraftReply:
        """Up to `count` drafted questions; raises LlmUnavailable on failure."""
        fence = Fence.around((job_description,))
        request = LlmRequest(
            purpose="draft",
            system_instruction=draft_system_instruction(self.prompt_version, fence),
            prompt=draft_prompt(role, difficulty, count, job_description, fence),
            schema=DraftPayload,
            max_output_tokens=self.budget("draft", count),
            temperature=DRAFT_TEMPERATURE,
        )

        def accept(payload: DraftPayload) -> tuple[Question, ...]:
            return drafts_from_payload(payload, role, difficulty, count)

        questions, usage = self.generate(request, accept)
        return DraftReply(questions=questions, drafted_by=self.graded_by, usage=usage)
