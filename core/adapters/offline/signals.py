"""What the form of an answer says, independent of its content: length, sentences, non-answers.

These feed the communication criterion and the penalties. They are deliberately simple, stable
heuristics: a grader's first glance, not a parser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.adapters.offline.text import Token, sentences

__all__ = ["AnswerShape", "answer_shape", "complexity_classes", "is_non_answer"]

# Words that say "I have no answer" (or nothing at all); an answer made only of these is none.
_NON_ANSWER_TEXT = """
    i im i'm me my we you it this that the a an is am are was do does did dont don't not no
    nope yes yeah yep ok okay fine good great sure unsure maybe perhaps idk dunno know knew
    idea clue pass skip next na n a none nothing answer answered question sorry thanks thank
    please whatever hmm um uh er lol haha test testing hello hi hey really just so and or but
    have has any too much very think guess remember can cannot can't could would should tell
    say said
    """
_NON_ANSWER_WORDS = frozenset(_NON_ANSWER_TEXT.split())
_WORD = re.compile(r"[a-z0-9']+")
# A verb-ish ending or an auxiliary: crude evidence that a word group is a sentence, not a list.
_VERBISH = re.compile(
    r"^(is|are|was|were|be|been|has|have|had|do|does|did|can|could|will|would|should|must|may|"
    r"might|use|uses|used|make|makes|lets?|allows?|means?|takes?|gives?|needs?)$|"
    r"[a-z]{2,}(s|ed|es|ing)$"
)
LONG_ANSWER_WORDS = 400  # past this an interview answer rambles


@dataclass(frozen=True, slots=True)
class AnswerShape:
    words: int
    content_words: int
    sentences: int
    keyword_dump: bool  # a list of terms without sentence structure
    rambling: bool

    def form_quality(self, expected_words: int) -> float:
        """0–1: a sentence or more of sensible length reads well; fragments and dumps less so."""
        if self.words == 0:
            return 0.0
        expected = max(2, expected_words)
        length = min(1.0, (self.words / expected) ** 0.5)
        if self.rambling:
            length *= 0.7
        structure = 0.5 if self.keyword_dump else 1.0
        if self.words >= 6 and self.content_words == self.words:
            structure = min(structure, 0.6)
        return max(0.1, length * structure)


def answer_shape(answer: str, tokens: Sequence[Token]) -> AnswerShape:
    words = len(tokens)
    content = sum(1 for t in tokens if not t.stop)
    parts = sentences(answer)
    stop_share = 1 - content / words if words else 0.0
    verbish = sum(1 for t in tokens if _VERBISH.search(t.word))
    pieces = [p for p in re.split(r"[,;\n/|]+", answer) if p.strip()]
    listy = len(pieces) >= 4 and all(len(p.split()) <= 3 for p in pieces)
    keyword_dump = words >= 5 and (listy or (stop_share < 0.15 and verbish <= words // 8))
    return AnswerShape(
        words=words,
        content_words=content,
        sentences=len(parts),
        keyword_dump=keyword_dump,
        rambling=words > LONG_ANSWER_WORDS,
    )


def is_non_answer(answer: str, shape: AnswerShape) -> bool:
    """ "idk", "not sure, sorry", "fine", "pass": no attempt at the question."""
    if shape.words > 12:
        return False
    found = _WORD.findall(answer.lower())
    return not found or all(w.strip("'") in _NON_ANSWER_WORDS for w in found)


# Big-O classes as people write them. Checked in order, and each match is blanked out, so
# "n log n" is not also read as "log n".
_COMPLEXITY = [
    (
        "n log n",
        re.compile(
            r"o\s*\(\s*n\s*\*?\s*log\s*\(?\s*n\s*\)?\s*\)|\bn\s*\*?\s*log\s*\(?\s*n\b"
            r"|linearithmic"
        ),
    ),
    ("log n", re.compile(r"o\s*\(\s*log\s*\(?\s*n\s*\)?\s*\)|\blog\s*\(?\s*n\b|logarithmic")),
    ("1", re.compile(r"o\s*\(\s*1\s*\)|\bconstant[\s-]+time\b")),
    (
        "n^2",
        re.compile(r"o\s*\(\s*n\s*(\^|\*\*)\s*2\s*\)|o\s*\(\s*n2\s*\)|quadratic|\bn\s*squared\b"),
    ),
    ("2^n", re.compile(r"o\s*\(\s*2\s*\^\s*n\s*\)|exponential")),
    ("n", re.compile(r"o\s*\(\s*n\s*\)|\blinear[\s-]+time\b")),
]


def complexity_classes(text: str) -> frozenset[str]:
    """The Big-O classes a text claims ("O(log n)", "logarithmic", "constant time")."""
    text = text.lower()
    found: set[str] = set()
    for name, pattern in _COMPLEXITY:
        if pattern.search(text):
            found.add(name)
            text = pattern.sub(" ", text)
    return frozenset(found)
