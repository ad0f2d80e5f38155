"""Factories for the OpenAI-compatible adapter tests (the question and payloads are Gemini's)."""

from __future__ import annotations

import pytest

from core.adapters.openai_llm import OpenAIEvaluator, OpenAIQuestionWriter, build_openai_client
from core.domain.errors import LlmUnavailable
from tests.adapters.gemini_support import GOOD_ANSWER, QUESTION, FakeClock, FakeSleep
from tests.adapters.openai_stub import OpenAIStub

OPENAI_KEY = "sk-stub-0123456789abcdefXYZ"
MODELS = {"openai": "gpt-4o-mini", "ollama": "llama3.1:8b", "vllm": "Qwen/Qwen2.5-7B-Instruct"}
LABELS = {
    "openai": "gpt-4o-mini",
    "ollama": "llama3.1:8b via Ollama",
    "vllm": "Qwen/Qwen2.5-7B-Instruct via vLLM",
}


def stub_for(flavour: str, **options: object) -> OpenAIStub:
    """OpenAI checks its key; the local servers (Ollama, vLLM without --api-key) check none."""
    key = OPENAI_KEY if flavour == "openai" else None
    return OpenAIStub(flavour=flavour, api_key=key, **options)  # type: ignore[arg-type]


def make_evaluator(
    stub: OpenAIStub,
    sleep: FakeSleep,
    *,
    model: str | None = None,
    max_retries: int = 2,
    timeout_seconds: float = 5.0,
    api_key: str | None = "from-stub",
) -> OpenAIEvaluator:
    key = stub.api_key if api_key == "from-stub" else api_key
    client = build_openai_client(
        base_url=stub.base_url, api_key=key, timeout_seconds=timeout_seconds
    )
    return OpenAIEvaluator(
        client,
        model=model or MODELS[stub.flavour],
        prompt_version="v1",
        max_retries=max_retries,
        sleep=sleep,
        clock=FakeClock(),
        jitter=lambda: 0.5,  # backoff = base * 1.25
    )


def make_writer(stub: OpenAIStub, sleep: FakeSleep) -> OpenAIQuestionWriter:
    client = build_openai_client(base_url=stub.base_url, api_key=stub.api_key, timeout_seconds=5)
    return OpenAIQuestionWriter(
        client, model=MODELS[stub.flavour], prompt_version="v1", sleep=sleep, jitter=lambda: 0.5
    )


def expect_failure(
    evaluator: OpenAIEvaluator, kind: str, answer: str = GOOD_ANSWER
) -> LlmUnavailable:
    with pytest.raises(LlmUnavailable) as caught:
        evaluator.evaluate(QUESTION, answer)
    error = caught.value
    assert error.kind == kind
    for raw in ("{", "rate_limit_exceeded", "insufficient_quota", "Error code", OPENAI_KEY):
        assert raw not in error.message  # a sentence for the candidate, never the API's text
    return error
