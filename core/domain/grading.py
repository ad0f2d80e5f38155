"""The grading policy: one set of rules and numbers, applied once to every provider's judgement.

A provider (the offline scorer, Gemini, any LLM) returns an `Assessment`: per key point a
verdict and the words of the answer that earn it, plus feedback. `grade` then decides, in code:

- credit only with evidence: a quote the answer does not contain, that only restates the
  question, or that sits in text addressed to the grader earns nothing;
- a quoted claim under "it is false that …" contradicts the key point; a flipped negation right
  before it makes it partial at most;
- the score is computed from the verdicts and the criteria, never taken from the provider;
- the answer-level checks (core.domain.answer_signals) cap it: empty, filler, off-topic,
  echoing the question, too short, keyword lists, shuffled words, requests for marks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from core.domain.answer_signals import (
    AnswerReading,
    GradingFlag,
    negation_count,
    read_answer,
    strongly_negated,
)
from core.domain.language import FUNCTION_WORDS
from core.domain.model import Evaluation, Evidence, PointVerdict, Question, Verdict
from core.domain.tags import normalise_tags
from core.domain.text import content_words, flat, fold, words
from core.domain.text import stem as stem_word

__all__ = [
    "CAPS",
    "POLICY_VERSION",
    "Assessment",
    "GradingFlag",
    "grade",
]

# Part of the evaluation cache key: bump it whenever a rule or a number below changes.
POLICY_VERSION = "policy-3"

# The most an answer may score when a check fires (0–10). One table for every provider.
CAPS: Mapping[GradingFlag, float] = {
    GradingFlag.EMPTY: 0.0,
    GradingFlag.NON_ANSWER: 0.0,
    GradingFlag.OFF_TOPIC: 1.0,
    GradingFlag.ECHOES_QUESTION: 1.5,
    GradingFlag.KEYWORD_DUMP: 2.5,
    GradingFlag.WORD_SALAD: 2.5,
    GradingFlag.TOO_SHORT: 3.0,
    GradingFlag.ASKS_FOR_MARKS: 5.0,
    GradingFlag.ADDRESSES_GRADER: 5.0,
}
# Credit per verdict: (lowest, highest, default when the provider gives no figure).
BANDS: Mapping[Verdict, tuple[float, float, float]] = {
    Verdict.COVERED: (0.75, 1.0, 1.0),
    Verdict.PARTIAL: (0.25, 0.75, 0.5),
    Verdict.MISSING: (0.0, 0.0, 0.0),
    Verdict.CONTRADICTED: (0.0, 0.0, 0.0),
}
CONTRADICTION_PENALTY = 0.5  # a contradicted point also takes away half its weight
W_CORRECTNESS, W_DEPTH, W_COMMUNICATION = 0.8, 0.1, 0.1
REPEATED_COMMUNICATION_CAP = 3.0
WEIGHT_RANGE = (0.25, 4.0)
NEGATION_REACH = 3  # words before a quote that a "not" there still negates
MAX_STRENGTHS = 5

NOTES: Mapping[GradingFlag, str] = {
    GradingFlag.EMPTY: "No answer was given.",
    GradingFlag.NON_ANSWER: "This is not an attempt at the question: say what you do know.",
    GradingFlag.OFF_TOPIC: "This answer does not address the question asked.",
    GradingFlag.ECHOES_QUESTION: "The answer restates the question without explaining anything.",
    GradingFlag.TOO_SHORT: "A word or two is not enough here: explain the idea in sentences.",
    GradingFlag.KEYWORD_DUMP: (
        "A list of keywords is not an explanation: write sentences that connect the ideas."
    ),
    GradingFlag.WORD_SALAD: "The words are not in an order that makes sentences.",
    GradingFlag.REPEATED_TEXT: "Repeating the same text adds nothing: say each point once.",
    GradingFlag.ASKS_FOR_MARKS: "Requests for marks were ignored: only the explanation counts.",
    GradingFlag.ADDRESSES_GRADER: "Text addressed to the grader was ignored.",
    GradingFlag.NEGATES_KEY_POINTS: "Some statements deny a key point; they earned nothing.",
    GradingFlag.UNVERIFIED_EVIDENCE: (
        "Some credit was withdrawn: the words cited for it are not in your answer."
    ),
}
FLAG_TAGS: Mapping[GradingFlag, tuple[str, ...]] = {
    GradingFlag.EMPTY: ("fundamentals", "completeness"),
    GradingFlag.NON_ANSWER: ("fundamentals", "completeness"),
    GradingFlag.OFF_TOPIC: ("relevance",),
    GradingFlag.ECHOES_QUESTION: ("relevance", "fundamentals"),
    GradingFlag.TOO_SHORT: ("depth", "communication"),
    GradingFlag.KEYWORD_DUMP: ("communication",),
    GradingFlag.WORD_SALAD: ("communication",),
    GradingFlag.NEGATES_KEY_POINTS: ("correctness",),
}
# The checks that read English words and grammar. An answer in another language reaches the
# policy only through a provider that reads it (the offline scorer refuses it before grading);
# these checks would misread it as off topic or as a list of words, so its verdicts decide.
ENGLISH_READINGS = frozenset(
    {GradingFlag.OFF_TOPIC, GradingFlag.KEYWORD_DUMP, GradingFlag.WORD_SALAD}
)
# Distinct function words of the other language needed to believe the guess: a stray "a" or
# "as" in a list of English terms ("a/b", "llm-as-a-judge") does not make it Portuguese.
MIN_FOREIGN_FUNCTION_WORDS = 4
_ELLIPSIS = re.compile(r"\.\.\.+|…")
_FULL_STOP = re.compile(r"[.!?](?=\s)|\n")  # ends a sentence; a semicolon does not
_CLAUSE_BREAK = re.compile(
    r"[,;:()]|\b(?:because|but|while|whereas|although|though|since|so|and|or|which|when|if)\b"
)


@dataclass(frozen=True, slots=True)
class Assessment:
    """A provider's judgement of one answer, before the policy: claims, each with its evidence."""

    points: tuple[PointVerdict, ...]
    feedback: str
    ideal_answer: str
    depth: float | None = None  # 0–10; None: follows correctness
    communication: float | None = None  # 0–10; None: follows correctness
    strengths: tuple[Evidence, ...] = ()
    tags: tuple[str, ...] = ()
    graded_by: str = ""
    flags: frozenset[GradingFlag] = field(default_factory=frozenset)  # only ever lower a grade
    claimed_score: float | None = None  # what the provider said overall: recorded, never used


