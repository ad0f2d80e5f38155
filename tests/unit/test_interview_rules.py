"""The Interview aggregate's rules, through the use cases, and proof that breaking one is caught.

Each scenario drives a whole interview through core.services on the fakes and checks what the
aggregate decided. The mutation tests then break one rule at a time on the aggregate (as a
careless edit would) and require at least one scenario to fail: a rule no test depends on is a
rule nobody would notice breaking.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core import services
from core.domain.errors import (
    FollowUpLimitReached,
    NoMoreHints,
    NotAnsweredYet,
    QuestionAlreadyAnswered,
    SessionFinished,
)
from core.domain.interview import Interview, Step
from core.domain.model import ConversationRef, UserRef
from core.domain.results import QuestionAsked, SessionSummary
from core.services.deps import Deps
from tests.fakes import make_deps

ALICE = ConversationRef("slack", "T1", "C1", "U-alice", thread="t-1")
ACTOR: UserRef = ALICE.user_ref
ANSWER = "A cache keeps hot rows in memory, so repeated reads skip the slow database."


def start(deps: Deps, questions: int = 2) -> int:
    started = services.start_session(
        deps, conversation=ALICE, role="backend", difficulty="easy", questions=questions
    )
    return started.session.id


def answer(deps: Deps, delivery: str, position: int | None = None):  # type: ignore[no-untyped-def]
    return services.answer_in_conversation(
        deps, conversation=ALICE, text=ANSWER, delivery_id=delivery
    )


def interview(deps: Deps, session_id: int) -> Interview:
    return services.interview_of(deps, session_id=session_id, actor=ACTOR)


# ---------------------------------------------------------------- scenarios


def scenario_has_next_until_the_last_main_question() -> None:
    deps = make_deps()
    session_id = start(deps, questions=2)
    first = answer(deps, "d1")
    assert first.has_next is True and first.label == "Question 1 of 2"
    second = services.next_question(deps, session_id=session_id, after_position=1, actor=ACTOR)
    assert isinstance(second, QuestionAsked) and second.label == "Question 2 of 2"
    last = answer(deps, "d2")
    assert last.has_next is False
    done = services.next_question(deps, session_id=session_id, after_position=2, actor=ACTOR)
    assert isinstance(done, SessionSummary) and done.answered == 2


def scenario_follow_ups_are_capped_per_main_question() -> None:
    deps = make_deps(max_follow_ups_per_question=1)
    session_id = start(deps)
    assert answer(deps, "d1").can_go_deeper is True
    deeper = services.go_deeper(deps, session_id=session_id, position=1, actor=ACTOR)
    assert deeper.label == "Follow-up on question 1 of 2"
    follow_up = answer(deps, "d2")
    assert follow_up.can_go_deeper is False and follow_up.has_next is True
    assert interview(deps, session_id).follow_ups_left(2) == 0
    with pytest.raises(FollowUpLimitReached):
        services.go_deeper(deps, session_id=session_id, position=2, actor=ACTOR)


def scenario_going_deeper_needs_a_scored_answer() -> None:
    deps = make_deps()
    session_id = start(deps)
    with pytest.raises(NotAnsweredYet):
        services.go_deeper(deps, session_id=session_id, position=1, actor=ACTOR)
    with pytest.raises(NotAnsweredYet):
        services.next_question(deps, session_id=session_id, after_position=1, actor=ACTOR)


def scenario_steps_follow_the_answer() -> None:
    deps = make_deps()
    session_id = start(deps)
    assert interview(deps, session_id).step is Step.ANSWER
    answer(deps, "d1")
    assert interview(deps, session_id).step is Step.EVALUATED
    services.next_question(deps, session_id=session_id, after_position=1, actor=ACTOR)
    assert interview(deps, session_id).step is Step.ANSWER
    services.skip_question(deps, session_id=session_id, position=2, actor=ACTOR, delivery_id="s")
    assert interview(deps, session_id).step_at(2) is Step.SKIPPED


def scenario_hints_run_out_and_stop_after_an_answer() -> None:
    deps = make_deps()  # fake questions: a written hint and four key points -> 3 hints
    session_id = start(deps)
    texts = [
        services.give_hint(deps, session_id=session_id, position=1, actor=ACTOR) for _ in range(3)
    ]
    assert texts[0].hint.startswith("hint") and "point" in texts[1].hint
    assert texts[-1].hints_left == 0
    with pytest.raises(NoMoreHints):
        services.give_hint(deps, session_id=session_id, position=1, actor=ACTOR)
    answer(deps, "d1")
    with pytest.raises((QuestionAlreadyAnswered, NoMoreHints)):
        services.give_hint(deps, session_id=session_id, position=1, actor=ACTOR)


def scenario_summary_counts_main_answers_apart_from_follow_ups_and_skips() -> None:
    deps = make_deps()
    session_id = start(deps, questions=2)
    answer(deps, "d1")
    services.go_deeper(deps, session_id=session_id, position=1, actor=ACTOR)
    answer(deps, "d2")
    second = services.next_question(deps, session_id=session_id, after_position=2, actor=ACTOR)
    assert isinstance(second, QuestionAsked) and second.label == "Question 2 of 2"
    summary = services.skip_question(
        deps, session_id=session_id, position=3, actor=ACTOR, delivery_id="s"
    )
    assert isinstance(summary, SessionSummary)
    assert (summary.answered, summary.skipped, summary.follow_ups) == (1, 1, 1)


def scenario_ending_without_answers_advises_answering() -> None:
    deps = make_deps()
    session_id = start(deps)
    summary = services.end_session(deps, session_id=session_id, actor=ACTOR)
    assert summary.answered == 0 and summary.average_score is None
    assert summary.practice_next == (
        "Answer at least one question next time to get feedback on it.",
    )
    with pytest.raises(SessionFinished):
        services.submit_answer(
            deps, session_id=session_id, actor=ACTOR, text=ANSWER, delivery_id="late"
        )


SCENARIOS: list[Callable[[], None]] = [
    scenario_has_next_until_the_last_main_question,
    scenario_follow_ups_are_capped_per_main_question,
    scenario_going_deeper_needs_a_scored_answer,
    scenario_steps_follow_the_answer,
    scenario_hints_run_out_and_stop_after_an_answer,
    scenario_summary_counts_main_answers_apart_from_follow_ups_and_skips,
    scenario_ending_without_answers_advises_answering,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_scenario(scenario: Callable[[], None]) -> None:
    scenario()


# ---------------------------------------------------------------- mutation checks

MUTANTS: dict[str, tuple[str, Callable[..., object]]] = {
    "has_next always true": ("has_next", lambda self, position: True),
    "has_next off by one": (
        "has_next",
        lambda self, position: self.question_at(position).main_index <= self.session.question_count,
    ),
    "follow-ups never run out": ("follow_ups_left", lambda self, position: 1),
    "deeper allowed before a score": ("check_deeper", lambda self, position: None),
    "hints never run out": ("hints_left", lambda self, position: 9),
    "skips counted as answers": (
        "answered",
        property(lambda self: sum(1 for q in self.questions if q.position in self.attempts)),
    ),
    "finished sessions still answerable": ("require_active", lambda self: None),
    "failed shown as evaluated": (
        "step_at",
        lambda self, position: Step.EVALUATED if position in self.attempts else Step.ANSWER,
    ),
    "no advice without answers": ("practice_next", lambda self: ()),
    "moving on without an answer": (
        "finishes_after",
        lambda self, position: not self.has_next(position),
    ),
}


@pytest.mark.parametrize("name", MUTANTS)
def test_breaking_a_rule_on_the_aggregate_fails_a_scenario(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    attribute, mutant = MUTANTS[name]
    assert hasattr(Interview, attribute), f"the mutant names no rule: {attribute}"
    monkeypatch.setattr(Interview, attribute, mutant)
    caught = []
    for scenario in SCENARIOS:
        try:
            scenario()
        except (Exception, pytest.fail.Exception) as exc:  # any scenario noticing the break
            caught.append((scenario.__name__, type(exc).__name__))
    assert caught, f"breaking {attribute} ({name}) went unnoticed by every scenario"
