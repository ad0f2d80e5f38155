"""The offline provider's Evaluator and QuestionWriter: deterministic, no key, no network.

`OfflineEvaluator` grades with the key-point scorer; `OfflineQuestionWriter` turns the first gap
of an answer into a "go deeper" follow-up, or probes trade-offs when nothing was missing.
"""

from __future__ import annotations

import re

from core.adapters.offline.feedback import choose_tags, feedback_text, shorten
from core.adapters.offline.keypoints import derive_key_points
from core.adapters.offline.scorer import score_answer
from core.adapters.offline.text import content_terms, tokenize
from core.domain.grading import Assessment
from core.domain.model import Evaluation, Evidence, PointVerdict, Question, Verdict
from core.domain.roles import Role
from core.domain.text import sentences
from core.ports import EvaluatorReply, FollowUpReply

__all__ = ["OfflineEvaluator", "OfflineQuestionWriter"]

SCORER_VERSION = "offline-scorer-2"
MAX_SCORED_CHARS = 20_000  # longer answers are graded on their start: bounds the scoring time
MAX_FOLLOW_UP_POINTS = 3


class OfflineEvaluator:
    """Scores an answer against the question's key points (or its reference answer alone)."""

    provider = "offline"
    english_only = True  # it matches English words; other languages are refused, not guessed
    graded_by = "offline heuristic scorer"

    def __init__(self, prompt_version: str = "v1") -> None:
        # Part of the evaluation cache key: bump SCORER_VERSION whenever scores would change.
        self.prompt_version = f"{SCORER_VERSION}/{prompt_version}"

    def evaluate(self, question: Question, answer: str) -> EvaluatorReply:
        answer = answer[:MAX_SCORED_CHARS]
        breakdown = score_answer(
            question=question.text,
            reference=question.reference_answer,
            answer=answer,
            key_points=question.key_points,
            topics=question.topics,
            behavioral=question.role is Role.BEHAVIORAL,
        )
        points = tuple(
            PointVerdict(
                point=p.text,
                verdict=_verdict(p.credit),
                quote=_quote(answer, p.text) if p.credit >= PARTIAL_CREDIT else "",
                credit=p.credit,
            )
            for p in breakdown.points
        )
        quotes = {p.point: p.quote for p in points}
        assessment = Assessment(
            points=points,
            feedback=feedback_text(breakdown, question, answer),
            ideal_answer=question.reference_answer,
            depth=breakdown.depth,
            communication=breakdown.communication,
            strengths=tuple(
                Evidence(shorten(p), quotes.get(p, "")) for p in breakdown.covered if quotes.get(p)
            ),
            tags=choose_tags(breakdown, question, answer),
            graded_by=self.graded_by,
            claimed_score=breakdown.score,
        )
        return EvaluatorReply(assessment=assessment, usage=None)


PARTIAL_CREDIT = 0.45
COVERED_CREDIT = 0.9


def _verdict(credit: float) -> Verdict:
    if credit >= COVERED_CREDIT:
        return Verdict.COVERED
    return Verdict.PARTIAL if credit >= PARTIAL_CREDIT else Verdict.MISSING


def _quote(answer: str, point: str) -> str:
    """The sentence of the answer that shares the most terms with the point (its evidence)."""
    wanted = {t for tok in tokenize(point) if not tok.stop for t in tok.terms}
    best, best_hits = "", 0
    for sentence in sentences(answer.replace("\n", "\n")):
        text = sentence.text.strip()
        terms = {t for tok in tokenize(text) if not tok.stop for t in tok.terms}
        hits = len(terms & wanted)
        if hits > best_hits:
            best, best_hits = text, hits
    return best


class OfflineQuestionWriter:
    """Builds the follow-up from the first missing key point, deterministically."""

    provider = "offline"

    def follow_up(self, question: Question, answer: str, evaluation: Evaluation) -> FollowUpReply:
        del answer  # the gaps in `evaluation` already say what the answer lacked
        gaps = [g for g in evaluation.missing if g.strip()]
        follow = _gap_question(question, gaps) if gaps else _deeper_question(question)
        return FollowUpReply(question=follow, usage=None)


def _gap_question(question: Question, gaps: list[str]) -> Question:
    first = gaps[0]
    points = [first, *_related(first, gaps[1:], question.text)][:MAX_FOLLOW_UP_POINTS]
    text = f'You did not cover this point: "{shorten(first, 160)}". {_probe(first, question)}'
    reference = " ".join(_sentence(p) for p in points)
    return Question(
        role=question.role,
        difficulty=question.difficulty,
        text=text,
        reference_answer=reference,
        key_points=tuple(points),
        topics=question.topics,
        hint=f"Go back to the original question: {question.text}",
        bank_id=None,
    )


def _deeper_question(question: Question) -> Question:
    subject = _subject(question)
    if question.role is Role.BEHAVIORAL:
        text = (
            "You covered the essentials. Going deeper: what measurable result did it have, "
            "and what would you do differently if it happened again?"
        )
        points = (
            "Gives a measurable result of the actions, with numbers or a clear before and after",
            "Explains what they learned from the situation",
            "Says concretely what they would do differently next time and why",
        )
    else:
        text = (
            f"You covered the essentials of {subject}. Going deeper: what are its main "
            "trade-offs and failure modes, and how would you detect and handle them in production?"
        )
        points = (
            f"Names a concrete trade-off of {subject}: what it costs and when an alternative wins",
            "Describes a realistic failure mode and how it shows up",
            "Explains how to detect or mitigate that failure, e.g. monitoring, limits or fallbacks",
        )
    return Question(
        role=question.role,
        difficulty=question.difficulty,
        text=text,
        reference_answer=" ".join(_sentence(p) for p in points),
        key_points=points,
        topics=question.topics,
        hint="Think about what it costs, when it breaks, and what you would watch for.",
        bank_id=None,
    )


def _related(first: str, others: list[str], question_text: str) -> list[str]:
    """Other gaps that share vocabulary with the first (beyond the question's own words)."""
    given = set(content_terms(question_text))
    core = set(content_terms(first)) - given
    return [g for g in others if len(core & (set(content_terms(g)) - given)) >= 2]


_TRADE_OFF = re.compile(r"trade-?off|cost|overhead|downside|drawback|instead|versus|\bvs\b", re.I)
_FAILURE = re.compile(r"fail|crash|lost|los[es]|risk|break|corrupt|error|attack|leak", re.I)
_COMPLEXITY = re.compile(r"\bO\(|complexity|log ?n|linear|constant time|quadratic", re.I)
_STEPS = re.compile(r"\b(first|then|after|before|steps?|order)\b", re.I)


def _probe(point: str, question: Question) -> str:
    """A question that makes the candidate explain the missing point, not just name it."""
    if question.role is Role.BEHAVIORAL:
        return "Can you walk me through that part of the story: what exactly did you do, and why?"
    if _TRADE_OFF.search(point):
        return "What does it cost, and when would you choose a different approach?"
    if _FAILURE.search(point):
        return "What can go wrong there, and how would you prevent or handle it?"
    if _COMPLEXITY.search(point):
        return "What is the complexity there, and why?"
    if _STEPS.search(point):
        return "Can you walk through it step by step?"
    return "Can you explain it in your own words and say why it matters here?"


def _subject(question: Question) -> str:
    if question.topics:
        return question.topics[0].replace("-", " ")
    points = derive_key_points(question.text, limit=1)
    return f'"{shorten(points[0] if points else question.text, 80)}"'


def _sentence(text: str) -> str:
    text = " ".join(text.split()).rstrip(" ;,")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."
