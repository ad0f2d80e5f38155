"""The offline answer scorer: key-point coverage with partial credit, plus honest penalties.

`score_answer` grades one answer against a reference answer and (optionally) written key points.
Without key points (the `evaluate` CLI) they are derived from the reference, clause by clause.
The score is deterministic, needs no model or network, and takes about a millisecond.

How the overall score is built, and why:
- correctness is the weighted share of the key points' terms the answer covers (paraphrases
  count through stems, synonyms and misspelling tolerance), bent concavely because graders give
  most of the credit for the core idea and less for each further detail;
- depth rewards the points the question does not give away, and detail within reason;
- communication looks at form (sentences rather than a keyword dump, a sensible length), and
  counts only alongside substance: a fluent paragraph on another topic communicates nothing;
- penalties cap the score for empty, non-answers, off-topic text and restating the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.adapters.offline.behavioral import CUE_CREDIT, STORY_WORDS, cue_credit, missing_cues
from core.adapters.offline.keypoints import (
    AnswerIndex,
    KeyPointMatch,
    derive_key_points,
    match_key_point,
    prepare_key_points,
)
from core.adapters.offline.signals import (
    AnswerShape,
    answer_shape,
    complexity_classes,
    is_non_answer,
)
from core.adapters.offline.text import TermIndex, content_terms, tokenize

__all__ = ["COVERED", "PARTIAL", "PointResult", "ScoreBreakdown", "score_answer"]

# A point whose weighted terms are this much present has its idea stated: graders give full
# credit for the idea, not for echoing every word of the reference's wording.
SATURATION = 0.45
COVERED = 0.9  # a point whose credit reaches this counts as covered
PARTIAL = 0.45  # ... and from this as partly covered
# correctness = 10 * (1 - (1 - credit)**CURVE): graders give most of the marks for the first half
# of the content, yet a stray matching word (credit near 0) is not amplified as a root would.
CURVE = 2.0
# How the per-point credits become one figure. With written key points (interview questions) the
# rubric is the points themselves; derived points are just the reference's clauses, so the whole
# reference and the single best-covered point count more (graders reward the core idea).
GIVEN = {"best": 0.1, "whole": 0.25}
DERIVED = {"best": 0.25, "whole": 0.5}
# Blend of the criteria into the overall score; correctness dominates, as it does for graders.
W_CORRECTNESS, W_DEPTH, W_COMMUNICATION = 0.8, 0.12, 0.08
CAP_OFF_TOPIC = 1.0  # shares nothing with the question material
CAP_COPY = 1.0  # restates the question and adds nothing
CAP_TOO_SHORT = 2.5  # a word or two where the reference needs sentences
ON_TOPIC_FLOOR = 1.5  # engaged with the question's subject but missed every key point
WRONG_COMPLEXITY = 0.5  # credit kept when the answer claims a Big-O the reference contradicts
# A long answer mostly about something else (a memorised paragraph on another topic) has its
# credit scaled down: below this share of on-topic terms, proportionally, to at most half.
ON_TOPIC_SHARE = 0.35
LONG_ANSWER_TERMS = 20


@dataclass(frozen=True, slots=True)
class PointResult:
    text: str
    coverage: float  # 0–1, weighted share of the point's terms found in the answer
    credit: float  # 0–1, coverage scaled so that stating the idea earns full credit
    obviousness: float  # 0–1, how much of the point the question itself states

    @property
    def covered(self) -> bool:
        return self.credit >= COVERED

    @property
    def partial(self) -> bool:
        return PARTIAL <= self.credit < COVERED


@dataclass(frozen=True, slots=True)
class ScoreBreakdown:
    score: float  # 0–10, one decimal
    correctness: float  # 0–10
    depth: float  # 0–10
    communication: float  # 0–10
    coverage: float  # 0–1, the combined key-point credit that correctness is built on
    points: tuple[PointResult, ...]
    flags: frozenset[str]  # empty, non-answer, off-topic, copies-question, too-short, ...
    derived_points: bool  # key points came from splitting the reference
    word_count: int

    @property
    def covered(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.points if p.covered)

    @property
    def partial(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.points if p.partial)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.points if not p.covered)

    @property
    def trivial(self) -> bool:
        """No real attempt: nothing here deserves praise."""
        return bool(self.flags & {"empty", "non-answer", "off-topic", "copies-question"})

    @property
    def criteria(self) -> dict[str, float]:
        return {
            "correctness": self.correctness,
            "depth": self.depth,
            "communication": self.communication,
        }


def score_answer(
    *,
    question: str,
    reference: str,
    answer: str,
    key_points: Sequence[str] = (),
    topics: Sequence[str] = (),
    behavioral: bool = False,
) -> ScoreBreakdown:
    """Grade `answer` against the reference (and key points, derived when not given).

    `behavioral` grades key points as rubric lines about the story (situation, actions,
    measurable result, reflection) as well as by their words.
    """
    derived = not any(p.strip() for p in key_points)
    point_texts = derive_key_points(reference) if derived else [p for p in key_points if p.strip()]
    question_terms = frozenset(content_terms(question))
    points = prepare_key_points(point_texts, question_terms)
    tokens = tokenize(answer)
    shape = answer_shape(answer, tokens)

    if not answer.strip() or shape.content_words == 0 or is_non_answer(answer, shape):
        flag = "empty" if not answer.strip() else "non-answer"
        results = tuple(PointResult(p.text, 0.0, 0.0, p.obviousness) for p in points)
        return ScoreBreakdown(
            0.0, 0.0, 0.0, 0.0, 0.0, results, frozenset({flag}), derived, shape.words
        )

    index = AnswerIndex(tokens)
    matches = [match_key_point(p, index) for p in points]
    credits = [_credit(m.coverage, m.point.mass) for m in matches]
    whole = prepare_key_points([reference], question_terms)
    whole_credit = (
        _credit(match_key_point(whole[0], index).coverage, whole[0].mass) if whole else None
    )
    if behavioral:
        credits, whole_credit = _story_credits(matches, credits, whole_credit, answer)
    credit = _combined_credit(matches, credits, whole_credit, derived)
    if _contradicts_complexity(reference, point_texts, answer):
        credit *= WRONG_COMPLEXITY

    material = (
        question_terms
        | {t for p in points for t in p.terms}
        | set(content_terms(reference))
        | set(content_terms(" ".join(topics).replace("-", " ")))
    )
    if len(index.sequence) >= LONG_ANSWER_TERMS:
        share = sum(1 for t in index.sequence if t in material) / len(index.sequence)
        credit *= 0.5 + 0.5 * min(1.0, share / ON_TOPIC_SHARE)
    flags = _flags(index, shape, material, question_terms, credit, matches)

    correctness = 10 * _curve(credit)
    depth = _depth(matches, credits, index, credit)
    expected_words = min(25, int(0.6 * len(reference.split())))
    communication = 10 * shape.form_quality(expected_words)
    # Form earns credit only alongside substance: a fluent paragraph on another topic is no answer.
    form = communication * min(1.0, 2 * credit)
    score = W_CORRECTNESS * correctness + W_DEPTH * depth + W_COMMUNICATION * form
    # Report what the score used: a clear answer to another question communicates nothing.
    communication = form
    if "on-topic" in flags:
        score = max(score, ON_TOPIC_FLOOR)
    cap = _cap(flags)
    if cap < 10:
        score, correctness, depth = min(score, cap), min(correctness, cap), min(depth, cap)
        communication = min(communication, max(cap, 2.0))
    return ScoreBreakdown(
        score=_round(score),
        correctness=_round(correctness),
        depth=_round(depth),
        communication=_round(communication),
        coverage=round(credit, 3),
        points=tuple(_result(m, c) for m, c in zip(matches, credits, strict=True)),
        flags=frozenset(flags),
        derived_points=derived,
        word_count=shape.words,
    )


def _result(match: KeyPointMatch, credit: float) -> PointResult:
    point = match.point
    return PointResult(point.text, round(match.coverage, 3), round(credit, 3), point.obviousness)


def _credit(coverage: float, mass: float) -> float:
    """Coverage to credit. Small points need more of their words: half of "unlimited number" is
    just "number"; half of a ten-word point is its idea."""
    saturation = SATURATION + (1 - SATURATION) / max(1.0, mass)
    return min(1.0, coverage / saturation)


def _contradicts_complexity(reference: str, points: Sequence[str], answer: str) -> bool:
    """The answer states a Big-O class, the reference states others, and none of them agree."""
    expected = complexity_classes(" ".join([reference, *points]))
    claimed = complexity_classes(answer)
    return bool(expected and claimed and not expected & claimed)


def _story_credits(
    matches: Sequence[KeyPointMatch], credits: list[float], whole: float | None, answer: str
) -> tuple[list[float], float | None]:
    """Behavioral rubric lines are also met by the story's elements, not only by its words."""
    credits = [
        max(c, cue_credit(m.point.text, answer)) for c, m in zip(credits, matches, strict=True)
    ]
    if whole is not None:
        # The model story shares few words with the candidate's: judge it by its elements too.
        told = min(1.0, len(answer.split()) / STORY_WORDS)
        whole = max(whole, CUE_CREDIT * told * (1 - len(missing_cues(answer)) / 4))
    return credits, whole


