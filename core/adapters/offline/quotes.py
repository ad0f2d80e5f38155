"""Short verbatim quotes from an answer: the clause that makes a point, not the whole answer.

A quote is the candidate's own text between the first and last word that earned the credit,
widened to its clauses when that stays short, and cut around "…" when it does not. The grading
policy finds each fragment of it in the answer, in order, or withdraws the credit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from core.adapters.offline.complexity import complexity_classes
from core.adapters.offline.reading import Reading
from core.domain.grading import is_evidence, question_stems

__all__ = ["MAX_QUOTE_WORDS", "beyond_question", "quote_between", "quote_sentence_with", "shorten"]

MAX_QUOTE_WORDS = 25
MIN_QUOTE_WORDS = 4
_EDGE = " \t\n,;:.-–—"


def quote_between(
    reading: Reading, first: int, last: int, wanted: frozenset[int], *, wide: bool = False
) -> str:
    """The answer's own words for terms `wanted` (indices between `first` and `last`): in each
    clause that holds some, from the first to the last of them, joined with "…" when clauses
    lie between; a fragment of a word or two (or every one, if `wide`) is widened to its
    clause, so it still reads as a statement."""
    text = reading.text
    by_clause: dict[int, list[int]] = {}
    for i in range(first, last + 1):
        if i in wanted:
            by_clause.setdefault(reading.terms[i].clause, []).append(i)
    fragments: list[tuple[int, int]] = []
    for clause, indices in sorted(by_clause.items()):
        start, end = reading.terms[indices[0]].start, reading.terms[indices[-1]].end
        c_start, c_end = reading.clauses[clause]
        if wide or len(text[start:end].split()) < MIN_QUOTE_WORDS:
            # Back to the clause's start first: what comes after the words ("… higher, not
            # lower") may turn a statement around without belonging to it.
            start = c_start
            if wide or len(text[start:end].split()) < MIN_QUOTE_WORDS:
                end = c_end
            if len(text[start:end].split()) > MAX_QUOTE_WORDS:
                start, end = reading.terms[indices[0]].start, reading.terms[indices[-1]].end
        if fragments and start <= fragments[-1][1] + 2:
            fragments[-1] = (fragments[-1][0], max(end, fragments[-1][1]))
        else:
            fragments.append((start, end))
    # Neighbouring fragments read as one stretch: join them when only punctuation lies between.
    pieces = [_cut(text[a:b]) for a, b in fragments]
    return " … ".join(p for p in pieces if p)


def beyond_question(quote: str, question: str, point: str | None = None) -> bool:
    """Whether the policy will take the quote as evidence for the point (its own test)."""
    return is_evidence(quote, _question_stems(question), point)


@lru_cache(maxsize=1024)
def _question_stems(question: str) -> frozenset[str]:
    return question_stems(question)


def quote_sentence_with(reading: Reading, wanted: frozenset[str]) -> str:
    """The first sentence of the answer that claims one of `wanted` (Big-O classes)."""
    return _first_sentence(reading, lambda s: bool(complexity_classes(s) & wanted))


def _first_sentence(reading: Reading, test: Callable[[str], bool]) -> str:
    for start, end in reading.sentences:
        if test(reading.text[start:end]):
            return _cut(reading.text[start:end])
    return ""


def _cut(text: str) -> str:
    """At most MAX_QUOTE_WORDS words: the start and the end of a longer stretch, around "…"."""
    words = text.strip(_EDGE).split()
    if len(words) <= MAX_QUOTE_WORDS:
        return " ".join(words)
    half = MAX_QUOTE_WORDS // 2
    return f"{' '.join(words[:half])} … {' '.join(words[-half:])}"


def shorten(text: str, limit: int = 110) -> str:
    """One line of at most `limit` characters, cut at a word with "…"."""
    text = " ".join(text.split()).rstrip(".;, ")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"
