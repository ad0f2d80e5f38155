"""The Gemini adapter driven through the real google-genai SDK against a loopback stub.

Nothing in the SDK is mocked: requests really leave the SDK as HTTP to 127.0.0.1, and the stub
answers with bodies shaped like Google's. Fault handling is in test_gemini_faults.py.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from core.adapters.gemini import MAX_OUTPUT_TOKENS, model_label
from core.adapters.llm_prompt import EVALUATION_TEMPLATE_VERSION
from core.cli import evaluate_lines
from core.domain.errors import LlmUnavailable
from core.domain.grading import POLICY_VERSION
from core.domain.model import Evaluation, Evidence, Verdict
from core.services.grading import check_language, grade_answer
from tests.adapters.adversarial import fenced
from tests.adapters.gemini_stub import (
    REDACTED,
    GeminiStub,
    daily_quota_reply,
    invalid_argument_reply,
    json_reply,
    server_error_reply,
)
from tests.adapters.gemini_support import (
    API_KEY,
    GOOD_ANSWER,
    GOOD_QUOTES,
    MODEL,
    QUESTION,
    FakeSleep,
    evaluation_payload,
    expect_failure,
    follow_up_payload,
    last_evaluation,
    make_evaluator,
    make_writer,
    point,
)
from tests.unit.test_grading_policy import weighted


@pytest.fixture
def stub() -> Iterator[GeminiStub]:
    with GeminiStub(api_key=API_KEY) as running:
        yield running


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


# ---------------------------------------------------------------- happy path


def test_reply_becomes_an_assessment_with_usage(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(json_reply(evaluation_payload(), prompt_tokens=900, output_tokens=300))

    reply = make_evaluator(stub, sleep).evaluate(QUESTION, GOOD_ANSWER)

    assessment = reply.assessment
    assert [(p.point, p.verdict, p.quote) for p in assessment.points] == [
        (text, Verdict.COVERED, quote)
        for text, quote in zip(QUESTION.key_points, GOOD_QUOTES, strict=True)
    ]
    assert (assessment.depth, assessment.communication) == (7.0, 8.0)
    assert assessment.strengths[0] == Evidence(
        "Explains the B-tree lookup", "seeking instead of scanning"
    )
    assert assessment.graded_by == "Gemini 2.5 Flash"
    assert assessment.claimed_score == 7.5  # recorded, never used
    assert assessment.flags == frozenset()
    assert reply.usage is not None
    assert (reply.usage.model, reply.usage.input_tokens, reply.usage.output_tokens) == (
        MODEL,
        900,
        300,
    )
    assert reply.usage.latency_ms == pytest.approx(250.0)
    assert sleep.calls == []


def test_the_grade_is_computed_by_the_policy(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(json_reply(evaluation_payload(score=2)))
    evaluator = make_evaluator(stub, sleep)

    evaluation, usage = grade_answer(evaluator, QUESTION, GOOD_ANSWER)

    assert evaluation.criteria == {"correctness": 10.0, "depth": 7.0, "communication": 8.0}
    assert evaluation.score == weighted(10, 7, 8)  # whatever the model claimed
    assert evaluation.tags == ("trade-offs", "depth")  # invented tag dropped, repeats removed
    assert [s.text for s in evaluation.strengths] == [
        "Explains the B-tree lookup",
        "Mentions the write cost",
    ]
    assert evaluation.missing == ()
    assert evaluation.feedback.startswith("Solid answer.")
    assert (evaluation.provider, evaluation.graded_by) == ("gemini", "Gemini 2.5 Flash")
    assert evaluation.prompt_version == f"{EVALUATION_TEMPLATE_VERSION}/{MODEL}/v1+{POLICY_VERSION}"
    assert Evaluation.from_dict(evaluation.to_dict()) == evaluation
    assert usage is not None and usage.input_tokens == 812


def test_request_carries_the_verdict_schema_and_prompt_version(
    stub: GeminiStub, sleep: FakeSleep
) -> None:
    stub.script(json_reply(evaluation_payload()))
    make_evaluator(stub, sleep).evaluate(QUESTION, GOOD_ANSWER)

    [request] = stub.requests
    assert request.path == f"/v1beta/models/{MODEL}:generateContent"
    config = request.generation_config
    assert config["responseMimeType"] == "application/json"
    schema = config["responseSchema"]
    assert {"genuine_attempt", "points", "strengths", "depth", "communication", "feedback"} <= set(
        schema["properties"]
    )
    point = schema["properties"]["points"]["items"]
    assert point["properties"]["verdict"]["enum"] == [v.value for v in Verdict]
    assert {"number", "key_point", "verdict", "quote"} <= set(point["required"])
    assert "score" not in schema.get("required", [])  # a claim the grade never uses
    assert config["temperature"] <= 0.2
    assert config["maxOutputTokens"] == MAX_OUTPUT_TOKENS
    assert QUESTION.text in request.prompt_text
    assert QUESTION.reference_answer in request.prompt_text
    assert all(f"{n}. {p}" in request.prompt_text for n, p in enumerate(QUESTION.key_points, 1))
    assert GOOD_ANSWER in request.prompt_text
    assert f"[prompt {EVALUATION_TEMPLATE_VERSION}/{MODEL}/v1]" in request.system_text
    assert "never instructions" in request.system_text


@pytest.mark.parametrize(
    ("model", "label"),
    [
        ("gemini-2.5-flash", "Gemini 2.5 Flash"),
        ("gemini-2.5-pro", "Gemini 2.5 Pro"),
        ("models/gemini-2.0-flash-lite", "Gemini 2.0 Flash Lite"),
        ("gemini-flash-latest", "Gemini Flash Latest"),
    ],
)
def test_graded_by_is_the_model_as_people_write_it(model: str, label: str) -> None:
    assert model_label(model) == label


def test_api_key_goes_in_the_header_and_never_into_logs(
    stub: GeminiStub, sleep: FakeSleep, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the SDK's and the HTTP library's debug logs too
    stub.script(server_error_reply(503), invalid_argument_reply())

    expect_failure(
        make_evaluator(stub, sleep), "bad_request", answer="MARKER-ANSWER " + GOOD_ANSWER
    )

    assert all(r.api_key_valid and r.headers["x-goog-api-key"] == REDACTED for r in stub.requests)
    assert "key=" not in stub.requests[0].path  # not in the query string either
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and "server" in warnings[0].getMessage()
    assert API_KEY not in caplog.text
    assert "MARKER-ANSWER" not in caplog.text


# ---------------------------------------------------------------- verdicts onto the rubric


def test_verdicts_land_on_the_questions_own_points(stub: GeminiStub, sleep: FakeSleep) -> None:
    reply = evaluation_payload(
        points=[
            point(3),
            {
                "number": 1,
                "key_point": "Uses indexes",
                "verdict": "partial",
                "quote": GOOD_QUOTES[0],
            },
            {"number": 9, "key_point": "Mentions hashing", "verdict": "covered", "quote": "x"},
            point(3, verdict="missing"),  # a second verdict on point 3: ignored
        ]
    )
    stub.script(json_reply(reply))

    evaluation, _ = grade_answer(make_evaluator(stub, sleep), QUESTION, GOOD_ANSWER)

    assert [(p.point, p.verdict) for p in evaluation.points] == [
        (QUESTION.key_points[0], Verdict.PARTIAL),  # by number: the text was reworded
        (QUESTION.key_points[1], Verdict.MISSING),  # no verdict given
        (QUESTION.key_points[2], Verdict.COVERED),  # by text, the first verdict on it
    ]


def test_points_are_the_models_own_when_the_question_lists_none(
    stub: GeminiStub, sleep: FakeSleep
) -> None:
    bare = replace(QUESTION, key_points=())
    derived = [
        {
            "number": 1,
            "key_point": "Sorted structure",
            "verdict": "covered",
            "quote": GOOD_QUOTES[0],
        },
        {"number": 2, "key_point": "Write cost", "verdict": "covered", "quote": GOOD_QUOTES[2]},
    ]
    stub.script(json_reply(evaluation_payload(points=derived)))

    evaluation, _ = grade_answer(make_evaluator(stub, sleep), bare, GOOD_ANSWER)

    assert [p.point for p in evaluation.points] == ["Sorted structure", "Write cost"]
    assert "derive 2-5 key points" in stub.requests[0].prompt_text


# ---------------------------------------------------------------- the policy holds for Gemini


def fooled(**overrides: Any) -> dict[str, Any]:
    """A model that fell for the answer: every point covered, top figures, a score of 10."""
    return evaluation_payload(**{"depth": 10, "communication": 10, "score": 10, **overrides})


def test_a_quote_not_in_the_answer_earns_nothing(stub: GeminiStub, sleep: FakeSleep) -> None:
    invented = point(1, quote="a hash index gives O(1) lookups for equality")
    stub.script(json_reply(fooled(points=[invented, point(2), point(3)])))

    evaluation, _ = grade_answer(make_evaluator(stub, sleep), QUESTION, GOOD_ANSWER)

    assert evaluation.points[0].verdict is Verdict.MISSING
    assert evaluation.criteria["correctness"] == pytest.approx(6.7)
    assert "unverified-evidence" in evaluation.flags
    assert evaluation.missing == (QUESTION.key_points[0],)


@pytest.mark.parametrize("figure", [11, 1e308, "NaN", -3])
def test_wild_model_figures_never_make_a_ten(
    stub: GeminiStub, sleep: FakeSleep, figure: float | str
) -> None:
    value = float(figure)
    stub.script(json_reply(fooled(depth=value, communication=value, score=value)))

    evaluation, _ = grade_answer(make_evaluator(stub, sleep), QUESTION, GOOD_ANSWER)

    assert evaluation.score == weighted(10, 0, 0)  # correctness only: figures not trusted
    assert "invalid-model-score" in evaluation.flags


@pytest.mark.parametrize("answer", ["fine", "idk", "", "I don't know, sorry"])
def test_non_answers_score_nothing_whatever_the_model_says(
    stub: GeminiStub, sleep: FakeSleep, answer: str
) -> None:
    quoting = [point(n, quote=answer or "x") for n in (1, 2, 3)]
    stub.script(
        json_reply(fooled(points=quoting, strengths=[{"text": "Concise", "quote": answer}]))
    )
    evaluation, _ = grade_answer(make_evaluator(stub, sleep), QUESTION, answer)
    assert evaluation.score <= 1.0
    assert evaluation.strengths == ()


def test_the_model_saying_no_genuine_attempt_lowers_the_grade(
    stub: GeminiStub, sleep: FakeSleep
) -> None:
    stub.script(json_reply(evaluation_payload(genuine_attempt=False, points=[])))
    evaluation, _ = grade_answer(make_evaluator(stub, sleep), QUESTION, GOOD_ANSWER)
    assert evaluation.score == 0.0 and evaluation.strengths == ()
    assert "non-answer" in evaluation.flags


def test_a_short_off_topic_answer_scores_low(stub: GeminiStub, sleep: FakeSleep) -> None:
    answer = "My favourite football club won yesterday evening after extra time."
    stub.script(json_reply(fooled(points=[point(n, quote=answer) for n in (1, 2, 3)], tags=[])))
    evaluation, _ = grade_answer(make_evaluator(stub, sleep), QUESTION, answer)
    assert evaluation.score <= 1.0
    assert evaluation.strengths == ()
    assert evaluation.tags == ("relevance",)


def test_an_answer_in_spanish_is_graded_not_refused_or_capped(
    stub: GeminiStub, sleep: FakeSleep
) -> None:
    answer = (
        "Un índice es un árbol B ordenado que permite a la base de datos encontrar filas sin "
        "recorrer toda la tabla. Lo añado para columnas selectivas usadas en filtros y joins; "
        "el coste es que las escrituras son más lentas y ocupa espacio."
    )
    quotes = [
        "un árbol B ordenado",
        "columnas selectivas usadas en filtros",
        "escrituras son más lentas",
    ]
    stub.script(
        json_reply(evaluation_payload(points=[point(n, quote=q) for n, q in enumerate(quotes, 1)]))
    )
    evaluator = make_evaluator(stub, sleep)

    check_language(evaluator, answer)  # Gemini reads Spanish: nothing is refused
    evaluation, _ = grade_answer(evaluator, QUESTION, answer)

    assert evaluation.score == weighted(10, 7, 8) and evaluation.flags == ()


def test_evaluate_command_prints_who_graded_and_the_evidence(
    stub: GeminiStub, sleep: FakeSleep
) -> None:
    invented = point(2, quote="partial indexes on hot rows")  # not in the answer
    stub.script(json_reply(evaluation_payload(points=[point(1), invented, point(3)])))
    record = {
        "question": QUESTION.text,
        "reference": QUESTION.reference_answer,
        "key_points": list(QUESTION.key_points),
        "answer": GOOD_ANSWER,
    }
    out = io.StringIO()

    assert evaluate_lines(make_evaluator(stub, sleep), [json.dumps(record)], out) == 0

    result = json.loads(out.getvalue())
    assert result["graded_by"] == "Gemini 2.5 Flash"
    assert [(p["verdict"], p["quote"]) for p in result["points"]] == [
        ("covered", GOOD_QUOTES[0]),
        ("missing", ""),
        ("covered", GOOD_QUOTES[2]),
    ]


# ---------------------------------------------------------------- follow-up writer


def test_follow_up_probes_the_gaps(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(json_reply(follow_up_payload(), prompt_tokens=500, output_tokens=120))

    reply = make_writer(stub, sleep).follow_up(QUESTION, GOOD_ANSWER, last_evaluation())

    follow_up = reply.question
    assert follow_up.text.startswith("How does column order matter")
    assert (follow_up.role, follow_up.difficulty) == (QUESTION.role, QUESTION.difficulty)
    assert follow_up.key_points == ("leftmost-prefix rule", "range predicates stop later columns")
    assert follow_up.hint and follow_up.reference_answer and follow_up.bank_id is None
    assert reply.usage is not None and reply.usage.input_tokens == 500
    [request] = stub.requests
    assert fenced(request.prompt_text, "gaps") == "- Composite index column order"
    assert fenced(request.prompt_text, "candidate_answer") == GOOD_ANSWER
    assert "properties" in request.generation_config["responseSchema"]


def test_follow_up_shares_the_fault_handling(stub: GeminiStub, sleep: FakeSleep) -> None:
    stub.script(server_error_reply(503), daily_quota_reply())
    with pytest.raises(LlmUnavailable) as caught:
        make_writer(stub, sleep).follow_up(QUESTION, GOOD_ANSWER, last_evaluation())
    assert caught.value.kind == "daily_quota"
    assert len(stub.requests) == 2 and sleep.calls == [1.25]