def grade(
    question: Question,
    answer: str,
    assessment: Assessment,
    *,
    provider: str,
    prompt_version: str,
    reading: AnswerReading | None = None,
) -> Evaluation:
    """The evaluation of `answer`: verified evidence, a score computed here, every cap applied."""
    reading = reading or read_answer(
        answer,
        question=question.text,
        reference=question.reference_answer,
        key_points=question.key_points,
    )
    english = _reads_as_english(reading)
    flags = set(reading.flags if english else reading.flags - ENGLISH_READINGS)
    flags |= assessment.flags
    checker = _EvidenceChecker(reading, question.text)
    points = [checker.check(p) for p in _align(question.key_points, assessment.points)]
    flags |= checker.flags
    coverage = _coverage(points)
    ceiling = 10 * min(1.0, 2 * coverage)  # form and depth count only alongside substance
    correctness = 10 * coverage
    depth = min(_figure(assessment.depth, correctness, flags), ceiling)
    communication = min(_figure(assessment.communication, correctness, flags), ceiling)
    if GradingFlag.REPEATED_TEXT in flags:
        communication = min(communication, REPEATED_COMMUNICATION_CAP)
    score = W_CORRECTNESS * correctness + W_DEPTH * depth + W_COMMUNICATION * communication
    cap = min((CAPS[f] for f in flags if f in CAPS), default=10.0)
    criteria = {
        "correctness": _round(min(correctness, cap)),
        "depth": _round(min(depth, cap)),
        "communication": _round(min(communication, cap)),
    }
    strengths = tuple(
        s for s in assessment.strengths if s.text.strip() and checker.verified(s.quote)
    )
    return Evaluation(
        score=_round(min(score, cap)),
        feedback=_feedback(assessment.feedback, flags),
        ideal_answer=assessment.ideal_answer.strip() or question.reference_answer,
        tags=_tags(assessment.tags, flags, points),
        criteria=criteria,
        strengths=strengths[:MAX_STRENGTHS] if cap > CAPS[GradingFlag.TOO_SHORT] else (),
        missing=tuple(p.point for p in points if p.verdict is not Verdict.COVERED),
        provider=provider,
        prompt_version=prompt_version,
        points=tuple(points),
        graded_by=assessment.graded_by,
        flags=tuple(sorted(flags)),
    )


