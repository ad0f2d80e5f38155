"""Every Gemini fault, through the real SDK and the stub: retries, backoff and the error kind.

Sleep and jitter are injected (jitter 0.5: each backoff is its base times 1.25), so no test waits.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from core.adapters.gemini import (
    MAX_OUTPUT_TOKENS,
    GeminiEvaluator,
    build_gemini_client,
)
from core.domain.errors import LlmUnavailable
from tests.adapters.gemini_stub import (
    GeminiStub,
    bad_api_key_reply,
    blocked_prompt_reply,
    daily_quota_reply,
    invalid_argument_reply,
    json_reply,
    malformed_reply,
    model_not_found_reply,
    permission_denied_reply,
    rate_limited_reply,
    safety_finish_reply,
    server_error_reply,
    slow,
    truncated_reply,
)
from tests.adapters.gemini_support import (
    API_KEY,
    GOOD_ANSWER,
    MODEL,
    QUESTION,
    FakeSleep,
    evaluation_payload,
    expect_failure,
    make_evaluator,
    point,
)


@pytest.fixture
def stub() -> Iterator[GeminiStub]:
    with GeminiStub(api_key=API_KEY) as running:
        yield running


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


# ---------------------------------------------------------------- unusable replies


def test_malformed_json_is_retried_once_then_reported(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(malformed_reply(), json_reply({"score": 8}))  # second: valid JSON, off-schema
    error = expect_failure(make_evaluator(stub, sleep), "malformed")
    assert len(stub.requests) == 2
    assert sleep.calls == []  # not a load problem: no waiting
    assert error.retryable


def test_malformed_then_valid_sums_tokens_of_both(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(malformed_reply(), json_reply(evaluation_payload(), prompt_tokens=800))
    reply = make_evaluator(stub, sleep).evaluate(QUESTION, GOOD_ANSWER)
    assert reply.usage is not None
    assert reply.usage.input_tokens == 812 + 800
    assert reply.usage.output_tokens == 18 + 264


def test_unusable_payload_counts_as_malformed(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(json_reply(evaluation_payload(feedback=" ")), json_reply(evaluation_payload()))
    assert make_evaluator(stub, sleep).evaluate(QUESTION, GOOD_ANSWER).assessment.points
    assert len(stub.requests) == 2


@pytest.mark.parametrize(
    "payload",
    [
        evaluation_payload(points=[point(1, verdict="excellent")]),  # not a verdict
        evaluation_payload(points=[{"number": 1, "verdict": "covered"}]),  # quote missing
        evaluation_payload(depth="deep"),  # not a number
        evaluation_payload(points=[]),  # a genuine attempt with no verdict at all
        {key: value for key, value in evaluation_payload().items() if key != "points"},
    ],
    ids=[
        "unknown-verdict",
        "point-without-quote",
        "depth-not-a-number",
        "no-verdicts",
        "no-points",
    ],
)
def test_off_schema_payloads_end_as_malformed(
    stub: GeminiStub, sleep: FakeSleep, payload: dict[str, Any]
) -> None:
    stub.script(json_reply(payload), json_reply(payload))
    error = expect_failure(make_evaluator(stub, sleep), "malformed")
    assert len(stub.requests) == 2 and error.retryable


def test_truncated_reply_is_retried_with_a_bigger_budget(
    stub: GeminiStub, sleep: FakeSleep
) -> None:
    stub.script(truncated_reply(evaluation_payload()), json_reply(evaluation_payload()))
    make_evaluator(stub, sleep).evaluate(QUESTION, GOOD_ANSWER)
    budgets = [r.generation_config["maxOutputTokens"] for r in stub.requests]
    assert budgets == [MAX_OUTPUT_TOKENS, 2 * MAX_OUTPUT_TOKENS]


def test_truncated_twice_is_reported(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(truncated_reply(evaluation_payload()), truncated_reply(evaluation_payload()))
    expect_failure(make_evaluator(stub, sleep), "truncated")
    assert len(stub.requests) == 2


@pytest.mark.parametrize("reply", [safety_finish_reply(), blocked_prompt_reply()])
def test_blocked_content_is_not_retried(stub: GeminiStub, sleep: FakeSleep, reply: Any) -> None:
    stub.script(reply, json_reply(evaluation_payload()))
    error = expect_failure(make_evaluator(stub, sleep), "blocked")
    assert len(stub.requests) == 1
    assert not error.retryable
    assert "safety filter" in error.message


# ---------------------------------------------------------------- HTTP faults


def test_rate_limit_honours_retry_delay(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(rate_limited_reply("7s"), json_reply(evaluation_payload()))
    make_evaluator(stub, sleep).evaluate(QUESTION, GOOD_ANSWER)
    assert sleep.calls == [7.0]
    assert len(stub.requests) == 2


def test_rate_limit_without_retry_info_backs_off_then_fails(
    stub: GeminiStub, sleep: FakeSleep
) -> None:
    stub.script(*[rate_limited_reply(retry_delay=None)] * 3)
    error = expect_failure(make_evaluator(stub, sleep), "rate_limited")
    assert len(stub.requests) == 3
    assert sleep.calls == [1.25, 2.5]
    assert error.retryable and "try again" in error.message


def test_rate_limit_asking_for_a_long_wait_fails_fast(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(rate_limited_reply("45.5s"))
    expect_failure(make_evaluator(stub, sleep), "rate_limited")
    assert len(stub.requests) == 1 and sleep.calls == []


def test_daily_quota_is_not_retried(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(daily_quota_reply(), json_reply(evaluation_payload()))
    error = expect_failure(make_evaluator(stub, sleep), "daily_quota")
    assert len(stub.requests) == 1 and sleep.calls == []  # despite its RetryInfo detail
    assert not error.retryable
    assert "quota" in error.message


def test_server_errors_back_off_exponentially(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(server_error_reply(503), server_error_reply(500), server_error_reply(503))
    error = expect_failure(make_evaluator(stub, sleep), "server")
    assert len(stub.requests) == 3
    assert sleep.calls == [1.25, 2.5]
    assert error.retryable and "temporarily unavailable" in error.message


def test_server_error_then_success(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(server_error_reply(500), json_reply(evaluation_payload()))
    assert make_evaluator(stub, sleep).evaluate(QUESTION, GOOD_ANSWER).assessment.points
    assert sleep.calls == [1.25]


def test_max_retries_zero_means_a_single_try(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(server_error_reply(503))
    expect_failure(make_evaluator(stub, sleep, max_retries=0), "server")
    assert len(stub.requests) == 1 and sleep.calls == []


def test_timeouts_are_retried_then_reported(stub: GeminiStub, sleep: FakeSleep) -> None:
    late = slow(json_reply(evaluation_payload()), seconds=3)
    stub.script(late, late)
    evaluator = make_evaluator(stub, sleep, max_retries=1, timeout_seconds=0.05)
    error = expect_failure(evaluator, "timeout")
    assert len(stub.requests) == 2
    assert sleep.calls == [1.25]
    assert error.retryable


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (invalid_argument_reply(), "bad_request"),
        (permission_denied_reply(), "config"),
        (model_not_found_reply(), "config"),
        (bad_api_key_reply(), "config"),
    ],
)
def test_client_errors_are_not_retried(
    stub: GeminiStub, sleep: FakeSleep, reply: Any, kind: str
) -> None:
    stub.script(reply, json_reply(evaluation_payload()))
    error = expect_failure(make_evaluator(stub, sleep), kind)
    assert len(stub.requests) == 1 and sleep.calls == []
    assert not error.retryable
    assert "administrator" in error.message


def test_wrong_api_key_is_a_configuration_error(stub: GeminiStub, sleep: FakeSleep) -> None:
    expect_failure(make_evaluator(stub, sleep, api_key="not-the-key"), "config")
    assert [r.api_key_valid for r in stub.requests] == [False]


def test_unreachable_endpoint_is_a_network_fault(sleep: FakeSleep) -> None:
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = build_gemini_client(
        api_key=API_KEY, base_url=f"http://127.0.0.1:{port}", timeout_seconds=1
    )
    evaluator = GeminiEvaluator(
        client, model=MODEL, prompt_version="v1", sleep=sleep, jitter=lambda: 0.0
    )
    with pytest.raises(LlmUnavailable) as caught:
        evaluator.evaluate(QUESTION, GOOD_ANSWER)
    assert caught.value.kind == "network"
    assert sleep.calls == [1.0, 2.0]
