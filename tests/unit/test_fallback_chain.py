"""The fallback chain (LLM_FALLBACK) through the core's answer path, on the fakes.

Who grades, what is recorded, what the cache serves (each grader's grades under its own key),
the cool-off after a health fault, and the English-only offline scorer at the end of a chain.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from core import services
from core.adapters.llm_chain import Breaker, FallbackEvaluator, FallbackQuestionWriter
from core.domain import ConversationRef
from core.domain.errors import LlmFault, LlmUnavailable
from core.domain.model import AttemptStatus, Question
from core.domain.results import AnswerStatus
from core.ports import EvaluatorReply, FollowUpReply
from core.services.deps import Deps
from core.services.grading import cache_key_of
from tests.fakes import FakeBank, ScriptedEvaluator, ScriptedWriter, make_deps

ANSWER = "Caching keeps hot data in memory so reads skip the database and pages load faster."
SPANISH = (
    "La caché guarda los datos más usados en memoria para que las lecturas no vayan a la base "
    "de datos y las páginas carguen más rápido."
)
COOL_OFF = 300.0


class Grader(ScriptedEvaluator):
    """A scripted grader with its own name, as each provider of a chain has."""

    def __init__(self, provider: str, *, english_only: bool = False) -> None:
        super().__init__()
        self.provider = provider
        self.prompt_version = f"{provider}-prompt/model-x/v1"
        self.english_only = english_only

    def evaluate(self, question: Question, answer: str) -> EvaluatorReply:
        reply = super().evaluate(question, answer)
        return replace(
            reply, assessment=replace(reply.assessment, graded_by=f"{self.provider} model")
        )


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def daily_quota() -> LlmUnavailable:
    return LlmUnavailable("quota gone", kind=LlmFault.DAILY_QUOTA, retryable=False)


def chained(*graders: Grader) -> tuple[Deps, Ticks]:
    deps = make_deps()
    ticks = Ticks()
    deps.evaluator = FallbackEvaluator(list(graders), Breaker(COOL_OFF, clock=ticks))
    return deps, ticks


def one_question_bank(deps: Deps) -> None:
    """Every session asks the same question, so the same answer hits the same cache key."""
    bank = FakeBank(1)
    deps.bank = bank


_threads = iter(range(1, 10_000))


def answer(deps: Deps, text: str = ANSWER):  # type: ignore[no-untyped-def]
    """A fresh session (its own thread) and one answer to its first question."""
    thread = f"th-{next(_threads)}"
    conversation = ConversationRef("slack", "T1", "C1", "U-ann", thread=thread)
    deps.rules = replace(deps.rules, quota_per_day=1000)
    services.start_session(deps, conversation=conversation, role="backend", difficulty="easy")
    return services.answer_in_conversation(
        deps, conversation=conversation, text=text, delivery_id=f"d-{thread}"
    )


def failed_calls(deps: Deps) -> list[tuple[object, object]]:
    with deps.uow() as uow:
        rows = list(uow.db.llm_calls)  # type: ignore[attr-defined]
    return [(r["provider"], r["error_kind"]) for r in rows if not r["ok"]]


def ok_calls(deps: Deps) -> list[object]:
    with deps.uow() as uow:
        rows = list(uow.db.llm_calls)  # type: ignore[attr-defined]
    return [r["provider"] for r in rows if r["ok"]]


# ---------------------------------------------------------------- who grades


def test_the_primary_grades_when_it_can() -> None:
    primary, secondary = Grader("gemini"), Grader("openai")
    deps, _ = chained(primary, secondary)

    outcome = answer(deps)

    assert outcome.status is AnswerStatus.EVALUATED and outcome.evaluation is not None
    assert (outcome.evaluation.provider, outcome.evaluation.graded_by) == ("gemini", "gemini model")
    assert outcome.evaluation.prompt_version.startswith("gemini-prompt/")
    assert (primary.calls, secondary.calls) == (1, 0)


def test_out_of_daily_quota_the_next_provider_grades_and_is_named() -> None:
    primary, secondary = Grader("gemini"), Grader("openai")
    primary.fail_with = daily_quota()
    deps, _ = chained(primary, secondary)

    outcome = answer(deps)

    assert outcome.status is AnswerStatus.EVALUATED and outcome.evaluation is not None
    assert (outcome.evaluation.provider, outcome.evaluation.graded_by) == ("openai", "openai model")
    assert outcome.evaluation.prompt_version.startswith("openai-prompt/")
    assert failed_calls(deps) == [("gemini", "daily_quota")]
    assert ok_calls(deps) == ["openai"]  # the cost is booked to the one that graded


def test_a_safety_block_is_not_handed_to_the_next_provider() -> None:
    primary, secondary = Grader("gemini"), Grader("openai")
    primary.fail_with = LlmUnavailable("declined", kind=LlmFault.BLOCKED, retryable=False)
    deps, _ = chained(primary, secondary)

    outcome = answer(deps)

    assert outcome.status is AnswerStatus.FAILED and outcome.message == "declined"
    assert outcome.attempt.error_kind == "blocked" and secondary.calls == 0


def test_when_every_provider_fails_the_retryable_error_is_told() -> None:
    primary, secondary = Grader("gemini"), Grader("openai")
    primary.fail_with = LlmUnavailable("net down", kind=LlmFault.NETWORK, retryable=True)
    secondary.fail_with = LlmUnavailable("bad key", kind=LlmFault.CONFIG, retryable=False)
    deps, _ = chained(primary, secondary)

    outcome = answer(deps)

    assert outcome.status is AnswerStatus.FAILED and outcome.message == "net down"
    assert outcome.attempt.status is AttemptStatus.FAILED and outcome.attempt.answer == ANSWER
    assert failed_calls(deps) == [("gemini", "network"), ("openai", "config")]


# ---------------------------------------------------------------- the cache, per grader


def test_a_fallbacks_grade_is_not_served_once_the_primary_is_back() -> None:
    primary, secondary = Grader("gemini"), Grader("openai")
    primary.fail_with = daily_quota()
    deps, ticks = chained(primary, secondary)
    one_question_bank(deps)
    assert answer(deps).evaluation.provider == "openai"  # type: ignore[union-attr]

    primary.fail_with = None
    ticks.now += COOL_OFF + 1  # the quota reset; the cool-off is over
    again = answer(deps)

    assert again.evaluation is not None and not again.attempt.cached
    assert again.evaluation.provider == "gemini" and primary.calls == 2
    assert secondary.calls == 1


def test_while_the_primary_cools_off_the_fallbacks_cached_grade_is_served_as_its_own() -> None:
    primary, secondary = Grader("gemini"), Grader("openai")
    primary.fail_with = daily_quota()
    deps, _ = chained(primary, secondary)
    one_question_bank(deps)
    first = answer(deps)

    again = answer(deps)

    assert again.attempt.cached and again.evaluation == first.evaluation
    assert again.evaluation is not None and again.evaluation.graded_by == "openai model"
    assert (primary.calls, secondary.calls) == (1, 1)  # neither was asked again


def test_the_primarys_cached_grade_is_served_while_it_cools_off() -> None:
    primary, secondary = Grader("gemini"), Grader("openai")
    deps, _ = chained(primary, secondary)
    one_question_bank(deps)
    answer(deps)  # graded by the primary, cached under its key
    primary.fail_with = daily_quota()
    answer(deps, "A different answer about caches, memory, reads and the database load.")

    again = answer(deps)

    assert again.attempt.cached and again.evaluation is not None
    assert again.evaluation.provider == "gemini"
    assert (primary.calls, secondary.calls) == (2, 1)


def test_each_grader_has_its_own_cache_key() -> None:
    question = FakeBank(1).questions[next(iter(FakeBank(1).questions))][0]
    keys = {cache_key_of(g, question, ANSWER) for g in (Grader("gemini"), Grader("openai"))}
    assert len(keys) == 2


# ---------------------------------------------------------------- the cool-off


def test_a_provider_out_of_quota_is_not_asked_again_until_its_cool_off_ends() -> None:
    primary, secondary = Grader("gemini"), Grader("openai")
    primary.fail_with = daily_quota()
    deps, ticks = chained(primary, secondary)

    answer(deps, "First answer about caching data in memory for faster reads.")
    answer(deps, "Second answer about caching data in memory for faster pages.")
    assert (primary.calls, secondary.calls) == (1, 2)

    ticks.now += COOL_OFF + 1
    answer(deps, "Third answer about caching data in memory for lower load.")
    assert (primary.calls, secondary.calls) == (2, 3)


def test_a_malformed_reply_does_not_cool_the_provider_off() -> None:
    primary, secondary = Grader("gemini"), Grader("openai")
    primary.fail_with = LlmUnavailable("garbled", kind=LlmFault.MALFORMED)
    deps, _ = chained(primary, secondary)

    answer(deps, "First answer about caching data in memory for faster reads.")
    answer(deps, "Second answer about caching data in memory for faster pages.")

    assert (primary.calls, secondary.calls) == (2, 2)


def test_when_every_provider_cools_off_they_are_asked_anyway() -> None:
    primary, secondary = Grader("gemini"), Grader("openai")
    for grader in (primary, secondary):
        grader.fail_with = LlmUnavailable("down", kind=LlmFault.SERVER)
    deps, _ = chained(primary, secondary)
    answer(deps, "First answer about caching data in memory for faster reads.")
    primary.fail_with = None

    outcome = answer(deps, "Second answer about caching data in memory for faster pages.")

    assert outcome.evaluation is not None and outcome.evaluation.provider == "gemini"
    assert (primary.calls, secondary.calls) == (2, 1)


# ---------------------------------------------------------------- another language


def test_a_foreign_answer_left_to_the_offline_scorer_fails_honestly_and_stays_saved() -> None:
    primary, offline = Grader("gemini"), Grader("offline", english_only=True)
    primary.fail_with = daily_quota()
    deps, ticks = chained(primary, offline)
    assert not deps.evaluator.english_only  # stored: the primary reads Spanish

    outcome = answer(deps, SPANISH)

    assert outcome.status is AnswerStatus.FAILED
    assert outcome.attempt.error_kind == "unsupported_language"
    assert outcome.attempt.answer == SPANISH and "English" in outcome.message
    assert "saved" in outcome.message and offline.calls == 0  # never keyword-graded

    primary.fail_with = None
    ticks.now += COOL_OFF + 1
    retried = services.retry_evaluation(
        deps,
        session_id=outcome.session.id,
        position=outcome.attempt.position,
        actor=outcome.session.conversation.user_ref,
    )
    assert retried.evaluation is not None and retried.evaluation.provider == "gemini"


def test_an_english_answer_still_reaches_the_offline_scorer() -> None:
    primary, offline = Grader("gemini"), Grader("offline", english_only=True)
    primary.fail_with = daily_quota()
    deps, _ = chained(primary, offline)

    outcome = answer(deps)

    assert outcome.evaluation is not None and outcome.evaluation.graded_by == "offline model"


def test_a_chain_of_english_only_graders_refuses_other_languages_before_storing() -> None:
    chain = FallbackEvaluator([Grader("offline", english_only=True)], Breaker(COOL_OFF))
    assert chain.english_only


# ---------------------------------------------------------------- follow-ups


class FailingWriter(ScriptedWriter):
    provider = "gemini"

    def follow_up(self, question, answer, evaluation) -> FollowUpReply:  # type: ignore[no-untyped-def]
        self.calls += 1
        raise daily_quota()


class NamedWriter(ScriptedWriter):
    provider = "openai"

    def follow_up(self, question, answer, evaluation) -> FollowUpReply:  # type: ignore[no-untyped-def]
        reply = super().follow_up(question, answer, evaluation)
        return replace(reply, usage=None)


def test_a_follow_up_falls_through_to_the_next_writer() -> None:
    deps, ticks = chained(Grader("gemini"), Grader("openai"))
    breaker = Breaker(COOL_OFF, clock=ticks)
    failing, named = FailingWriter(), NamedWriter()
    deps.writer = FallbackQuestionWriter([failing, named], breaker)
    outcome = answer(deps)

    asked = services.go_deeper(
        deps,
        session_id=outcome.session.id,
        position=outcome.attempt.position,
        actor=outcome.session.conversation.user_ref,
    )

    assert asked.question.question.text.startswith("Tell me more about")
    assert (failing.calls, named.calls) == (1, 1)
    reply = deps.writer.follow_up(outcome.question.question, ANSWER, outcome.evaluation)  # type: ignore[arg-type]
    assert reply.provider == "openai" and failing.calls == 1  # cooling off: not asked again


def test_an_empty_chain_is_refused() -> None:
    with pytest.raises(ValueError):
        FallbackEvaluator([], Breaker(COOL_OFF))
