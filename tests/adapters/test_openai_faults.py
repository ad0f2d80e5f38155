"""Gemini's fault table, for OpenAI-compatible servers: through the real `openai` client and the
stub, each fault gets the same kind, the same bounded retries and the same message.

Sleep and jitter are injected (jitter 0.5: each backoff is its base times 1.25), so no test waits.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from core.adapters.openai_errors import parse_wait_seconds
from core.adapters.openai_llm import OpenAIEvaluator, build_openai_client
from core.domain.errors import LlmUnavailable
from tests.adapters.gemini_support import GOOD_ANSWER, QUESTION, FakeSleep, evaluation_payload
from tests.adapters.openai_stub import (
    OpenAIStub,
    StubReply,
    completion,
    daily_limit_reply,
    insufficient_quota_reply,
    model_not_found_reply,
    rate_limited_reply,
    server_error_reply,
    slow,
)
from tests.adapters.openai_support import expect_failure, make_evaluator, stub_for


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with stub_for("openai") as running:
        yield running


@pytest.fixture
def ollama() -> Iterator[OpenAIStub]:
    with stub_for("ollama") as running:
        yield running


@pytest.fixture
def vllm() -> Iterator[OpenAIStub]:
    with stub_for("vllm") as running:
        yield running


# ---------------------------------------------------------------- 429s


def test_rate_limit_honours_the_servers_wait(stub: OpenAIStub, sleep: FakeSleep) -> None:
    stub.script(rate_limited_reply("7s", header_seconds="7"), completion(evaluation_payload()))
    make_evaluator(stub, sleep).evaluate(QUESTION, GOOD_ANSWER)
    assert sleep.calls == [7.0] and len(stub.requests) == 2


def test_rate_limit_wait_read_from_the_message(stub: OpenAIStub, sleep: FakeSleep) -> None:
    stub.script(rate_limited_reply("1.5s"), completion(evaluation_payload()))
    make_evaluator(stub, sleep).evaluate(QUESTION, GOOD_ANSWER)
    assert sleep.calls == [1.5]


def test_rate_limit_asking_for_a_long_wait_fails_fast(stub: OpenAIStub, sleep: FakeSleep) -> None:
    stub.script(rate_limited_reply("1m30s"))
    error = expect_failure(make_evaluator(stub, sleep), "rate_limited")
    assert sleep.calls == [] and len(stub.requests) == 1 and error.retryable


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("20s", 20.0), ("1m30.5s", 90.5), ("120ms", 0.12), ("1h2m", 3720.0), ("soon", None)],
)
def test_wait_phrases(text: str, seconds: float | None) -> None:
    assert parse_wait_seconds(text) == (pytest.approx(seconds) if seconds is not None else None)


def test_a_per_day_limit_is_the_daily_quota_and_not_retried(
    stub: OpenAIStub, sleep: FakeSleep
) -> None:
    stub.script(daily_limit_reply())
    error = expect_failure(make_evaluator(stub, sleep), "daily_quota")
    assert len(stub.requests) == 1 and sleep.calls == []
    assert not error.retryable and "daily request quota" in error.message


def test_an_account_without_credit_is_the_daily_quota(stub: OpenAIStub, sleep: FakeSleep) -> None:
    stub.script(insufficient_quota_reply())
    error = expect_failure(make_evaluator(stub, sleep), "daily_quota")
    assert len(stub.requests) == 1 and not error.retryable
    assert "credit" in error.message


# ---------------------------------------------------------------- servers and transport


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_back_off_then_fail(
    ollama: OpenAIStub, sleep: FakeSleep, status: int
) -> None:
    ollama.script(*[server_error_reply(status)] * 3)
    error = expect_failure(make_evaluator(ollama, sleep), "server")
    assert sleep.calls == [1.25, 2.5] and len(ollama.requests) == 3 and error.retryable


def test_server_error_then_success(vllm: OpenAIStub, sleep: FakeSleep) -> None:
    vllm.script(server_error_reply(500), completion(evaluation_payload()))
    reply = make_evaluator(vllm, sleep).evaluate(QUESTION, GOOD_ANSWER)
    assert reply.assessment.graded_by.endswith("via vLLM") and sleep.calls == [1.25]


def test_max_retries_zero_means_a_single_try(ollama: OpenAIStub, sleep: FakeSleep) -> None:
    ollama.script(server_error_reply(503), completion(evaluation_payload()))
    expect_failure(make_evaluator(ollama, sleep, max_retries=0), "server")
    assert len(ollama.requests) == 1


def test_timeouts_are_retried_then_reported(ollama: OpenAIStub, sleep: FakeSleep) -> None:
    ollama.script(*[slow(completion(evaluation_payload()), 2.0)] * 2)
    evaluator = make_evaluator(ollama, sleep, max_retries=1, timeout_seconds=0.05)
    error = expect_failure(evaluator, "timeout")
    assert len(ollama.requests) == 2 and sleep.calls == [1.25] and error.retryable


def test_an_unreachable_server_is_a_network_fault(sleep: FakeSleep) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    client = build_openai_client(
        base_url=f"http://127.0.0.1:{port}/v1", api_key=None, timeout_seconds=2
    )
    evaluator = OpenAIEvaluator(
        client, model="llama3.1:8b", prompt_version="v1", max_retries=1, sleep=sleep
    )
    with pytest.raises(LlmUnavailable) as caught:
        evaluator.evaluate(QUESTION, GOOD_ANSWER)
    assert caught.value.kind == "network" and caught.value.retryable and len(sleep.calls) == 1


# ---------------------------------------------------------------- configuration and requests


def test_a_wrong_key_is_a_configuration_error(stub: OpenAIStub, sleep: FakeSleep) -> None:
    error = expect_failure(
        make_evaluator(stub, sleep, api_key="sk-wrong-000000000000000000"), "config"
    )
    assert len(stub.requests) == 1 and not error.retryable
    assert "administrator" in error.message


def test_a_model_never_pulled_is_a_configuration_error(
    ollama: OpenAIStub, sleep: FakeSleep
) -> None:
    ollama.script(model_not_found_reply())
    error = expect_failure(make_evaluator(ollama, sleep), "config")
    assert len(ollama.requests) == 1 and not error.retryable


def test_a_prompt_too_long_for_the_server_is_a_bad_request(
    vllm: OpenAIStub, sleep: FakeSleep
) -> None:
    message = (
        "This model's maximum context length is 4096 tokens. However, you requested 4908 tokens "
        "(812 in the messages, 4096 in the completion). Please reduce the length of the messages "
        "or completion."
    )
    body = {
        "object": "error",
        "message": message,
        "type": "BadRequestError",
        "param": None,
        "code": 400,
    }
    vllm.script(StubReply(400, body))
    error = expect_failure(make_evaluator(vllm, sleep), "bad_request")
    assert len(vllm.requests) == 1 and not error.retryable


# ---------------------------------------------------------------- replies


def cut(payload: dict[str, Any], keep: int = 150) -> StubReply:
    import json

    return completion(json.dumps(payload)[:keep], finish_reason="length", completion_tokens=40)


def test_a_reply_cut_at_the_budget_is_retried_once_with_twice_the_budget(
    ollama: OpenAIStub, sleep: FakeSleep
) -> None:
    ollama.script(cut(evaluation_payload()), completion(evaluation_payload()))
    reply = make_evaluator(ollama, sleep).evaluate(QUESTION, GOOD_ANSWER)
    assert [r.body["max_tokens"] for r in ollama.requests] == [4096, 8192]
    assert reply.usage is not None and reply.usage.output_tokens == 40 + 264


def test_cut_twice_is_reported_as_truncated(ollama: OpenAIStub, sleep: FakeSleep) -> None:
    ollama.script(cut(evaluation_payload()), cut(evaluation_payload()))
    error = expect_failure(make_evaluator(ollama, sleep), "truncated")
    assert error.retryable and len(ollama.requests) == 2


def test_a_complete_reply_that_used_the_whole_budget_is_kept(
    ollama: OpenAIStub, sleep: FakeSleep
) -> None:
    ollama.script(completion(evaluation_payload(), finish_reason="length"))
    make_evaluator(ollama, sleep).evaluate(QUESTION, GOOD_ANSWER)
    assert len(ollama.requests) == 1


@pytest.mark.parametrize(
    "reply",
    [
        completion(None, finish_reason="content_filter"),
        completion(None, refusal="I'm sorry, I can't help with grading that."),
    ],
    ids=["content-filter", "refusal"],
)
def test_filters_and_refusals_are_blocked_and_not_retried(
    stub: OpenAIStub, sleep: FakeSleep, reply: StubReply
) -> None:
    stub.script(reply)
    error = expect_failure(make_evaluator(stub, sleep), "blocked")
    assert len(stub.requests) == 1 and not error.retryable and "safety filter" in error.message


def test_a_content_filter_refusing_the_prompt_is_blocked(
    stub: OpenAIStub, sleep: FakeSleep
) -> None:
    message = (
        "The response was filtered due to the prompt triggering Azure OpenAI's content management "
        "policy. Please modify your prompt and retry."
    )
    body = {
        "error": {"message": message, "type": None, "param": "prompt", "code": "content_filter"}
    }
    stub.script(StubReply(400, body))
    expect_failure(make_evaluator(stub, sleep), "blocked")
    assert len(stub.requests) == 1


@pytest.mark.parametrize(
    "replies",
    [
        [completion("I think this answer deserves a 7."), completion("Still no JSON here.")],
        [completion('{"score": 8}'), completion('{"feedback": "ok"}')],
        [completion(""), completion(None)],
    ],
    ids=["prose", "off-schema", "empty"],
)
def test_unreadable_replies_are_retried_once_then_malformed(
    ollama: OpenAIStub, sleep: FakeSleep, replies: list[StubReply]
) -> None:
    ollama.script(*replies)
    error = expect_failure(make_evaluator(ollama, sleep), "malformed")
    assert len(ollama.requests) == 2 and sleep.calls == [] and error.retryable


def test_a_reply_without_choices_is_malformed(vllm: OpenAIStub, sleep: FakeSleep) -> None:
    def no_choices(stub: OpenAIStub, request: Any) -> dict[str, Any]:
        return {
            "id": "chatcmpl-x",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "choices": [],
            "usage": None,
        }

    vllm.script(StubReply(200, no_choices), StubReply(200, no_choices))
    expect_failure(make_evaluator(vllm, sleep), "malformed")


def test_a_page_instead_of_json_is_malformed_or_a_server_fault(
    ollama: OpenAIStub, sleep: FakeSleep
) -> None:
    """A proxy's HTML page where the API should be: never a traceback, never the page's text."""
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    ollama.script(StubReply(200, page), StubReply(502, page), StubReply(502, page))
    error = expect_failure(make_evaluator(ollama, sleep), "server")
    assert "Bad Gateway" not in error.message and len(ollama.requests) == 3
