"""The `on_accepted` hook of the answer path: runs once, after the answer is stored, before scoring.

Adapters post "Evaluating…" from it, so it must run exactly once per answer whatever the number
of redeliveries or racers, and a failing hook must never cost the candidate the evaluation.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from core import services
from core.domain import ConversationRef
from core.domain.model import Attempt, AttemptStatus
from core.domain.results import AnswerStatus
from tests.fakes import make_deps

ALICE = ConversationRef("slack", "T1", "C1", "U-alice", thread="th-1")
ANSWER = "an answer about caches, indexes and replication lag"


class Recorder:
    def __init__(self, deps) -> None:  # type: ignore[no-untyped-def]
        self.deps = deps
        self.seen: list[tuple[Attempt, int]] = []

    def __call__(self, attempt: Attempt) -> None:
        # Record how many evaluations had run when the hook fired: it must be none yet.
        self.seen.append((attempt, self.deps.evaluator.calls))


def start(deps):  # type: ignore[no-untyped-def]
    return services.start_session(deps, conversation=ALICE, role="backend", difficulty="medium")


def test_the_hook_runs_after_the_answer_is_stored_and_before_the_evaluation() -> None:
    deps = make_deps()
    start(deps)
    hook = Recorder(deps)
    outcome = services.answer_in_conversation(
        deps, conversation=ALICE, text=ANSWER, delivery_id="m1", on_accepted=hook
    )
    assert outcome.status is AnswerStatus.EVALUATED and not outcome.duplicate
    [(attempt, evaluations_before)] = hook.seen
    assert evaluations_before == 0
    assert attempt.status is AttemptStatus.PENDING and attempt.answer == ANSWER
    assert attempt.id == outcome.attempt.id and attempt.delivery_id == "m1"


def test_redeliveries_and_second_messages_do_not_run_the_hook() -> None:
    deps = make_deps()
    start(deps)
    hook = Recorder(deps)
    for delivery in ("m1", "m1", "m2"):  # the original, a retry, then a second message
        services.answer_in_conversation(
            deps, conversation=ALICE, text=ANSWER, delivery_id=delivery, on_accepted=hook
        )
    assert len(hook.seen) == 1


def test_concurrent_deliveries_run_the_hook_exactly_once() -> None:
    deps = make_deps()
    start(deps)
    hook = Recorder(deps)

    def deliver(_: int):  # type: ignore[no-untyped-def]
        return services.answer_in_conversation(
            deps, conversation=ALICE, text=ANSWER, delivery_id="m1", on_accepted=hook
        )

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(deliver, range(12)))
    assert len(hook.seen) == 1
    assert sum(not o.duplicate for o in outcomes) == 1
    assert deps.evaluator.calls == 1


def test_a_failing_hook_does_not_cost_the_evaluation() -> None:
    deps = make_deps()
    start(deps)

    def broken(_: Attempt) -> None:
        raise RuntimeError("chat API down")

    outcome = services.answer_in_conversation(
        deps, conversation=ALICE, text=ANSWER, delivery_id="m1", on_accepted=broken
    )
    assert outcome.status is AnswerStatus.EVALUATED and outcome.evaluation is not None


def test_submit_answer_takes_the_hook_too() -> None:
    deps = make_deps()
    started = start(deps)
    hook = Recorder(deps)
    outcome = services.submit_answer(
        deps,
        session_id=started.session.id,
        actor=ALICE.user_ref,
        text=ANSWER,
        delivery_id="form-1",
        position=1,
        on_accepted=hook,
    )
    assert outcome.status is AnswerStatus.EVALUATED
    assert [a.position for a, _ in hook.seen] == [1]
