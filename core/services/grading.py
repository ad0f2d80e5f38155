"""Grading one answer: the provider judges, the core's grading policy decides the evaluation.

Every path that turns an answer into an Evaluation (the answer pipeline, maintenance retries,
`interviewbot evaluate`) goes through `grade_cached` or `grade_answer`, so no provider's output
skips the policy.

The evaluation cache is per grader: the key holds the provider and its prompt version (which
names the model), so a grade is only ever served as the grader's who made it. With a fallback
chain (LLM_FALLBACK) each provider is looked up under its own key just before it would be
asked: the first provider that can grade now serves its cached grade or grades live, and a
fallback's grade is never served while the primary can grade (core.adapters.llm_chain).
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from core.domain.answer_signals import LANGUAGE_NAMES, guess_language
from core.domain.errors import LlmUnavailable, ServiceUnavailable, UnsupportedLanguage
from core.domain.grading import POLICY_VERSION, grade
from core.domain.model import Evaluation, LlmUsage, Question
from core.ports import EvaluationCache, Evaluator, EvaluatorChain
from core.ports_qotd import LlmTurns

log = logging.getLogger(__name__)

__all__ = [
    "ForgivingCache",
    "Graded",
    "check_language",
    "evaluation_cache_key",
    "grade_answer",
    "grade_cached",
    "graded_version",
]


@dataclass(frozen=True, slots=True)
class Graded:
    """An evaluation, and how it was had: from the cache, or from a call with this usage."""

    evaluation: Evaluation
    usage: LlmUsage | None
    cached: bool


class GradeCache(Protocol):
    def get(self, key: str) -> Evaluation | None: ...

    def put(self, key: str, evaluation: Evaluation) -> None: ...


class ForgivingCache:
    """The evaluation cache as grading uses it: unreachable is a miss, never a failure."""

    def __init__(self, cache: EvaluationCache) -> None:
        self._cache = cache

    def get(self, key: str) -> Evaluation | None:
        try:
            return self._cache.get(key)
        except ServiceUnavailable:
            log.warning("evaluation cache unreachable; evaluating without it")
            return None

    def put(self, key: str, evaluation: Evaluation) -> None:
        try:
            self._cache.put(key, evaluation)
        except ServiceUnavailable:
            log.warning("evaluation cache unreachable; result not cached")


class _NoCache:
    def get(self, key: str) -> Evaluation | None:
        return None

    def put(self, key: str, evaluation: Evaluation) -> None:
        pass


FailureHook = Callable[[Evaluator, LlmUnavailable], None]


def grade_cached(
    evaluator: Evaluator,
    question: Question,
    answer: str,
    *,
    cache: GradeCache,
    on_failure: FailureHook | None = None,
    throttle: LlmTurns | None = None,
) -> Graded:
    """The grade of `answer` by the first grader that has one or can make one now.

    `on_failure` sees each grader's failed call (to record it); `throttle` waits for each
    model's turn at the global rate limit; LlmUnavailable when none grades."""

    def cached(grader: Evaluator) -> Graded | None:
        hit = cache.get(cache_key_of(grader, question, answer))
        return Graded(hit, None, cached=True) if hit is not None else None

    def live(grader: Evaluator) -> Graded:
        if throttle is not None:  # each model's own turn (the offline scorer has no limit)
            throttle.take_turn(grader.provider)
        evaluation, usage = _grade(grader, question, answer)
        cache.put(cache_key_of(grader, question, answer), evaluation)
        return Graded(evaluation, usage, cached=False)

    if isinstance(evaluator, EvaluatorChain):
        return evaluator.first_success(answer, live, cached=cached, on_failure=on_failure)
    hit = cached(evaluator)
    if hit is not None:
        return hit
    try:
        return live(evaluator)
    except LlmUnavailable as error:
        if on_failure is not None:
            on_failure(evaluator, error)
        raise


def grade_answer(
    evaluator: Evaluator, question: Question, answer: str, *, throttle: LlmTurns | None = None
) -> tuple[Evaluation, LlmUsage | None]:
    """The provider's judgement of `answer`, held to the grading policy; raises LlmUnavailable.

    `throttle` (the global rate limit of model calls) is waited on first: LlmBusy if too long."""
    graded = grade_cached(evaluator, question, answer, cache=_NoCache(), throttle=throttle)
    return graded.evaluation, graded.usage


def _grade(
    grader: Evaluator, question: Question, answer: str
) -> tuple[Evaluation, LlmUsage | None]:
    reply = grader.evaluate(question, answer)
    evaluation = grade(
        question,
        answer,
        reply.assessment,
        provider=grader.provider,
        prompt_version=graded_version(grader),
    )
    return evaluation, reply.usage


def graded_version(evaluator: Evaluator) -> str:
    """What an evaluation depends on besides its inputs: the provider's prompt and the policy."""
    return f"{evaluator.prompt_version}+{POLICY_VERSION}"


def cache_key_of(grader: Evaluator, question: Question, answer: str) -> str:
    """The cache key of one grader's evaluation of `answer` (see evaluation_cache_key). An
    imported bank's question adds its id and bank version: a re-import that corrects its
    reference answer or key points is graded afresh, never from the old version's grades."""
    text = question.text
    if question.bank_version is not None:
        text = f"{text}\x1f{question.bank_id}@{question.bank_version}"
    return evaluation_cache_key(grader.provider, graded_version(grader), text, answer)


def evaluation_cache_key(provider: str, prompt_version: str, question: str, answer: str) -> str:
    """SHA-256 of provider + prompt version + question + normalised answer (case and spacing
    ignored): one grader's grade is never served as another's."""
    normalised = " ".join(unicodedata.normalize("NFKC", answer).casefold().split())
    material = "\x1f".join((provider, prompt_version, question.strip(), normalised))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def check_language(evaluator: Evaluator, answer: str) -> None:
    """Refuse, before anything is stored, an answer the configured grader cannot read."""
    if not getattr(evaluator, "english_only", False):
        return
    language = guess_language(answer)
    if language and language != "en":
        raise UnsupportedLanguage(LANGUAGE_NAMES.get(language, language))
