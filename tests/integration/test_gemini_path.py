"""The whole answer path with LLM_PROVIDER=gemini: the real google-genai SDK, wired by the
bootstrap from settings, talking to the stub server on 127.0.0.1. Faults leave the answer saved
and retryable; the cache means the same answer never costs a second call."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core import services
from core.adapters.gemini import GeminiEvaluator
from core.adapters.offline.bank import ShippedQuestionBank
from core.bootstrap import Core, build_core
from core.config import Settings
from core.domain import ConversationRef
from core.domain.model import AttemptStatus, Verdict
from core.domain.results import AnswerStatus
from core.domain.roles import Difficulty, Role
from tests.adapters.gemini_stub import (
    GeminiStub,
    daily_quota_reply,
    json_reply,
    malformed_reply,
    server_error_reply,
)
from tests.adapters.gemini_support import evaluation_payload

ALICE = ConversationRef("slack", "T1", "C1", "U-alice", thread="th-1")
ANSWER = "An index is a B-tree kept sorted; reads get faster and every write must update it."
# The model's verdict on the first key point of whichever question was asked, quoting ANSWER.
REPLY = evaluation_payload(
    points=[{"number": 1, "key_point": "", "verdict": "covered", "quote": "a B-tree kept sorted"}],
    strengths=[{"text": "Knows the structure", "quote": "a B-tree kept sorted"}],
)


@pytest.fixture
def stub() -> Iterator[GeminiStub]:
    with GeminiStub() as running:
        yield running


@pytest.fixture
def gemini_core(backend, stub: GeminiStub) -> Iterator[Core]:  # type: ignore[no-untyped-def]
    settings = Settings(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        redis_prefix=backend.redis_prefix,
        llm_provider="gemini",
        gemini_api_key=stub.api_key,
        gemini_base_url=stub.base_url,
        gemini_max_retries=0,  # one request per evaluation: the stub's script stays readable
        gemini_timeout_seconds=5,
        llm_burst=100,  # each call still takes its turn; waiting is tests/qotd/test_rate_limit.py's
        _env_file=None,  # type: ignore[call-arg]
    )
    core = build_core(settings, auto_migrate=True)
    yield core
    core.close()


def answer(core: Core, delivery: str, conversation: ConversationRef = ALICE):  # type: ignore[no-untyped-def]
    return services.answer_in_conversation(
        core.deps, conversation=conversation, text=ANSWER, delivery_id=delivery
    )


@pytest.mark.parametrize(
    "fault",
    [server_error_reply(503), daily_quota_reply(), malformed_reply()],
    ids=["5xx", "daily-quota-429", "malformed-json"],
)
def test_a_fault_keeps_the_answer_and_retry_evaluates_it(gemini_core: Core, stub, fault) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(gemini_core.deps.evaluator, GeminiEvaluator)
    started = services.start_session(
        gemini_core.deps, conversation=ALICE, role="backend", difficulty="medium"
    )
    stub.script(fault)  # GEMINI_MAX_RETRIES=0: exactly one request per evaluation
    failed = answer(gemini_core, "m1")
    assert failed.status is AnswerStatus.FAILED
    assert failed.attempt.status is AttemptStatus.FAILED and failed.attempt.answer == ANSWER
    assert "saved" in failed.message
    for raw in ("503", "UNAVAILABLE", "RESOURCE_EXHAUSTED", "generativelanguage", "{"):
        assert raw not in failed.message  # a sentence for the candidate, never the API's text

    stub.script(json_reply(REPLY))
    retried = services.retry_evaluation(
        gemini_core.deps, session_id=started.session.id, position=1, actor=ALICE.user_ref
    )
    assert retried.status is AnswerStatus.EVALUATED and retried.evaluation is not None
    assert retried.evaluation.provider == "gemini" and retried.attempt.usage is not None
    assert retried.attempt.usage.input_tokens == 812  # from the reply's usageMetadata
    evaluation = retried.evaluation
    assert evaluation.graded_by == "Gemini 2.5 Flash"
    # Covered as the model said, or partial when the drawn question's first key point carries a
    # "not" the quote lacks (the policy's negation check): the quote itself is verified either way.
    assert evaluation.points[0].verdict in (Verdict.COVERED, Verdict.PARTIAL)
    assert evaluation.points[0].quote == "a B-tree kept sorted"
    assert all(p.verdict is Verdict.MISSING for p in evaluation.points[1:])
    assert 0 < evaluation.score < 10  # computed from one point of several, not the claimed 7.5


def test_the_same_answer_is_graded_by_gemini_once(gemini_core: Core, stub: GeminiStub) -> None:
    deps = gemini_core.deps
    # One question only, so both sessions ask the same one.
    deps.bank = ShippedQuestionBank([deps.bank.pool(Role.BACKEND, Difficulty.MEDIUM)[0]])
    other = ConversationRef("slack", "T1", "C1", "U-alice", thread="th-2")
    services.start_session(deps, conversation=ALICE, role="backend", difficulty="medium")
    services.start_session(deps, conversation=other, role="backend", difficulty="medium")
    stub.script(json_reply(REPLY))
    first = answer(gemini_core, "m1")
    second = answer(gemini_core, "m2", other)
    assert first.status is second.status is AnswerStatus.EVALUATED
    assert second.attempt.cached and len(stub.requests) == 1
    assert stub.api_key not in repr(stub.requests[0].body)  # the key travels in a header only
