"""LLM_FALLBACK: providers asked in order, so grading goes on when one of them cannot grade.

`FallbackEvaluator` and `FallbackQuestionWriter` are the Evaluator and QuestionWriter ports over
several providers (e.g. gemini, openai, offline). When a provider fails after its own bounded
retries — out of daily quota, unreachable, timing out, misconfigured, replying nonsense — the
next one is asked; the evaluation then carries that provider's `graded_by`, which every surface
shows. Two faults do not fall through:

- `blocked`: a provider's safety filter refused this text; handing it to a laxer one would
  defeat the filter, so the candidate is told instead (rephrase or skip);
- none else: the offline scorer, which grades English only, is skipped for other languages, and
  when nothing else is left the answer fails honestly (`unsupported_language`, retryable: it is
  saved and is graded once an LLM provider is back) instead of being keyword-graded.

A provider that failed on its health (quota, network, timeout, 5xx, rate limit, configuration)
is not asked again live for `cooldown_seconds` in this process, so a daily-quota 429 or a dead
server costs one request, not one per answer; it still serves its own cached grades meanwhile.
If every provider is cooling off they are all asked again rather than failing unasked.

Caching is per provider, never per chain: core.services.grading.grade_cached walks the chain
through `first_success`, looking up each provider's own cache key (provider + its prompt version,
model included) just before asking it. So a fallback's grade is never served while the primary
can grade, and a primary's grade is never served as the fallback's, or the other way round.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Generic, Protocol, TypeVar

from core.domain.answer_signals import LANGUAGE_NAMES, guess_language
from core.domain.errors import LlmFault, LlmUnavailable
from core.domain.model import Evaluation, Question
from core.domain.roles import Difficulty, Role
from core.ports import (
    DraftReply,
    Evaluator,
    EvaluatorReply,
    FollowUpReply,
    QuestionDrafter,
    QuestionWriter,
)

__all__ = [
    "Breaker",
    "FallbackChain",
    "FallbackEvaluator",
    "FallbackQuestionDrafter",
    "FallbackQuestionWriter",
    "falls_through",
]

log = logging.getLogger(__name__)

T = TypeVar("T")


class Member(Protocol):
    provider: str


M = TypeVar("M", bound=Member)

# Faults that say something about the provider's health rather than about this one text.
_HEALTH_FAULTS = frozenset(
    {
        LlmFault.DAILY_QUOTA,
        LlmFault.CONFIG,
        LlmFault.NETWORK,
        LlmFault.TIMEOUT,
        LlmFault.SERVER,
        LlmFault.RATE_LIMITED,
    }
)


def falls_through(error: LlmUnavailable) -> bool:
    """Whether the next provider should be asked after this failure (all but a safety block)."""
    return error.kind != LlmFault.BLOCKED


class Breaker:
    """Remembers, per provider and for this process, a health fault for `cooldown_seconds`."""

    def __init__(self, cooldown_seconds: float, clock: Callable[[], float] = time.monotonic):
        self._cooldown = max(0.0, cooldown_seconds)
        self._clock = clock
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def cooling(self, provider: str) -> bool:
        with self._lock:
            return self._until.get(provider, 0.0) > self._clock()

    def record(self, provider: str, error: LlmUnavailable) -> None:
        if self._cooldown and error.kind in _HEALTH_FAULTS:
            with self._lock:
                self._until[provider] = self._clock() + self._cooldown

    def recovered(self, provider: str) -> None:
        with self._lock:
            self._until.pop(provider, None)


class FallbackChain(Generic[M]):
    """Providers in order; `first_success` is the one walk every composite here uses."""

    def __init__(self, members: Sequence[M], breaker: Breaker) -> None:
        if not members:
            raise ValueError("a fallback chain needs at least one provider")
        self.members = tuple(members)
        self.breaker = breaker

    def first_success(
        self,
        live: Callable[[M], T],
        *,
        cached: Callable[[M], T | None] | None = None,
        refuses: Callable[[M], LlmUnavailable | None] | None = None,
        on_failure: Callable[[M, LlmUnavailable], None] | None = None,
    ) -> T:
        """The first provider's result, in order: its cached one, else a live one.

        `refuses(member)` gives the error of a provider that cannot take this input at all;
        `on_failure` sees every live call that failed (to record it). Raises the most useful
        error when none succeeds: the last retryable one, else the last."""
        errors: list[LlmUnavailable] = []
        postponed: list[M] = []
        for member in self.members:
            refusal = refuses(member) if refuses else None
            if refusal is not None:
                errors.append(refusal)
                continue
            hit = cached(member) if cached else None
            if hit is not None:
                return hit
            if self.breaker.cooling(member.provider):
                postponed.append(member)
                continue
            result = self._ask(member, live, errors, on_failure)
            if result is not None:
                return result[0]
        for member in postponed:  # everyone is cooling off: asking beats failing unasked
            result = self._ask(member, live, errors, on_failure)
            if result is not None:
                return result[0]
        raise _most_useful(errors)

    def _ask(
        self,
        member: M,
        live: Callable[[M], T],
        errors: list[LlmUnavailable],
        on_failure: Callable[[M, LlmUnavailable], None] | None,
    ) -> tuple[T] | None:
        try:
            result = live(member)
        except LlmUnavailable as error:
            self.breaker.record(member.provider, error)
            if on_failure is not None:
                on_failure(member, error)
            if not falls_through(error):
                raise
            log.warning(
                "%s could not answer (%s); asking the next provider", member.provider, error.kind
            )
            errors.append(error)
            return None
        self.breaker.recovered(member.provider)
        return (result,)


def _most_useful(errors: list[LlmUnavailable]) -> LlmUnavailable:
    retryable = [e for e in errors if e.retryable]
    return (retryable or errors)[-1]


class FallbackEvaluator:
    """The Evaluator port over several providers; see the module docstring for the rules."""

    def __init__(self, members: Sequence[Evaluator], breaker: Breaker) -> None:
        self.chain = FallbackChain(members, breaker)
        first = self.chain.members[0]
        self.provider = first.provider  # the configured one; each Evaluation names its grader
        self.prompt_version = first.prompt_version
        # Answers in another language are stored when any provider reads them.
        self.english_only = all(m.english_only for m in self.chain.members)

    @property
    def members(self) -> tuple[Evaluator, ...]:
        return self.chain.members

    def first_success(
        self,
        answer: str,
        live: Callable[[Evaluator], T],
        *,
        cached: Callable[[Evaluator], T | None] | None = None,
        on_failure: Callable[[Evaluator, LlmUnavailable], None] | None = None,
    ) -> T:
        """Walk the providers for one answer (core.services.grading.grade_cached calls this)."""
        language = guess_language(answer)
        foreign = bool(language) and language != "en"

        def refuses(member: Evaluator) -> LlmUnavailable | None:
            if foreign and member.english_only:
                return _cannot_read(LANGUAGE_NAMES.get(language, language))
            return None

        return self.chain.first_success(live, cached=cached, refuses=refuses, on_failure=on_failure)

    def evaluate(self, question: Question, answer: str) -> EvaluatorReply:
        """The first provider's judgement; the Assessment names who judged (graded_by)."""
        return self.first_success(answer, lambda member: member.evaluate(question, answer))


