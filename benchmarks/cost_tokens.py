"""Prompt and reply sizes of the real LLM templates, for benchmarks/cost.py.

Every shipped-bank question goes through the ports' own request builders (LlmEvaluator.evaluate
and LlmQuestionWriter.follow_up, core.adapters.llm_ports): the request is captured where a
provider would send it. Input = system instruction + prompt + the JSON response schema (Gemini
receives it in the request config). The reply is a representative, schema-valid payload built
from the question: one verdict per key point quoting about 20 words, two strengths, three
sentences of feedback, the reference answer as the ideal answer. Characters become tokens at
4 per token (Google's rule of thumb, https://ai.google.dev/gemini-api/docs/tokens): an ESTIMATE,
as google-genai's local tokenizer needs sentencepiece and a model download.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from typing import Any, NoReturn

from core.adapters.llm_ports import LlmEvaluator, LlmQuestionWriter, LlmRequest
from core.adapters.llm_prompt import EvaluationPayload, FollowUpPayload
from core.adapters.offline.bank import ShippedQuestionBank
from core.domain.model import Evaluation, Question
from core.domain.roles import Difficulty, Role

CHARS_PER_TOKEN = 4.0
FEEDBACK = (
    "You explain the main mechanism clearly and give a concrete example. Say when this "
    "approach stops working and what it costs at scale. Mention how you would measure it."
)


class _Captured(Exception):
    def __init__(self, request: LlmRequest) -> None:
        self.request = request


class _Recorder(LlmEvaluator, LlmQuestionWriter):
    """A port that stops at the wire: the request as a provider would receive it."""

    provider = "gemini"
    prompt_version = "cost/gemini-2.5-flash/v1"

    @property
    def graded_by(self) -> str:
        return "recorder"

    def generate(self, request: LlmRequest, accept: Callable[[Any], Any]) -> NoReturn:
        raise _Captured(request)

    def budget(self, purpose: str, count: int = 0) -> int:
        return 8192


def _sent(call: Callable[[], object]) -> int:
    """Characters sent: system instruction, prompt and response schema."""
    try:
        call()
    except _Captured as captured:
        request = captured.request
        schema = json.dumps(request.schema.model_json_schema())
        return len(request.system_instruction) + len(request.prompt) + len(schema)
    raise AssertionError("the port sent nothing")


def _reply(question: Question) -> str:
    words = question.reference_answer.split()
    quote = " ".join(words[:20])
    points = [
        {"number": n, "key_point": point, "verdict": "covered", "quote": quote}
        for n, point in enumerate(question.key_points or ("the main idea",), start=1)
    ]
    payload = EvaluationPayload.model_validate(
        {
            "genuine_attempt": True,
            "points": points,
            "strengths": [{"text": "Names the mechanism", "quote": " ".join(words[:8])}] * 2,
            "depth": 6,
            "communication": 7,
            "feedback": FEEDBACK,
            "ideal_answer": question.reference_answer,
            "tags": ["depth", "trade-offs"],
            "score": 6.5,
        }
    )
    return payload.model_dump_json()


def _follow_up_reply(question: Question) -> str:
    return FollowUpPayload(
        question=f"Going further: {question.text}",
        reference_answer=question.reference_answer,
        key_points=list(question.key_points[:2]),
        hint=question.hint or "Think about what happens under load.",
    ).model_dump_json()


def token_estimates() -> dict[str, float]:
    """Mean estimated tokens per grading and per follow-up request, in and out."""
    bank, port = ShippedQuestionBank(), _Recorder()
    questions = [q for r in Role for d in Difficulty for q in bank.pool(r, d)]
    evaluation = Evaluation(
        score=6.0,
        feedback=FEEDBACK,
        ideal_answer="",
        tags=("depth",),
        criteria={"correctness": 6.0, "depth": 5.0, "communication": 7.0},
        missing=("how it behaves at scale",),
    )
    sizes: dict[str, list[int]] = {k: [] for k in ("ev_in", "ev_out", "fu_in", "fu_out")}
    for question in questions:
        answer = question.reference_answer  # an answer of the length a good one has
        sizes["ev_in"].append(_sent(lambda q=question, a=answer: port.evaluate(q, a)))
        sizes["ev_out"].append(len(_reply(question)))
        sizes["fu_in"].append(_sent(lambda q=question, a=answer: port.follow_up(q, a, evaluation)))
        sizes["fu_out"].append(len(_follow_up_reply(question)))
    mean = {k: statistics.fmean(v) / CHARS_PER_TOKEN for k, v in sizes.items()}
    return {
        "questions": float(len(questions)),
        "evaluation_in": mean["ev_in"],
        "evaluation_out": mean["ev_out"],
        "follow_up_in": mean["fu_in"],
        "follow_up_out": mean["fu_out"],
    }
