"""Ports of the language models: the grader, the follow-up writer and the bank drafter.

Every provider (Gemini, OpenAI-compatible servers, the offline scorer, a fallback chain)
implements these; core.ports re-exports them, so use cases import from either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar, runtime_checkable

from core.domain.errors import LlmUnavailable
from core.domain.grading import Assessment
from core.domain.model import Evaluation, LlmUsage, Question
from core.domain.roles import Difficulty, Role

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class EvaluatorReply:
    """A provider's judgement; core.domain.grading turns it into the Evaluation people see."""

    assessment: Assessment
    usage: LlmUsage | None = None  # None when no model was called (offline scorer)


@dataclass(frozen=True, slots=True)
class FollowUpReply:
    question: Question
    usage: LlmUsage | None = None
    provider: str = ""  # who wrote it, when a fallback chain chose (else the configured one)


class Evaluator(Protocol):
    """Judges one answer. Raises core.domain.LlmUnavailable when it cannot (answer stays saved).

    It never sets the score: it returns verdicts with quotes, and the grading policy decides."""

    provider: str
    prompt_version: str  # part of the evaluation cache key
    english_only: bool  # answers in other languages are refused before they are stored

    def evaluate(self, question: Question, answer: str) -> EvaluatorReply: ...


@runtime_checkable
class EvaluatorChain(Protocol):
    """An Evaluator made of providers asked in order (LLM_FALLBACK, core.adapters.llm_chain).

    The core walks it itself, through `first_success`, so that each provider's grades are
    cached under that provider's own key (core.services.grading.grade_cached)."""

    provider: str
    prompt_version: str
    english_only: bool

    def evaluate(self, question: Question, answer: str) -> EvaluatorReply: ...

    def first_success(
        self,
        answer: str,
        live: Callable[[Evaluator], T],
        *,
        cached: Callable[[Evaluator], T | None] | None = None,
        on_failure: Callable[[Evaluator, LlmUnavailable], None] | None = None,
    ) -> T: ...


class QuestionWriter(Protocol):
    """Writes the "go deeper" follow-up from the gaps of the last answer."""

    def follow_up(
        self, question: Question, answer: str, evaluation: Evaluation
    ) -> FollowUpReply: ...


@dataclass(frozen=True, slots=True)
class DraftReply:
    """Bank questions a model drafted, for a person to review (never used as they are)."""

    questions: tuple[Question, ...]
    drafted_by: str  # "gpt-4o-mini", "Gemini 2.5 Flash": written into the draft file
    usage: LlmUsage | None = None


class QuestionDrafter(Protocol):
    """Drafts bank questions from a job description (`interviewbot bank generate`)."""

    provider: str

    def draft(
        self, role: Role, difficulty: Difficulty, count: int, job_description: str
    ) -> DraftReply: ...  # LlmUnavailable when it cannot
