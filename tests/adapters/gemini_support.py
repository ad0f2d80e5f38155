"""Shared material for the Gemini adapter tests: a question, model payloads, fakes, factories."""

from __future__ import annotations

from typing import Any

import pytest

from core.adapters.gemini import GeminiEvaluator, GeminiQuestionWriter, build_gemini_client
from core.domain.errors import LlmUnavailable
from core.domain.model import Evaluation, Question
from core.domain.roles import Difficulty, Role
from tests.adapters.gemini_stub import GeminiStub

MODEL = "gemini-2.5-flash"
API_KEY = "stub-secret-key-9f8e7d6c5b4a"
GOOD_ANSWER = (
    "An index is a separate B-tree kept sorted on the indexed columns, so the database can find "
    "rows by seeking instead of scanning the whole table. I add one for columns used in WHERE "
    "and JOIN conditions with high selectivity; the cost is slower writes and extra storage."
)
QUESTION = Question(
    role=Role.BACKEND,
    difficulty=Difficulty.MEDIUM,
    text="What is a database index, and when would you add one?",
    reference_answer=(
        "An index is an auxiliary sorted structure (usually a B-tree) that lets the database "
        "locate rows without a full table scan. Add one for selective columns used in filters, "
        "joins and ordering; every index slows down writes and takes storage."
    ),
    key_points=(
        "B-tree lookup instead of full scan",
        "selective filter/join columns",
        "write cost",
    ),
    topics=("databases",),
)


# Verbatim from GOOD_ANSWER, one per key point of QUESTION.
GOOD_QUOTES = (
    "a separate B-tree kept sorted on the indexed columns, so the database can find rows by "
    "seeking instead of scanning the whole table",
    "columns used in WHERE and JOIN conditions with high selectivity",
    "the cost is slower writes and extra storage",
)


def point(number: int, verdict: str = "covered", quote: str | None = None) -> dict[str, Any]:
    """One verdict on QUESTION's key point `number` (1-based), quoting GOOD_ANSWER by default."""
    if quote is None:
        quote = GOOD_QUOTES[number - 1] if verdict in ("covered", "partial") else ""
    return {
        "number": number,
        "key_point": QUESTION.key_points[number - 1],
        "verdict": verdict,
        "quote": quote,
    }


def evaluation_payload(**overrides: Any) -> dict[str, Any]:
    """A reply for GOOD_ANSWER: every point covered with a true quote, as a good model gives."""
    payload: dict[str, Any] = {
        "genuine_attempt": True,
        "points": [point(1), point(2), point(3)],
        "strengths": [
            {"text": "Explains the B-tree lookup", "quote": "seeking instead of scanning"},
            {"text": "Mentions the write cost", "quote": "slower writes and extra storage"},
        ],
        "depth": 7,
        "communication": 8,
        "feedback": "Solid answer. Go further on composite indexes and column order.",
        "ideal_answer": "An index is a sorted auxiliary structure ...",
        "tags": ["Trade Offs", "indexing-basics", "depth", "depth"],
        "score": 7.5,
    }
    payload.update(overrides)
    return payload


def follow_up_payload() -> dict[str, Any]:
    return {
        "question": "How does column order matter in a composite index on (country, city)?",
        "reference_answer": "The index is sorted by country first, so it serves filters on ...",
        "key_points": ["leftmost-prefix rule", "range predicates stop later columns"],
        "hint": "Think about how a phone book is sorted.",
    }


class FakeSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class FakeClock:
    """Each reading moves 250 ms forward: a call measured start-to-end takes 250 ms."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        self.now += 0.25
        return self.now


def make_evaluator(
    stub: GeminiStub,
    sleep: FakeSleep,
    *,
    max_retries: int = 2,
    timeout_seconds: float = 5.0,
    api_key: str = API_KEY,
) -> GeminiEvaluator:
    client = build_gemini_client(
        api_key=api_key, base_url=stub.base_url, timeout_seconds=timeout_seconds
    )
    return GeminiEvaluator(
        client,
        model=MODEL,
        prompt_version="v1",
        max_retries=max_retries,
        sleep=sleep,
        clock=FakeClock(),
        jitter=lambda: 0.5,  # backoff = base * 1.25
    )


def expect_failure(
    evaluator: GeminiEvaluator, kind: str, answer: str = GOOD_ANSWER
) -> LlmUnavailable:
    with pytest.raises(LlmUnavailable) as caught:
        evaluator.evaluate(QUESTION, answer)
    error = caught.value
    assert error.kind == kind
    assert "{" not in error.message and "RESOURCE_EXHAUSTED" not in error.message  # no raw API text
    assert API_KEY not in error.message
    return error


def make_writer(stub: GeminiStub, sleep: FakeSleep) -> GeminiQuestionWriter:
    client = build_gemini_client(api_key=API_KEY, base_url=stub.base_url, timeout_seconds=5)
    return GeminiQuestionWriter(
        client, model=MODEL, prompt_version="v1", max_retries=2, sleep=sleep, jitter=lambda: 0.5
    )


def last_evaluation() -> Evaluation:
    return Evaluation(
        score=6.0,
        feedback="Good start.",
        ideal_answer="...",
        tags=("depth",),
        criteria={"correctness": 7.0, "depth": 5.0, "communication": 6.0},
        missing=("Composite index column order",),
    )