def _combined_credit(
    matches: Sequence[KeyPointMatch],
    credits: Sequence[float],
    whole: float | None,
    derived: bool,
) -> float:
    """One 0–1 figure: mean point credit, the best single point, and the whole reference."""
    if not matches:
        return whole or 0.0
    mix = DERIVED if derived else GIVEN
    # Derived points are clauses of unequal size, so weigh them by content; written key points
    # are rubric items of equal standing.
    weights = [m.point.mass if derived else 1.0 for m in matches]
    mean = sum(c * w for c, w in zip(credits, weights, strict=True)) / sum(weights)
    points = (1 - mix["best"]) * mean + mix["best"] * max(credits)
    if whole is None:
        return points
    return (1 - mix["whole"]) * points + mix["whole"] * whole


def _flags(
    index: AnswerIndex,
    shape: AnswerShape,
    material: set[str] | frozenset[str],
    question_terms: frozenset[str],
    credit: float,
    matches: Sequence[KeyPointMatch],
) -> set[str]:
    flags: set[str] = set()
    answer_terms = index.sequence
    lookup = TermIndex(material)
    shared = [t for t in answer_terms if t in material or lookup.misspellings(t)]
    on_topic_share = len(shared) / len(answer_terms) if answer_terms else 0.0
    beyond_question = [t for t in answer_terms if t not in question_terms]
    # Coverage earned by terms the question does not contain: the part that shows knowledge.
    earned = max((_earned(m, question_terms) for m in matches), default=0.0)
    if not shared or (on_topic_share < 0.1 and credit < 0.1):
        flags.add("off-topic")
    elif len(beyond_question) <= len(answer_terms) // 5 and earned < 0.15:
        flags.add("copies-question")
    elif credit < 0.2:
        flags.add("on-topic")
    reference_size = sum(len(m.point.terms) for m in matches)
    if shape.content_words <= 2 and reference_size >= 10 and credit < 0.5:
        flags.add("too-short")
    if shape.keyword_dump:
        flags.add("keyword-dump")
    if shape.rambling:
        flags.add("rambling")
    return flags


