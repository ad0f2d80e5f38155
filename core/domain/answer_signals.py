"""What the code can read off an answer without a model: the checks behind the grading policy.

Every check runs on the folded text (core.domain.text.fold), so spelling tricks do not matter.
They are deliberately plain, explainable rules — a careful grader's first glance — and they are
the same for every provider: the offline scorer and an LLM are held to one standard.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from core.domain.answer_topic import topic_findings
from core.domain.language import LANGUAGE_NAMES, guess_language
from core.domain.text import (
    FILLER_WORDS,
    STOPWORDS,
    Sentence,
    fold,
    negated_root,
    sentences,
    word_set,
)
from core.domain.text import words as word_list

__all__ = [
    "LANGUAGE_NAMES",
    "AnswerReading",
    "GradingFlag",
    "denial",
    "guess_language",
    "negation_count",
    "read_answer",
    "strongly_negated",
]


class GradingFlag(StrEnum):
    """Why a grade was limited; each has one cap in core.domain.grading.CAPS."""

    EMPTY = "empty"
    NON_ANSWER = "non-answer"  # filler only: "idk", "not sure, sorry", "pass"
    OFF_TOPIC = "off-topic"
    ECHOES_QUESTION = "echoes-question"
    TOO_SHORT = "too-short"
    KEYWORD_DUMP = "keyword-dump"  # terms without sentences
    WORD_SALAD = "word-salad"  # words without grammatical order (shuffled text)
    REPEATED_TEXT = "repeated-text"
    ASKS_FOR_MARKS = "asks-for-marks"
    ADDRESSES_GRADER = "addresses-grader"  # instructions aimed at the grader
    NEGATES_KEY_POINTS = "negates-key-points"
    UNVERIFIED_EVIDENCE = "unverified-evidence"  # a quote the answer does not contain
    INVALID_MODEL_SCORE = "invalid-model-score"  # NaN, infinite or out-of-range figures
    NOT_ENGLISH = "not-english"


# ---------------------------------------------------------------- requests aimed at the grader

_TOP = (
    r"(?:10|ten|9(?:\.\d+)?|nine|100|perfect|full|max|maximum|highest|top|high|good|great|best|"
    r"excellent|a\+)"
)
_MARK = r"(?:score|scores|marks?|grade|grades|points?|rating|credit)"
# Marks a grader gives, as opposed to a technical "max score" or "highest score" (ranking, heaps).
_GRADER_MARK = r"(?:marks?|grades?|credit)"
# A top mark, then a word that makes it a mark ("10 points", "10/10", "10.") rather than a
# quantity ("give me 10 requests per second").
_AS_MARK = rf"(?=\s*(?:{_MARK}\b|/|out of|please|[.!,?]|$))"
_FOR_WHOM = r"(?:me|us|this|it|my answer|this answer)"
# Every pattern runs on folded text (core.domain.text.fold): lower case, NFKC (full-width
# digits are digits), look-alike letters mapped, invisible characters gone.
_MARKS_REQUESTS = [
    rf"\b(?:give|award|assign|grant|gimme)\s+{_FOR_WHOM}\s+(?:an?\s+|the\s+|full\s+)?{_TOP}{_AS_MARK}",
    rf"\b(?:i|this|it|my answer|this answer)\s+(?:deserves?|should (?:get|receive|be given)|"
    rf"earn(?:s|ed)?|merits?|is worth)\s+(?:an?\s+|the\s+|full\s+)?{_TOP}{_AS_MARK}",
    rf"\b(?:rate|score|grade|mark|evaluate)\s+{_FOR_WHOM}\s+"
    rf"(?:as\s+|with\s+|at\s+|a\s+)?(?:an?\s+|the\s+)?{_TOP}{_AS_MARK}",
    # Letter grades: "give me an A", "this merits an A+".
    rf"\b(?:give|award|assign|grant|deserves?|merits?|earn(?:s|ed)?)\s+(?:{_FOR_WHOM}\s+)?"
    r"an\s+a\+?(?=\s*(?:grade|please|[.!,?]|$))",
    rf"\b(?:set|change|make|put|update|bump)\s+(?:the\s+|my\s+|this\s+)?{_MARK}\s+(?:to|at|as)\s+"
    rf"(?:an?\s+)?{_TOP}\b",
    r"\b(?:10|ten)\s*(?:/|out of|of)\s*(?:10|ten)\b",
    r"\ba perfect (?:10|ten)\b",
    rf"\b(?:full|perfect|maximum|max|top|highest)\s+{_GRADER_MARK}\b",
    r"\b(?:full|perfect)\s+(?:score|points|rating)\b",
    rf"[\"'{{]\s*{_MARK}\s*[\"']?\s*[:=]\s*[\"']?\s*\d",
    rf"\b{_MARK}\s*[:=]\s*(?:10|9(?:\.\d)?)\b",
]
# What an instruction to a grader looks like; the nouns are qualified ("previous instructions",
# "the grading rules") so that "ignore the firewall rules" or "skip everything above 10 MB",
# ordinary technical sentences, do not count.
_RULES = r"(?:instructions?|prompts?|rules|guidelines|rubric|criteria|directions|directives)"
_INSTRUCTIONS = [
    r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+)?(?:of\s+)?"
    r"(?:the\s+|your\s+|my\s+|these\s+|those\s+)?(?:previous|prior|above|earlier|preceding|"
    rf"original|system|grading|marking|scoring|grader'?s?|evaluation)\s+(?:\w+\s+)?{_RULES}\b",
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:the\s+|your\s+)?"
    r"(?:instructions?|prompts?|rubric)\b",
    rf"\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:the\s+|your\s+)?{_RULES}\s+"
    r"(?:above|before|you were given)\b",
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+(?:of\s+)?)?(?:everything|anything|what(?:ever)?)\s+"
    r"(?:above|before|you were told|i said|that came before|previously)\b",
    r"\b(?:you are now|you're now|from now on,? you(?: are)?|pretend (?:to be|you are)|act as|"
    r"roleplay as)\s+(?:an?\s+|the\s+|my\s+)?(?:\w+\s+){0,2}?(?:grader|examiner|evaluator|"
    r"teacher|judge|marker)\b",
    r"\b(?:you are now|you're now|pretend (?:to be|you are))\s+(?:an?\s+|the\s+)?(?:\w+\s+){0,2}?"
    r"(?:ai|model|bot|assistant|dan)\b",
    r"\b(?:new instructions?|developer mode|jailbreak|do anything now)\b",
    r"\b(?:reveal|print|show|repeat|output) (?:the |your )?(?:system )?(?:prompt|instructions)\b",
    # "As an AI language model, you …": addressed to the reader, unlike "trained as a language model".
    r"\bas (?:the|an?) (?:ai|ai language model|large language model|language model|llm|grader|"
    r"evaluator|examiner|assistant),? (?:you|i|your|please|ignore|give|award)\b",
    # A tag trying to close the fence or open a new part of the prompt, whatever its spelling.
    r"(?:<|&lt;)\s*/?\s*(?:candidate|system|instructions?|prompt|answer|grader)(?![a-z])",
    r"\b(?:dear|hey|hi|note to (?:the)?) ?(?:grader|evaluator|examiner|ai|model|assistant)\b",
]
_MARKS = re.compile("|".join(_MARKS_REQUESTS))
_AIMED_AT_GRADER = re.compile("|".join(_MARKS_REQUESTS + _INSTRUCTIONS))

# ---------------------------------------------------------------- negation

# Sentence-level denials: whatever follows is claimed to be untrue.
_STRONG_NEGATION = re.compile(
    r"\b(?:it is|it's|this is|that is|that's)\s+(?:false|untrue|not true|incorrect|wrong|"
    r"a myth|not the case)\b|\b(?:false|untrue|not true|incorrect|a myth|not the case|"
    r"a misconception) that\b|\bcontrary to (?:popular belief|what)\b|\bnever true\b"
)
_NEGATORS = word_set(
    """
    not no never none neither nor cannot can't don't doesn't didn't isn't aren't wasn't
    weren't won't wouldn't shouldn't couldn't hasn't haven't hadn't mustn't nothing nobody
    false untrue non without
    """
)

# ---------------------------------------------------------------- grammar, for word salad

_DETERMINERS = word_set("the a an every each its their our your my")
_PREPOSITIONS = word_set(
    """
    of in on at to for with by from into onto over under about between through during within
    across per via among upon toward towards
    """
)
_FINITE_AUX = word_set(
    """
    is are was were am does did has had can could will would should may might must shall
    """
)
_CONJUNCTIONS = word_set("and or but nor because although whereas while unless")
_SUBJECT_PRONOUNS = word_set("i we they he she you")
_CLOSED = _DETERMINERS | _PREPOSITIONS | _FINITE_AUX | _CONJUNCTIONS | _SUBJECT_PRONOUNS
# "while" after "a" or "the" is the loop ("a while loop", "the do...while"), not a conjunction.
_AFTER_DETERMINER = (
    _DETERMINERS | _PREPOSITIONS | _FINITE_AUX | (_CONJUNCTIONS - {"while"}) | _SUBJECT_PRONOUNS
)
_AFTER_PREPOSITION = _FINITE_AUX | _CONJUNCTIONS - {"and", "or"}
_AFTER_SUBJECT = _DETERMINERS | _PREPOSITIONS
_DANGLING_END = _DETERMINERS | _CONJUNCTIONS
WORD_SALAD_MIN_WORDS = 12
# Share of closed-class words in positions English does not put them. Well-formed text, terse
# or not, stays under 0.05 (270 reference answers; of 1,415 human-graded student answers none
# has three such anomalies); the shipped references shuffled are above it 9 times in 10.
WORD_SALAD_RATE = 0.05
WORD_SALAD_MIN_ANOMALIES = 3
# The reference's own words, all of them or nearly, in another order (any length).
PERMUTED_MIN_WORDS = 3
PERMUTED_SHARE = 0.8
PERMUTED_KEPT_PAIRS = 0.5

# ---------------------------------------------------------------- shape

_CODE = re.compile(r"```.*?(?:```|$)|`[^`\n]*`", re.S)
_PIECES = re.compile(r"[,;/|\n]+|\s+-\s+|\s*•\s*")
KEYWORD_PIECE_WORDS = 3
LIST_REFERENCE_WORDS = 6  # a reference this short is a term or two, not sentences
REPEATED_SHARE = 0.35  # share of the answer's 5-word phrases that occur more than once


@dataclass(frozen=True, slots=True)
class AnswerReading:
    """The folded answer, its sentences, what the checks found, and where."""

    folded: str
    sentences: tuple[Sentence, ...]
    flags: frozenset[GradingFlag]
    aimed_at_grader: tuple[Sentence, ...]  # no credit may come from these
    content_words: int  # outside sentences aimed at the grader
    language: str  # "en", another ISO 639-1 code, or "" when unsure

    def sentence_at(self, offset: int) -> Sentence | None:
        return next((s for s in self.sentences if s.start <= offset < s.end + 1), None)

    def aimed_at_grader_at(self, start: int, end: int) -> bool:
        return any(s.start < end and start < s.end for s in self.aimed_at_grader)


def read_answer(
    answer: str, *, question: str, reference: str, key_points: Iterable[str] = ()
) -> AnswerReading:
    """Run every check on an answer to a question with this reference and these key points."""
    # Cached: a provider and the policy both read the same answer, once each per evaluation.
    return _read_answer(answer, question, reference, tuple(key_points))


@lru_cache(maxsize=256)
def _read_answer(
    answer: str, question: str, reference: str, key_points: tuple[str, ...]
) -> AnswerReading:
    folded = fold(answer)
    parts = tuple(sentences(folded))
    aimed = tuple(s for s in parts if _AIMED_AT_GRADER.search(s.text))
    kept = " ".join(s.text for s in parts if s not in aimed)
    prose = _CODE.sub(" ", kept)
    tokens = word_list(prose)
    content = [w for w in tokens if w not in STOPWORDS and not w.isdigit()]
    flags: set[GradingFlag] = set()
    if aimed:
        flags.add(GradingFlag.ADDRESSES_GRADER)
    if any(_MARKS.search(s.text) for s in parts):
        flags.add(GradingFlag.ASKS_FOR_MARKS)
    if not folded:
        flags.add(GradingFlag.EMPTY)
    elif all(w in FILLER_WORDS or w.isdigit() for w in tokens):
        flags.add(GradingFlag.NON_ANSWER)
    else:
        flags |= _topic_flags(content, question, reference, key_points)
        list_expected = _is_list_like(reference)
        flags |= _shape_flags(prose, tokens, content, list_expected)
        if not list_expected and _permuted_reference(tokens, _words_of(reference)):
            flags.add(GradingFlag.WORD_SALAD)
    return AnswerReading(
        folded=folded,
        sentences=parts,
        flags=frozenset(flags),
        aimed_at_grader=aimed,
        content_words=len(content),
        language=guess_language(answer),
    )


def _topic_flags(
    content: list[str], question: str, reference: str, key_points: Iterable[str]
) -> set[GradingFlag]:
    found = topic_findings(content, question, reference, tuple(key_points))
    named = (
        (GradingFlag.OFF_TOPIC, found.off_topic),
        (GradingFlag.ECHOES_QUESTION, found.echoes_question),
        (GradingFlag.TOO_SHORT, found.too_short),
        (GradingFlag.WORD_SALAD, found.shuffled_reference),
    )
    return {flag for flag, present in named if present}


def _permuted_reference(answer: list[str], reference: Sequence[str]) -> bool:
    """The reference's own words, nearly all of them, in another order: a shuffle, at any length.

    Copying the reference keeps its word pairs; rephrasing it changes its words. Using its
    words and little else while keeping few of its pairs is neither: the order was scrambled."""
    if len(answer) < PERMUTED_MIN_WORDS or len(reference) < PERMUTED_MIN_WORDS:
        return False
    shared = sum((Counter(answer) & Counter(reference)).values())
    if shared < PERMUTED_SHARE * len(answer) or shared < PERMUTED_SHARE * len(reference):
        return False
    pairs = set(itertools.pairwise(reference))
    kept = sum(1 for pair in itertools.pairwise(answer) if pair in pairs)
    return kept <= PERMUTED_KEPT_PAIRS * (len(answer) - 1)


def _shape_flags(
    prose: str, tokens: list[str], content: list[str], list_expected: bool
) -> set[GradingFlag]:
    flags: set[GradingFlag] = set()
    if not list_expected and _is_keyword_dump(prose, tokens, content):
        flags.add(GradingFlag.KEYWORD_DUMP)
    elif _is_ungrammatical(prose):
        flags.add(GradingFlag.WORD_SALAD)
    if _is_repeated(tokens):
        flags.add(GradingFlag.REPEATED_TEXT)
    return flags


def _is_keyword_dump(prose: str, tokens: list[str], content: list[str]) -> bool:
    """Terms without the words that make sentences: a list, or a run of nouns."""
    pieces = [word_list(p) for p in _PIECES.split(prose)]
    # Values listed as examples ("1, 2, 3", "A, B, C") are not terms: only words make a list.
    pieces = [p for p in pieces if any(len(w) > 1 and not w.isdigit() for w in p)]
    if len(tokens) < 4:
        # A few terms in a row ("harder, coin, scratch") and not one word that joins them.
        return len(pieces) >= 2 and len(tokens) >= 2 and not any(w in STOPWORDS for w in tokens)
    keyword_pieces = [
        p for p in pieces if len(p) <= KEYWORD_PIECE_WORDS and not any(w in STOPWORDS for w in p)
    ]
    if len(keyword_pieces) >= 4 and len(keyword_pieces) >= 0.8 * len(pieces):
        return True
    function_share = sum(1 for w in tokens if w in STOPWORDS) / len(tokens)
    return len(tokens) >= 8 and function_share < 0.08


@lru_cache(maxsize=1024)  # functions of the reference, asked again for every answer to it
def _words_of(reference: str) -> tuple[str, ...]:
    return tuple(word_list(reference))


@lru_cache(maxsize=1024)
def _is_list_like(reference: str) -> bool:
    """A reference that is itself a few terms ("push and pop", "Abstraction and reusability"):
    then a list of terms is an answer in the expected form, not a way around sentences."""
    tokens = word_list(reference)
    # Terms joined at most by "and"/"or": "the height of the tree" is a phrase, not a list.
    joined_only = not any(w in STOPWORDS and w not in ("and", "or") for w in tokens)
    return bool(tokens) and (
        (len(tokens) <= LIST_REFERENCE_WORDS and joined_only)
        or _is_keyword_dump(reference, tokens, tokens)
    )


def _is_ungrammatical(prose: str) -> bool:
    """Function words where English never puts them ("the of", "a is", "… the."): shuffled text."""
    anomalies = closed = total = 0
    for sentence in sentences(prose):
        tokens = word_list(sentence.text)
        total += len(tokens)
        for first, second in itertools.pairwise(tokens):
            if first in _CLOSED:
                closed += 1
            if (
                (first in _DETERMINERS and second in _AFTER_DETERMINER)
                or (first in _PREPOSITIONS and second in _AFTER_PREPOSITION)
                or (first in _SUBJECT_PRONOUNS - {"you"} and second in _AFTER_SUBJECT)
            ):
                anomalies += 1
        if tokens and tokens[-1] in _DANGLING_END:
            anomalies += 1
    if total < WORD_SALAD_MIN_WORDS or anomalies < WORD_SALAD_MIN_ANOMALIES:
        return False
    return anomalies / max(closed, 1) >= WORD_SALAD_RATE


def _is_repeated(tokens: list[str]) -> bool:
    if len(tokens) < 30:
        return False
    shingles = Counter(zip(*(tokens[i:] for i in range(5)), strict=False))
    repeated = sum(n for n in shingles.values() if n > 1)
    return repeated / sum(shingles.values()) >= REPEATED_SHARE


def negation_count(folded_text: str) -> int:
    """Negating words in a folded text ("not", "never", "isn't", "unlimited", "stateless")."""
    return sum(1 for w in word_list(folded_text) if w in _NEGATORS or negated_root(w))


def strongly_negated(folded_text: str) -> bool:
    """A sentence-level denial ("it is false that …", "… is a myth")."""
    return bool(_STRONG_NEGATION.search(folded_text))


def denial(folded_text: str) -> tuple[int, int] | None:
    """Where a sentence-level denial's own words are ("it is false that"), if there is one."""
    match = _STRONG_NEGATION.search(folded_text)
    return match.span() if match else None
