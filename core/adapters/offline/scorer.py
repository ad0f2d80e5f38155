"""The offline scorer: per key point, a verdict and the answer's own words that earn it.

`score_answer` reads the answer (clauses, negation, lists), looks for each key point in one
place of it (core.adapters.offline.matching), and turns what it finds into a verdict with a
short verbatim quote: covered or partial when the point's terms are stated together and in the
same sense, contradicted when the answer says the opposite ("X is not Y", "it is false that …",
a Big-O class the reference contradicts), missing otherwise. Without written key points (the
`evaluate` CLI) they are derived from the reference, clause by clause.

It does not set the score: core.domain.grading computes it from these verdicts, and its caps
handle keyword lists, shuffled words, echoes and the rest, for every provider alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from core.adapters.offline.behavioral import cue_credit, cue_sentence
from core.adapters.offline.complexity import complexity_classes
from core.adapters.offline.keypoints import derive_key_points
from core.adapters.offline.matching import (
    AnswerIndex,
    KeyPoint,
    PointMatch,
    match_point,
    prepare_points,
    recall,
)
from core.adapters.offline.quotes import beyond_question, quote_between, quote_sentence_with
from core.adapters.offline.reading import Reading, is_list, read
from core.adapters.offline.subjects import compared_things, misattributed
from core.adapters.offline.text import content_terms
from core.domain.answer_signals import strongly_negated
from core.domain.model import Verdict
from core.domain.text import fold

__all__ = ["PointResult", "ScoreBreakdown", "score_answer"]

# A point whose weighted terms are 40% present, together and in the same sense, has its idea
# stated: graders give full credit for the idea, not for echoing every word of the reference.
# (Leave-one-set-out tuning on public human-graded sets picks 0.4 in four folds of five.)
SATURATION = 0.4
COVERED = 0.75  # credit from which a point counts as made (the policy's covered band)
PARTIAL = 0.25  # ... and from which partly made (below it, the policy's partial band ends)
GIVEN_ONLY = 0.0  # credit kept by a point found only through one word the question states
CONTRADICTED = 0.4  # share of a point's weight found in an opposing statement
DEPTH_RECALL = 0.3  # share of depth from the whole reference's words, beside the hidden points
DERIVED_POINTS = 7  # at most this many points derived from a reference
EXPECTED_WORDS = 25  # a complete answer needs about this many words, or 60% of the reference's
LIST_REFERENCE_WORDS = 6  # a reference this short is a term or two: a list answers it


@dataclass(frozen=True, slots=True)
class PointResult:
    """One key point's verdict, credit (0–1, within the verdict's band) and evidence."""

    text: str
    verdict: Verdict
    credit: float
    quote: str
    weight: float
    obviousness: float

    @property
    def made(self) -> bool:
        """Covered or partly covered: the point earns credit."""
        return self.verdict in (Verdict.COVERED, Verdict.PARTIAL)


@dataclass(frozen=True, slots=True)
class ScoreBreakdown:
    """What the scorer found: the points, and depth and communication figures (0–10)."""

    points: tuple[PointResult, ...]
    depth: float
    communication: float
    coverage: float  # 0–1, weighted credit of the points
    derived_points: bool
    words: int

    def with_verdict(self, verdict: Verdict) -> tuple[PointResult, ...]:
        """The points that got `verdict`, in rubric order."""
        return tuple(p for p in self.points if p.verdict is verdict)


def score_answer(
    *,
    question: str,
    reference: str,
    answer: str,
    key_points: Sequence[str] = (),
    behavioral: bool = False,
    skip: frozenset[str] = frozenset(),
) -> ScoreBreakdown:
    """Judge `answer` point by point against the key points (derived from the reference if none).

    `skip` holds the folded sentences that must earn nothing (text addressed to the grader);
    `behavioral` also credits rubric lines by the story elements the answer shows."""
    derived = not any(p.strip() for p in key_points)
    texts = (
        derive_key_points(reference, limit=DERIVED_POINTS)
        if derived
        else [p for p in key_points if p.strip()]
    )
    question_terms = _question_terms(question)
    points = prepare_points(texts, question_terms)
    reading = read(answer, skip)
    index = AnswerIndex(reading, lists_expected=_is_short_list(reference))
    matches = [match_point(p, index) for p in points]
    weights = _weights(points, derived)
    wrong_complexity = _contradicts_complexity(reference, answer)
    # Written key points state one claim about one thing; clauses cut from a reference may
    # weave several together, so who they are about is not checked there.
    things = frozenset() if derived else compared_things(question)
    results = []
    for match, weight in zip(matches, weights, strict=True):
        if things and misattributed(match, reading, things):
            result = _misattributed(match, reading, weight)
        else:
            result = _judge(match, reading, weight, wrong_complexity, question, derived)
        if behavioral and result.verdict is not Verdict.CONTRADICTED:
            result = _story_credit(match.point, answer, weight, result)
        results.append(result)
    total = sum(weights) or 1.0
    coverage = sum(r.credit * r.weight for r in results if r.made) / total
    whole = prepare_points([reference], question_terms)
    found = recall(whole[0], index) if whole else coverage
    words = len(answer.split())
    return ScoreBreakdown(
        points=tuple(results),
        depth=_depth(results, found),
        communication=_communication(reading, words, reference),
        coverage=coverage,
        derived_points=derived,
        words=words,
    )


@lru_cache(maxsize=4096)  # functions of the question's texts, asked again for each answer
def _question_terms(question: str) -> frozenset[str]:
    return frozenset(content_terms(question))


@lru_cache(maxsize=4096)
def _is_short_list(reference: str) -> bool:
    """A reference that is itself a term or a list of them ("push and pop")."""
    return len(reference.split()) <= LIST_REFERENCE_WORDS or is_list(reference)


def _weights(points: Sequence[KeyPoint], derived: bool) -> list[float]:
    """Written key points are rubric items of equal standing; derived ones are clauses of
    unequal size, weighed by how much they say, with diminishing returns (within the policy's
    0.25–4 range)."""
    if not derived or not points:
        return [1.0] * len(points)
    mean = sum(p.mass for p in points) / len(points)
    return [min(4.0, max(0.25, math.sqrt(p.mass / mean))) for p in points]


def _judge(
    match: PointMatch,
    reading: Reading,
    weight: float,
    wrong_complexity: frozenset[str],
    question: str,
    derived: bool,
) -> PointResult:
    point = match.point
    base = PointResult(point.text, Verdict.MISSING, 0.0, "", weight, point.obviousness)
    claimed = complexity_classes(point.text)
    if claimed and wrong_complexity and match.evidence:
        quote = quote_sentence_with(reading, wrong_complexity)
        if quote:
            return _replace(base, Verdict.CONTRADICTED, 0.0, quote)
    if match.opposed >= CONTRADICTED and match.opposed > match.coverage and match.against:
        quote = _quote(reading, match.against)
        # A clause cut from a reference may be stated the other way round ("if one is defined,
        # none is created" / "created when none is defined"): there a plain "not" only
        # withholds the credit; an outright denial ("it is false that …") still contradicts.
        if quote and (not derived or strongly_negated(fold(_sentence_of(reading, match.against)))):
            return _replace(base, Verdict.CONTRADICTED, 0.0, quote)
        return base
    if not match.evidence:
        return base
    credit = min(1.0, match.credit / SATURATION)
    if not match.novel and len(match.found) < 2:
        credit *= GIVEN_ONLY  # one of the question's own words: no evidence of knowing
    if credit < PARTIAL:
        return base
    quote = _quote(reading, match.evidence)
    if not beyond_question(quote, question, point.text):
        quote = _quote(reading, match.evidence, wide=True)  # its clauses may say more
    if not beyond_question(quote, question, point.text):
        return base  # nothing beyond the question's own words: no evidence of knowing
    verdict = Verdict.COVERED if credit >= COVERED else Verdict.PARTIAL
    return _replace(base, verdict, round(credit, 3), quote)


def _misattributed(match: PointMatch, reading: Reading, weight: float) -> PointResult:
    """The point's claim made about another of the things compared: it says the opposite."""
    point = match.point
    quote = _quote(reading, match.evidence)
    verdict = Verdict.CONTRADICTED if quote else Verdict.MISSING
    return PointResult(point.text, verdict, 0.0, quote, weight, point.obviousness)