def _earned(match: KeyPointMatch, question_terms: frozenset[str]) -> float:
    point = match.point
    novel = [
        (t, w) for t, w in zip(point.terms, point.weights, strict=True) if t not in question_terms
    ]
    if not novel:
        return match.coverage
    total = sum(w for _, w in novel)
    matched = set(match.matched)
    return sum(w for t, w in novel if t in matched) / total if total else 0.0


def _depth(
    matches: Sequence[KeyPointMatch], credits: Sequence[float], index: AnswerIndex, credit: float
) -> float:
    """Credit for the less obvious points (weighted away from what the question states) + detail."""
    weights = [(1.2 - m.point.obviousness) * m.point.mass for m in matches]
    total = sum(weights)
    hidden = sum(w * c for w, c in zip(weights, credits, strict=True)) / total if total else credit
    expected = max(4, int(0.6 * sum(len(m.point.terms) for m in matches)))
    detail = min(1.0, len(index.terms) / expected)
    return 10 * (0.8 * _curve(hidden) + 0.2 * detail * min(1.0, 2 * credit))


def _curve(credit: float) -> float:
    return 1 - (1 - credit) ** CURVE


def _cap(flags: set[str]) -> float:
    if "off-topic" in flags:
        return CAP_OFF_TOPIC
    if "copies-question" in flags:
        return CAP_COPY
    if "too-short" in flags:
        return CAP_TOO_SHORT
    return 10.0


def _round(value: float) -> float:
    return round(min(10.0, max(0.0, value)) + 1e-9, 1)
