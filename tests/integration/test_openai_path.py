"""The whole answer path with LLM_PROVIDER=openai: the real openai client, wired by the bootstrap
from settings, talking to stub servers on 127.0.0.1 that answer as OpenAI, Ollama and vLLM.
A fault leaves the answer saved and retryable; the cache means one call per answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core import services
from core.adapters.offline.bank import ShippedQuestionBank
from core.adapters.openai_call import forget_servers
from core.adapters.openai_llm import OpenAIEvaluator
from core.bootstrap import Core, build_core
from core.config import Settings
from core.domain import ConversationRef
from core.domain.model import AttemptStatus
from core.domain.results import AnswerStatus
from core.domain.roles import Difficulty, Role
from tests.adapters.openai_stub import (
    OpenAIStub,
    completion,
    daily_limit_reply,
    prose_wrapped,
    server_error_reply,
)
from tests.adapters.openai_support import LABELS, MODELS, stub_for
from tests.integration.test_gemini_path import ANSWER, REPLY


@pytest.fixture(params=["openai", "ollama", "vllm"])
def stub(request: pytest.FixtureRequest) -> Iterator[OpenAIStub]:
    forget_servers()
    with stub_for(request.param) as running:
        yield running
    forget_servers()


@pytest.fixture
def openai_core(backend: Any, stub: OpenAIStub) -> Iterator[Core]:
    settings = Settings(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        redis_prefix=backend.redis_prefix,
        llm_provider="openai",
        openai_base_url=stub.base_url,
        openai_api_key=stub.api_key,  # None for the local servers
        openai_model=MODELS[stub.flavour],
        openai_max_retries=0,  # one request per evaluation: the script stays readable
        openai_timeout_seconds=5,
        llm_burst=100,  # each call still takes its turn; waiting is tests/qotd/test_rate_limit.py's
        _env_file=None,  # type: ignore[call-arg]
    )
    core = build_core(settings, auto_migrate=True)
    core.deps.bank = ShippedQuestionBank([core.deps.bank.pool(Role.BACKEND, Difficulty.MEDIUM)[0]])
    yield core
    core.close()


_threads = iter(range(1, 10_000))


def answer(core: Core):  # type: ignore[no-untyped-def]
    thread = f"th-{next(_threads)}"
    conversation = ConversationRef("discord", "G1", "C1", "U-bob", thread=thread)
    services.start_session(
        core.deps, conversation=conversation, role="backend", difficulty="medium"
    )
    return services.answer_in_conversation(
        core.deps, conversation=conversation, text=ANSWER, delivery_id=f"m-{thread}"
    )


def test_each_server_grades_through_the_core_once_per_answer(
    openai_core: Core, stub: OpenAIStub
) -> None:
    assert isinstance(openai_core.deps.evaluator, OpenAIEvaluator)
    stub.script(completion(REPLY))

    first, second = answer(openai_core), answer(openai_core)

    assert first.status is AnswerStatus.EVALUATED and first.evaluation is not None
    assert first.evaluation.provider == "openai"
    assert first.evaluation.graded_by == LABELS[stub.flavour]
    assert first.attempt.usage is not None and first.attempt.usage.input_tokens == 812
    assert second.attempt.cached and second.evaluation == first.evaluation
    assert len(stub.requests) == 1


@pytest.mark.parametrize(
    "fault",
    [server_error_reply(503), daily_limit_reply(), completion("I would give this a 7/10.")],
    ids=["5xx", "daily-limit-429", "prose-without-json"],
)
def test_a_fault_keeps_the_answer_and_retry_evaluates_it(
    openai_core: Core, stub: OpenAIStub, fault: Any
) -> None:
    stub.script(fault)
    failed = answer(openai_core)
    assert failed.status is AnswerStatus.FAILED and "saved" in failed.message
    assert failed.attempt.status is AttemptStatus.FAILED and failed.attempt.answer == ANSWER
    for raw in ("503", "rate_limit", "RPD", "{", "Error code"):
        assert raw not in failed.message

    stub.script(prose_wrapped(REPLY))  # and a server that ignores response_format
    retried = services.retry_evaluation(
        openai_core.deps,
        session_id=failed.session.id,
        position=1,
        actor=failed.session.conversation.user_ref,
    )
    assert retried.status is AnswerStatus.EVALUATED and retried.evaluation is not None
    assert retried.evaluation.graded_by == LABELS[stub.flavour]