def _sentence_of(reading: Reading, indices: tuple[int, ...]) -> str:
    start, end = reading.sentences[reading.terms[indices[0]].sentence]
    return reading.text[start:end]


def _quote(reading: Reading, indices: tuple[int, ...], *, wide: bool = False) -> str:
    return quote_between(reading, indices[0], indices[-1], frozenset(indices), wide=wide)


def _replace(base: PointResult, verdict: Verdict, credit: float, quote: str) -> PointResult:
    return PointResult(base.text, verdict, credit, quote, base.weight, base.obviousness)


def _story_credit(point: KeyPoint, answer: str, weight: float, result: PointResult) -> PointResult:
    """Behavioral rubric lines are also met by the story's elements, not only by its words."""
    credit = cue_credit(point.text, answer)
    quote = cue_sentence(point.text, answer)
    if credit < max(PARTIAL, result.credit) or not quote:
        return result
    verdict = Verdict.COVERED if credit >= COVERED else Verdict.PARTIAL
    return PointResult(point.text, verdict, round(credit, 3), quote, weight, point.obviousness)


def _contradicts_complexity(reference: str, answer: str) -> frozenset[str]:
    """The Big-O classes the answer claims when the reference states others and none agree."""
    expected = complexity_classes(reference)
    claimed = complexity_classes(answer)
    if expected and claimed and not expected & claimed:
        return claimed
    return frozenset()


def _depth(results: Sequence[PointResult], found: float) -> float:
    """Credit for the points the question does not give away, and for the reference's detail."""
    weights = [(1.2 - r.obviousness) * r.weight for r in results]
    total = sum(weights)
    hidden = (
        sum(w * r.credit for w, r in zip(weights, results, strict=True) if r.made) / total
        if total
        else 0.0
    )
    # Concave: the first ideas show more understanding than the last details.
    return round(10 * math.sqrt((1 - DEPTH_RECALL) * hidden + DEPTH_RECALL * found), 2)


def _communication(reading: Reading, words: int, reference: str) -> float:
    """Sentences of a sensible length read well; fragments and lists less so."""
    if not words or not reading.terms:
        return 0.0
    expected = max(4, min(EXPECTED_WORDS, int(0.6 * len(reference.split()))))
    length = min(1.0, math.sqrt(words / expected))
    listed = sum(1 for o in reading.terms if o.listed) / len(reading.terms)
    structure = 1.0 - 0.5 * listed
    if reading.function_words == 0 and words >= 4:
        structure = min(structure, 0.6)
    return round(10 * length * structure, 2)
