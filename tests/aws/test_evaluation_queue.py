"""On AWS, answers wait in SQS: the Slack/Discord functions send each stored answer's id with the
real boto3 client (to a stub on 127.0.0.1), and the evaluation worker (core.jobs) evaluates a
batch, hides a message whose turn at the model is far off for exactly that long, and reports it
as a batch item failure so SQS keeps it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace

import pytest

from core.adapters.sqs_queue import SqsEvaluationQueue, answer_message
from core.bootstrap import Core
from core.domain.qotd_notices import QotdEvaluationNotice, QotdQuestionNotice
from core.jobs import evaluate_messages, evaluation_handler
from core.services.qotd_answers import submit_qotd_answer
from core.services.qotd_evaluation import QotdRun
from core.services.schedule import run_due
from tests.aws.sqs_stub import SqsStub
from tests.qotd.support import (
    ANSWER,
    MORNING,
    RecordingNotifier,
    make_core,
    person,
    qotd_settings,
    set_up,
)


@pytest.fixture
def sqs() -> Iterator[SqsStub]:
    with SqsStub() as stub:
        yield stub


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def core(backend, sqs: SqsStub, notifier: RecordingNotifier) -> Iterator[Core]:  # type: ignore[no-untyped-def]
    wired = make_core(qotd_settings(backend, evaluation_queue_url=sqs.queue_url), notifier)
    assert isinstance(wired.deps.evaluations, SqsEvaluationQueue)
    wired.deps.evaluations._factory = sqs.client  # boto3 pointed at the stub
    set_up(wired)
    wired.deps.clock.current = MORNING + timedelta(hours=1)  # type: ignore[attr-defined]
    run_due(wired.deps, wired.notifiers)
    yield wired
    wired.close()


def answer(core: Core, notifier: RecordingNotifier, n: int) -> int:
    post = notifier.of(QotdQuestionNotice)[-1].post
    received = submit_qotd_answer(
        core.deps, post_id=post.id, actor=person(n), text=ANSWER, delivery_id=f"d{n}"
    )
    return received.answer.id


def test_answers_go_to_sqs_and_the_worker_evaluates_them(
    core: Core, sqs: SqsStub, notifier: RecordingNotifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [answer(core, notifier, n) for n in (1, 2)]
    assert [body["MessageBody"] for action, body in sqs.calls if action == "SendMessage"] == [
        answer_message(i) for i in ids
    ]
    assert notifier.of(QotdEvaluationNotice) == []  # nothing evaluated on the request path
    import core.jobs as jobs

    monkeypatch.setattr(jobs, "_core", core)
    context = SimpleNamespace(get_remaining_time_in_millis=lambda: 600_000)
    result = evaluation_handler({"Records": sqs.records()}, context)
    assert result == {"batchItemFailures": []}
    assert sorted(n.user for n in notifier.of(QotdEvaluationNotice)) == [
        person(1).user,
        person(2).user,
    ]


def test_a_busy_turn_hides_the_message_for_its_wait(
    core: Core, sqs: SqsStub, notifier: RecordingNotifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer(core, notifier, 3)
    monkeypatch.setattr(
        "core.services.qotd_evaluation.evaluate_qotd_answer",
        lambda deps, notifiers, answer_id: QotdRun("busy", retry_after=42.0),
    )
    records = sqs.records()
    result = evaluate_messages(core, records)
    assert result == {"batchItemFailures": [{"itemIdentifier": records[0]["messageId"]}]}
    [(_action, body)] = [c for c in sqs.calls if c[0] == "ChangeMessageVisibility"]
    assert body["ReceiptHandle"] == records[0]["receiptHandle"] and body["VisibilityTimeout"] == 42


def test_messages_that_are_not_ours_are_dropped(core: Core) -> None:
    assert evaluate_messages(core, [{"messageId": "x", "body": "{}"}]) == {"batchItemFailures": []}
