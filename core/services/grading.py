"""Grading one answer: the provider judges, the core's grading policy decides the evaluation.

Every path that turns an answer into an Evaluation (the answer pipeline, maintenance retries,
`interviewbot evaluate`) goes through `grade_answer`, so no provider's output skips the policy.
"""

from __future__ import annotations

from core.domain.answer_signals import LANGUAGE_NAMES, guess_language
from core.domain.errors import UnsupportedLanguage
from core.domain.grading import POLICY_VERSION, grade
from core.domain.model import Evaluation, LlmUsage, Question
from core.ports import Evaluator
from core.ports_qotd import LlmTurns


def grade_answer(
    evaluator: Evaluator, question: Question, answer: str, *, throttle: LlmTurns | None = None
) -> tuple[Evaluation, LlmUsage | None]:
    """The provider's judgement of `answer`, held to the grading policy; raises LlmUnavailable.

    `throttle` (the global rate limit of model calls) is waited on first: LlmBusy if too long."""
    if throttle is not None:
        throttle.take_turn()
    reply = evaluator.evaluate(question, answer)
    evaluation = grade(
        question,
        answer,
        reply.assessment,
        provider=evaluator.provider,
        prompt_version=graded_version(evaluator),
    )
    return evaluation, reply.usage


def graded_version(evaluator: Evaluator) -> str:
    """What an evaluation depends on besides its inputs: the provider's prompt and the policy."""
    return f"{evaluator.prompt_version}+{POLICY_VERSION}"


def check_language(evaluator: Evaluator, answer: str) -> None:
    """Refuse, before anything is stored, an answer the configured grader cannot read."""
    if not getattr(evaluator, "english_only", False):
        return
    language = guess_language(answer)
    if language and language != "en":
        raise UnsupportedLanguage(LANGUAGE_NAMES.get(language, language))
