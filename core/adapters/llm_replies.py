"""A model's JSON replies (any provider) turned into core values: an Assessment for the grading policy, a Question.

Nothing here judges the answer: no caps, no word lists, no score. The one grading policy
(core.domain.grading) verifies the quotes and computes the grade for every provider alike; this
module only maps the model's verdicts onto the question's own key points and rejects replies
too broken to use (ValueError, which the caller counts as a malformed reply).
"""

from __future__ import annotations

from core.adapters.llm_prompt import EvaluationPayload, FollowUpPayload, PointPayload
from core.domain.answer_signals import GradingFlag
from core.domain.grading import Assessment
from core.domain.model import Evidence, PointVerdict, Question, Verdict
from core.domain.text import flat

__all__ = ["assessment_from_payload", "question_from_payload"]

MAX_QUOTE_CHARS = 600  # a longer "quote" is cut with "…": the policy then checks the part kept
MAX_STRENGTHS = 5


def assessment_from_payload(
    payload: EvaluationPayload, question: Question, *, graded_by: str
) -> Assessment:
    """The model's judgement as an Assessment; ValueError when the reply is unusable."""
    feedback = _text(payload.feedback, 1500)
    if not feedback:
        raise ValueError("evaluation without feedback")
    points = _points(payload.points, question.key_points)
    if not points and payload.genuine_attempt:
        raise ValueError("evaluation without a verdict on any key point")
    strengths = tuple(
        Evidence(_text(s.text, 300), _text(s.quote, MAX_QUOTE_CHARS))
        for s in payload.strengths
        if s.text.strip()
    )
    return Assessment(
        points=points,
        feedback=feedback,
        ideal_answer=_text(payload.ideal_answer, 2500),
        depth=payload.depth,
        communication=payload.communication,
        strengths=strengths[:MAX_STRENGTHS],
        tags=tuple(payload.tags),
        graded_by=graded_by,
        # The model may only lower a grade: "not a genuine attempt" is a flag, never a bonus.
        flags=frozenset() if payload.genuine_attempt else frozenset({GradingFlag.NON_ANSWER}),
        claimed_score=payload.score,
    )


def _points(provided: list[PointPayload], key_points: tuple[str, ...]) -> tuple[PointVerdict, ...]:
    """Each verdict on the question's own key point, found by its text, else by its number.

    Verdicts on points the question does not have are dropped, and so is a second verdict on
    the same point; the policy counts the points left without one as missing."""
    rubric = [p for p in key_points if p.strip()]
    if not rubric:  # no written key points: the model derived them from the reference
        return tuple(_verdict(p, p.key_point) for p in provided if p.key_point.strip())
    by_text = {flat(text): index for index, text in enumerate(rubric)}
    chosen: dict[int, PointVerdict] = {}
    for item in provided:
        index = by_text.get(flat(item.key_point))
        if index is None and 1 <= item.number <= len(rubric):
            index = item.number - 1
        if index is not None and index not in chosen:
            chosen[index] = _verdict(item, rubric[index])
    return tuple(chosen[i] for i in sorted(chosen))


def _verdict(item: PointPayload, point: str) -> PointVerdict:
    return PointVerdict(
        point=point, verdict=Verdict(item.verdict), quote=_text(item.quote, MAX_QUOTE_CHARS)
    )


def question_from_payload(payload: FollowUpPayload, original: Question) -> Question:
    """Turn the model's follow-up JSON into a Question; ValueError if it is unusable."""
    text = _text(payload.question, 600)
    reference = _text(payload.reference_answer, 2000)
    key_points = tuple(_text(p, 200) for p in payload.key_points if p.strip())[:5]
    if not text or not reference or not key_points:
        raise ValueError("follow-up without question, reference answer or key points")
    return Question(
        role=original.role,
        difficulty=original.difficulty,
        text=text,
        reference_answer=reference,
        key_points=key_points,
        topics=original.topics,
        hint=_text(payload.hint, 300),
        bank_id=None,
    )


def _text(value: str, limit: int) -> str:
    text = value.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
