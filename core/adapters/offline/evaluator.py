"""The offline provider's Evaluator: deterministic, no key, no network.

`OfflineEvaluator` judges an answer point by point (core.adapters.offline.scorer) and returns
an Assessment: a verdict per key point with the answer's own words as evidence, feedback that
shows that evidence, and strengths only where there is a quote. The grading policy
(core.domain.grading) then checks the quotes and computes the score, as for any provider.
`OfflineQuestionWriter` (core.adapters.offline.followup) writes the "go deeper" follow-ups.
"""

from __future__ import annotations

from core.adapters.offline.followup import OfflineQuestionWriter
from core.domain.answer_signals import GradingFlag, read_answer
from core.domain.grading import Assessment
from core.domain.model import PointVerdict, Question, Verdict
from core.domain.roles import Role
from core.ports import EvaluatorReply

__all__ = ["OfflineEvaluator", "OfflineQuestionWriter"]

SCORER_VERSION = "offline-scorer-3"
MAX_SCORED_CHARS = 20_000  # longer answers are graded on their start: bounds the scoring time


class OfflineEvaluator:
    """Judges an answer against the question's key points (or its reference answer alone)."""

    provider = "offline"
    english_only = True  # it matches English words; other languages are refused, not guessed
    graded_by = "offline heuristic scorer"

    def __init__(self, prompt_version: str = "v1") -> None:
        # Part of the evaluation cache key: bump SCORER_VERSION whenever verdicts would change.
        self.prompt_version = f"{SCORER_VERSION}/{prompt_version}"

    def evaluate(self, question: Question, answer: str) -> EvaluatorReply:
        """Verdicts with quotes, feedback and strengths for one answer (no score: the policy's)."""
        # The scorer and its word tables load with the first answer scored: building the core
        # (a health check, a page, a Slack ack) never needs them.
        from core.adapters.offline.feedback import choose_tags, feedback_text, strengths
        from core.adapters.offline.scorer import score_answer

        answer = answer[:MAX_SCORED_CHARS]
        reading = read_answer(
            answer,
            question=question.text,
            reference=question.reference_answer,
            key_points=question.key_points,
        )
        # Text addressed to the grader earns nothing, whatever words it contains.
        skip = frozenset(" ".join(s.text.split()) for s in reading.aimed_at_grader)
        breakdown = score_answer(
            question=question.text,
            reference=question.reference_answer,
            answer=answer,
            key_points=question.key_points,
            behavioral=question.role is Role.BEHAVIORAL,
            skip=skip,
        )
        points = tuple(
            PointVerdict(
                point=p.text,
                verdict=p.verdict,
                quote=p.quote,
                credit=p.credit if p.made else None,
                weight=p.weight,
            )
            for p in breakdown.points
        )
        contradicted = any(p.verdict is Verdict.CONTRADICTED for p in breakdown.points)
        assessment = Assessment(
            points=points,
            feedback=feedback_text(breakdown, question, answer, reading.flags),
            ideal_answer=question.reference_answer,
            depth=breakdown.depth,
            communication=breakdown.communication,
            strengths=strengths(breakdown),
            tags=choose_tags(breakdown, question, answer),
            graded_by=self.graded_by,
            flags=frozenset({GradingFlag.NEGATES_KEY_POINTS} if contradicted else ()),
        )
        return EvaluatorReply(assessment=assessment, usage=None)