class _EvidenceChecker:
    """Holds quotes to the answer: present, more than the question, not aimed at the grader."""

    def __init__(self, reading: AnswerReading, question: str) -> None:
        self.reading = reading
        self.answer = reading.folded.replace("\n", " ")
        self.question_stems = question_stems(question)
        self.flags: set[GradingFlag] = set()

    def locate(self, quote: str) -> tuple[int, int] | None:
        """Where the quote's words are in the answer (fragments around "…" in order), or None."""
        found = self.fragments(quote)
        return (found[0][0], found[-1][1]) if found else None

    def fragments(self, quote: str, point: str | None = None) -> list[tuple[int, int]]:
        """Where each fragment of the quote is, in order; empty unless all are found and the
        quote says more than the question (when the point does), outside text aimed at the
        grader."""
        fragments = [f.strip(" \"'.,;:") for f in _ELLIPSIS.split(flat(quote))]
        fragments = [f for f in fragments if f]
        spans: list[tuple[int, int]] = []
        position = -1
        for fragment in fragments:
            found = self.answer.find(fragment, position + 1)
            if found < 0:
                return []
            position = found + len(fragment)
            spans.append((found, position))
        asked = self.question_stems
        if (
            not spans
            or not is_evidence(quote, asked, point)
            or self.reading.aimed_at_grader_at(spans[0][0], position)
        ):
            return []
        return spans

    def verified(self, quote: str) -> bool:
        return bool(quote.strip()) and self.locate(quote) is not None

    def check(self, point: PointVerdict) -> PointVerdict:
        if point.verdict not in (Verdict.COVERED, Verdict.PARTIAL):
            return replace(point, quote="" if point.verdict is Verdict.MISSING else point.quote)
        spans = self.fragments(point.quote, point.point) if point.quote.strip() else []
        if not spans:
            self.flags.add(GradingFlag.UNVERIFIED_EVIDENCE)
            return replace(point, verdict=Verdict.MISSING, quote="", credit=None)
        point_text = fold(point.point)
        claims = {self._sentence(start) for start, _ in spans}
        # "It is false that A; B" denies B as well: a denial earlier in the same full sentence
        # governs the quote even past the semicolons that split it into parts.
        folded = self.reading.folded
        claims |= {folded[_sentence_start(folded, start) : start] for start, _ in spans}
        if any(strongly_negated(c) for c in claims) and not strongly_negated(point_text):
            self.flags.add(GradingFlag.NEGATES_KEY_POINTS)
            return replace(point, verdict=Verdict.CONTRADICTED, credit=None)
        scoped = " ".join(self._scoped(start, end) for start, end in spans)
        if (negation_count(scoped) > 0) != (negation_count(point_text) > 0):
            # A "not" the key point does not have (or the reverse): at most partly made, or a
            # paraphrase. Presence, not parity: "cannot …, so it cannot …" still says "not".
            return replace(point, verdict=Verdict.PARTIAL, credit=BANDS[Verdict.PARTIAL][0])
        return point

    def _sentence(self, offset: int) -> str:
        sentence = self.reading.sentence_at(offset)
        return sentence.text if sentence else self.answer

    def _scoped(self, start: int, end: int) -> str:
        """A quoted fragment with the words that can negate it: the few before it in its clause.

        A "never" in the sentence before, in "they do not touch because …", or in text a "…"
        left out between two fragments says nothing about the words quoted."""
        sentence = self.reading.sentence_at(start)
        opening = self.answer[sentence.start if sentence else 0 : start]
        if _CLAUSE_BREAK.match(self.answer, start):  # the quote opens a clause of its own
            opening = ""
        before = _CLAUSE_BREAK.split(opening)[-1].split()[-NEGATION_REACH:]
        return " ".join([*before, self.answer[start:end]])


