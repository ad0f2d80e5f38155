"""Answering in two steps, for a surface that must answer at once (the web): `accept_answer`
stores the answer and never calls the model; `retry_evaluation` evaluates it afterwards, once;
`requeue_for_retry` puts a failed answer back to pending for a Retry in the background."""

from __future__ import annotations

import pytest

from core import services
from core.domain.errors import InvalidAnswerText, LlmUnavailable, NothingToRetry
from core.domain.interview import Step
from core.domain.model import AttemptStatus, ConversationRef
from core.domain.results import AnswerStatus
from tests.fakes import make_deps

WEB = ConversationRef("web", "web", "browser", "account-1", thread="web-1")
ANSWER = "an answer about caches, indexes and replication lag"


def _started(deps):  # type: ignore[no-untyped-def]
    started = services.start_session(deps, conversation=WEB, role="backend", difficulty="easy")
    return started.session.id


def _step(deps, session_id: int) -> Step:  # type: ignore[no-untyped-def]
    return services.interview_of(deps, session_id=session_id, actor=WEB.user_ref).step


def test_accepting_stores_the_answer_and_calls_no_model() -> None:
    deps = make_deps()
    sid = _started(deps)
    accepted = services.accept_answer(
        deps, session_id=sid, actor=WEB.user_ref, text=ANSWER, delivery_id="d1", position=1
    )
    assert accepted.status is AnswerStatus.IN_PROGRESS and not accepted.duplicate
    assert accepted.attempt.status is AttemptStatus.PENDING and "saved" in accepted.message
    assert deps.evaluator.calls == 0  # type: ignore[attr-defined]
    assert _step(deps, sid) is Step.EVALUATING

    again = services.accept_answer(
        deps, session_id=sid, actor=WEB.user_ref, text=ANSWER, delivery_id="d1", position=1
    )
    assert again.duplicate and again.attempt.id == accepted.attempt.id

    evaluated = services.retry_evaluation(deps, session_id=sid, position=1, actor=WEB.user_ref)
    assert evaluated.status is AnswerStatus.EVALUATED and deps.evaluator.calls == 1  # type: ignore[attr-defined]
    assert _step(deps, sid) is Step.EVALUATED


def test_accepting_refuses_text_that_is_not_text_before_storing_anything() -> None:
    deps = make_deps()
    sid = _started(deps)
    with pytest.raises(InvalidAnswerText):
        services.accept_answer(
            deps, session_id=sid, actor=WEB.user_ref, text="a\ud800b", delivery_id="d1"
        )
    assert _step(deps, sid) is Step.ANSWER


def test_a_failed_answer_requeued_shows_as_evaluating_until_evaluated() -> None:
    deps = make_deps()
    sid = _started(deps)
    deps.evaluator.fail_with = LlmUnavailable("slow", kind="timeout")  # type: ignore[attr-defined]
    services.accept_answer(
        deps, session_id=sid, actor=WEB.user_ref, text=ANSWER, delivery_id="d1", position=1
    )
    services.retry_evaluation(deps, session_id=sid, position=1, actor=WEB.user_ref)
    assert _step(deps, sid) is Step.FAILED

    deps.evaluator.fail_with = None  # type: ignore[attr-defined]
    requeued = services.requeue_for_retry(deps, session_id=sid, position=1, actor=WEB.user_ref)
    assert requeued.status is AnswerStatus.IN_PROGRESS
    assert _step(deps, sid) is Step.EVALUATING
    services.retry_evaluation(deps, session_id=sid, position=1, actor=WEB.user_ref)
    assert _step(deps, sid) is Step.EVALUATED
    replay = services.requeue_for_retry(deps, session_id=sid, position=1, actor=WEB.user_ref)
    assert replay.status is AnswerStatus.EVALUATED and replay.duplicate
    with pytest.raises(NothingToRetry):
        services.requeue_for_retry(deps, session_id=sid, position=2, actor=WEB.user_ref)