class FallbackQuestionWriter:
    """The QuestionWriter port over several providers: the first that writes one wins."""

    def __init__(self, members: Sequence[QuestionWriter], breaker: Breaker) -> None:
        self.chain = FallbackChain(members, breaker)  # type: ignore[type-var]

    def follow_up(self, question: Question, answer: str, evaluation: Evaluation) -> FollowUpReply:
        """One follow-up from the first provider that can write it; the reply names it."""

        def ask(member: QuestionWriter) -> FollowUpReply:
            reply = member.follow_up(question, answer, evaluation)
            return replace(reply, provider=getattr(member, "provider", ""))

        return self.chain.first_success(ask)


class FallbackQuestionDrafter:
    """The QuestionDrafter port over several LLM providers: the first that drafts wins."""

    def __init__(self, members: Sequence[QuestionDrafter], breaker: Breaker) -> None:
        self.chain = FallbackChain(members, breaker)
        self.provider = self.chain.members[0].provider

    def draft(
        self, role: Role, difficulty: Difficulty, count: int, job_description: str
    ) -> DraftReply:
        """Drafts from the first provider that can write them; the reply names it."""
        return self.chain.first_success(
            lambda member: member.draft(role, difficulty, count, job_description)
        )


def _cannot_read(language: str) -> LlmUnavailable:
    return LlmUnavailable(
        f"This answer looks like it is not in English ({language}), and the only evaluator "
        "available right now (the offline scorer) grades English only: it would judge keywords, "
        "not your explanation. Your answer is saved — press Retry once the AI evaluator is back.",
        kind=LlmFault.UNSUPPORTED_LANGUAGE,
        retryable=True,
    )