def is_evidence(quote: str, question_stems: frozenset[str] | set[str], point: str | None) -> bool:
    """Whether a quote shows knowledge: it says something the question does not give away.

    A point that itself goes no further than the question's words ("the penny is harder" when
    the question is about a penny and a nickel's hardness) is made by words the question has:
    then the quote need not go further either (echoing the whole question is caught apart)."""
    if any(stem_word(w) not in question_stems for w in content_words(quote)):
        return True
    return point is not None and all(stem_word(w) in question_stems for w in content_words(point))


def question_stems(question: str) -> frozenset[str]:
    return frozenset(stem_word(w) for w in content_words(question))


def _reads_as_english(reading: AnswerReading) -> bool:
    """Whether the English-reading checks apply: the answer is English, or too little else."""
    if reading.language in ("", "en"):
        return True
    vocabulary = FUNCTION_WORDS.get(reading.language)
    if vocabulary is None:  # another script: told from its letters, not from a few words
        return False
    return len(vocabulary & set(words(reading.folded))) < MIN_FOREIGN_FUNCTION_WORDS


def _sentence_start(folded: str, offset: int) -> int:
    ends = [m.end() for m in _FULL_STOP.finditer(folded, 0, offset)]
    return ends[-1] if ends else 0


def _align(key_points: Iterable[str], provided: tuple[PointVerdict, ...]) -> list[PointVerdict]:
    """The question's own key points, each with the provider's verdict on it (missing if none).

    Points the provider invented are ignored; a provider that paraphrased a point's wording is
    matched by position when it returned one verdict per point."""
    rubric = [p for p in key_points if p.strip()]
    if not rubric:  # no written key points: the provider derived them from the reference
        return [p for p in provided if p.point.strip()]
    by_text = {flat(p.point): p for p in provided}
    same_shape = len(provided) == len(rubric)
    aligned = []
    for index, text in enumerate(rubric):
        found = by_text.get(flat(text)) or (provided[index] if same_shape else None)
        aligned.append(replace(found, point=text) if found else PointVerdict(text, Verdict.MISSING))
    return aligned


def _coverage(points: list[PointVerdict]) -> float:
    """Weighted credit of the points, less a penalty for each contradicted one (0–1)."""
    weights = [_weight(p.weight) for p in points]
    total = sum(weights)
    if not total:
        return 0.0
    earned = 0.0
    for point, weight in zip(points, weights, strict=True):
        low, high, default = BANDS[point.verdict]
        credit = point.credit if point.credit is not None and math.isfinite(point.credit) else None
        earned += weight * min(high, max(low, default if credit is None else credit))
        if point.verdict is Verdict.CONTRADICTED:
            earned -= weight * CONTRADICTION_PENALTY
    return min(1.0, max(0.0, earned / total))


def _weight(value: float) -> float:
    if not math.isfinite(value):
        return 1.0
    return min(WEIGHT_RANGE[1], max(WEIGHT_RANGE[0], value))


def _figure(value: float | None, default: float, flags: set[GradingFlag]) -> float:
    """A provider's 0–10 figure; a non-finite or out-of-range one is not trusted at all."""
    if value is None:
        return default
    if not math.isfinite(value) or not 0.0 <= value <= 10.0:
        flags.add(GradingFlag.INVALID_MODEL_SCORE)
        return 0.0
    return value


def _feedback(text: str, flags: set[GradingFlag]) -> str:
    notes = [NOTES[f] for f in GradingFlag if f in flags and f in NOTES]
    body = text.strip()
    return " ".join([*notes, body] if _limits_grade(flags) else [body, *notes]).strip()


def _limits_grade(flags: set[GradingFlag]) -> bool:
    return any(f in CAPS and CAPS[f] <= CAPS[GradingFlag.TOO_SHORT] for f in flags)


def _tags(
    provided: Iterable[str], flags: set[GradingFlag], points: list[PointVerdict]
) -> tuple[str, ...]:
    wanted = [t for f in GradingFlag if f in flags for t in FLAG_TAGS.get(f, ())]
    if any(p.verdict is Verdict.CONTRADICTED for p in points):
        wanted.append("correctness")
    return normalise_tags([*wanted, *provided], limit=3)


def _round(value: float) -> float:
    return round(min(10.0, max(0.0, value)) + 1e-9, 1)
