"""Exactly once, whatever the schedule does: fired twice, two runners at once (as a local timer
and EventBridge would), a worker killed mid-evaluation, a delivery that failed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from core.bootstrap import Core
from core.domain.qotd import AnswerStatus
from core.domain.qotd_notices import QotdEvaluationNotice, QotdQuestionNotice, QotdRevealNotice
from core.services.qotd_answers import submit_qotd_answer
from core.services.qotd_evaluation import retry_qotd_evaluations
from core.services.schedule import run_due
from tests.qotd.support import (
    ANSWER,
    MORNING,
    RecordingNotifier,
    make_core,
    person,
    qotd_settings,
    set_up,
)

RUNNERS = 4


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def runners(backend, notifier: RecordingNotifier) -> Iterator[list[Core]]:  # type: ignore[no-untyped-def]
    """Separate cores on one database and Redis: separate processes, as far as the guards go."""
    settings = qotd_settings(backend)
    built = [make_core(settings, notifier) for _ in range(RUNNERS)]
    set_up(built[0])
    yield built
    for core in built:
        core.close()


def move(cores: list[Core], hours: float) -> None:
    for core in cores:
        core.deps.clock.current = MORNING + timedelta(hours=hours)  # type: ignore[attr-defined]


def all_at_once(cores: list[Core]) -> None:
    start = threading.Barrier(len(cores))
    errors: list[BaseException] = []

    def run(core: Core) -> None:
        start.wait()
        try:
            run_due(core.deps, core.notifiers)
        except BaseException as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in cores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors


def wait_until_free(core: Core, lock: str) -> None:
    """Until the lock has expired: taken again here (then given back), as the next worker would."""
    deadline = time.monotonic() + 10
    while (token := core.deps.locks.acquire(lock, ttl_seconds=1)) is None:
        assert time.monotonic() < deadline, f"{lock} never expired"
        time.sleep(0.01)
    assert core.deps.locks.release(lock, token)


def questions(notifier: RecordingNotifier) -> list[QotdQuestionNotice]:
    return [n for n in notifier.of(QotdQuestionNotice) if not n.replaces]


def test_overlapping_runners_post_and_reveal_exactly_once(
    runners: list[Core], notifier: RecordingNotifier
) -> None:
    notifier.delay = 0.05  # a slow platform widens every race between the runners
    move(runners, 1.5)
    all_at_once(runners)
    assert len(questions(notifier)) == 1
    post = questions(notifier)[0].post
    submit_qotd_answer(
        runners[0].deps, post_id=post.id, actor=person(1), text=ANSWER, delivery_id="a"
    )
    move(runners, 9.5)
    all_at_once(runners)
    assert len(notifier.of(QotdRevealNotice)) == 1
    assert len([n for n in notifier.of(QotdQuestionNotice) if n.closed]) == 1


def test_the_same_run_twice_posts_once(runners: list[Core], notifier: RecordingNotifier) -> None:
    move(runners, 1.5)
    for _ in range(3):
        run_due(runners[0].deps, runners[0].notifiers)
    move(runners, 1.6)
    run_due(runners[1].deps, runners[1].notifiers)
    assert len(questions(notifier)) == 1


def test_a_refused_post_is_tried_again_by_the_next_run(
    runners: list[Core], notifier: RecordingNotifier
) -> None:
    move(runners, 1.5)
    notifier.refuse = QotdQuestionNotice
    assert run_due(runners[0].deps, runners[0].notifiers)["qotd_post"] == {
        "posted": 0,
        "already": 0,
        "failed": 1,
    }
    notifier.refuse = None
    run_due(runners[0].deps, runners[0].notifiers)
    assert len(questions(notifier)) == 1


def test_a_worker_killed_mid_evaluation_is_picked_up_by_maintenance(
    runners: list[Core], notifier: RecordingNotifier
) -> None:
    core = runners[0]
    move(runners, 1.5)
    run_due(core.deps, core.notifiers)
    post = questions(notifier)[0].post
    # The worker took the answer's lock and died: nothing evaluates it, the lock stays taken.
    core.deps.evaluations = None
    received = submit_qotd_answer(
        core.deps, post_id=post.id, actor=person(7), text=ANSWER, delivery_id="x"
    )
    lock = f"qotd-answer:{received.answer.id}"
    assert core.deps.locks.acquire(lock, ttl_seconds=0.05)
    assert retry_qotd_evaluations(core.deps, core.notifiers)["evaluated"] == 0  # not stuck yet
    # Later than the lock's life (Redis expires it in real time) and, by the clock, than the
    # evaluation's: maintenance evaluates it and tells the person.
    wait_until_free(core, lock)
    move(runners, 1.5 + core.deps.rules.evaluation_lock_seconds / 3600 + 0.01)
    counts = retry_qotd_evaluations(core.deps, core.notifiers)
    assert counts["evaluated"] == 1
    delivered = notifier.of(QotdEvaluationNotice)
    assert [n.user for n in delivered] == [person(7).user]
    with core.deps.uow() as uow:
        stored = uow.qotd.get_answer(received.answer.id)
    assert stored is not None and stored.status is AnswerStatus.EVALUATED
    assert retry_qotd_evaluations(core.deps, core.notifiers)["evaluated"] == 0


def test_a_failed_delivery_is_sent_again_by_maintenance(
    runners: list[Core], notifier: RecordingNotifier
) -> None:
    core = runners[0]
    move(runners, 1.5)
    run_due(core.deps, core.notifiers)
    post = questions(notifier)[0].post
    notifier.refuse = QotdEvaluationNotice
    submit_qotd_answer(core.deps, post_id=post.id, actor=person(8), text=ANSWER, delivery_id="y")
    assert notifier.of(QotdEvaluationNotice) == []
    notifier.refuse = None
    move(runners, 1.6)
    assert retry_qotd_evaluations(core.deps, core.notifiers)["delivered"] == 1
    assert retry_qotd_evaluations(core.deps, core.notifiers)["delivered"] == 0
    assert len(notifier.of(QotdEvaluationNotice)) == 1


def test_concurrent_double_submits_store_one_answer(
    runners: list[Core], notifier: RecordingNotifier
) -> None:
    move(runners, 1.5)
    run_due(runners[0].deps, runners[0].notifiers)
    post = questions(notifier)[0].post
    start = threading.Barrier(RUNNERS)
    outcomes: list[str] = []

    def submit(core: Core, n: int) -> None:
        start.wait()
        try:
            submit_qotd_answer(
                core.deps, post_id=post.id, actor=person(9), text=ANSWER, delivery_id=f"s{n}"
            )
            outcomes.append("stored")
        except Exception as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=submit, args=(c, n)) for n, c in enumerate(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["QotdAlreadyAnswered"] * (RUNNERS - 1) + ["stored"]
    assert len(notifier.of(QotdEvaluationNotice)) == 1


def test_an_answer_that_cannot_be_evaluated_is_said_so_privately_once(
    runners: list[Core], notifier: RecordingNotifier
) -> None:

    core = runners[0]
    move(runners, 1.5)
    run_due(core.deps, core.notifiers)
    post = questions(notifier)[0].post
    core.deps.evaluator.evaluate = _refuse  # type: ignore[method-assign]
    submit_qotd_answer(core.deps, post_id=post.id, actor=person(5), text=ANSWER, delivery_id="z")
    [told] = notifier.of(QotdEvaluationNotice)
    assert told.failed and "could not be evaluated" in told.failed and told.user == person(5).user
    assert retry_qotd_evaluations(core.deps, core.notifiers) == {
        "evaluated": 0,
        "failed": 0,
        "busy": 0,
        "deferred": 0,
        "delivered": 0,
    }


def _refuse(question: object, answer: object) -> object:
    from core.domain.errors import LlmUnavailable

    raise LlmUnavailable("The model refused this request.", kind="blocked", retryable=False)
