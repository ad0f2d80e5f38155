"""Who a claim is about, when a question sets things against each other ("TCP and UDP").

"UDP is connection-oriented and guarantees ordered delivery" has every word of the key point
"TCP is connection-oriented …", and says the opposite of it. In a comparison the things compared
are named by the question and lead the key points; a point's words found in a clause that names
another of them, and not the point's own, make a claim about the wrong thing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.adapters.offline.matching import KeyPoint, PointMatch
from core.adapters.offline.reading import Reading
from core.adapters.offline.text import content_terms
from core.domain.text import fold

__all__ = ["compared_things", "misattributed"]

_SIDE = r"[\w+#./-]+(?:\s+[\w+#./-]+){0,3}?"
_COMPARISON = re.compile(
    rf"\b(?:between|compare|comparing|contrast)\s+(?:the\s+|an?\s+)?(?P<a>{_SIDE})\s+"
    rf"(?:and|with|to|vs\.?|versus)\s+(?:the\s+|an?\s+)?(?P<b>{_SIDE})(?=\s*(?:[,?.;:]|$|\b(?:and|in|when|for)\b))"
    rf"|(?P<a2>{_SIDE})\s+(?:vs\.?|versus)\s+(?P<b2>{_SIDE})(?=\s*(?:[,?.;:]|$))"
)


@lru_cache(maxsize=4096)  # a function of the question's text, asked again for each answer
def compared_things(question: str) -> frozenset[str]:
    """What a comparison question sets against each other: "the difference between TCP and
    UDP", "X vs Y", "compare X with Y" give the first term that tells each side apart."""
    match = _COMPARISON.search(fold(question))
    if not match:
        return frozenset()
    left = content_terms(match.group("a") or match.group("a2"))
    right = content_terms(match.group("b") or match.group("b2"))
    # The left side's head noun comes last ("HTTP GET and POST", "CSS Flexbox versus …"), the
    # right side's distinguishing word first ("vertical and horizontal scaling").
    first = next((t for t in reversed(left) if t not in right), None)
    second = next((t for t in right if t not in left), None)
    return frozenset({first, second}) if first and second else frozenset()


def _lead(point: KeyPoint, things: frozenset[str]) -> str | None:
    return next((t for t in point.terms if t in things), None)


def misattributed(match: PointMatch, reading: Reading, things: frozenset[str]) -> bool:
    """The point's words are found where the answer speaks of another of the things compared."""
    subject = _lead(match.point, things)
    if subject is None or not match.evidence or len(things & set(match.point.terms)) > 1:
        return False  # a point about both ("UDP for games, TCP for the web") binds to neither
    weights = dict(zip(match.point.terms, match.point.weights, strict=True))
    by_clause: dict[int, float] = {}
    for i in match.evidence:
        occurrence = reading.terms[i]
        if occurrence.term in match.point.novel:
            by_clause[occurrence.clause] = by_clause.get(occurrence.clause, 0.0) + weights.get(
                occurrence.term, 0.0
            )
    if not by_clause:
        return False
    # The claim is where most of the point's own words are.
    clause = max(by_clause, key=lambda c: (by_clause[c], -c))
    anchor = next(i for i in match.evidence if reading.terms[i].clause == clause)
    named = _named_near(reading, anchor, things)
    return len(named) == 1 and subject not in named


def _named_near(reading: Reading, index: int, things: frozenset[str]) -> set[str]:
    """The compared things named in the term's clause, else in the nearest earlier clause of
    its sentence that names one ("TCP opens a connection, then guarantees …")."""
    occurrence = reading.terms[index]
    by_clause: dict[int, set[str]] = {}
    for other in reading.terms:
        same_sentence = other.sentence == occurrence.sentence
        if same_sentence and other.clause <= occurrence.clause and other.term in things:
            by_clause.setdefault(other.clause, set()).add(other.term)
    return by_clause[max(by_clause)] if by_clause else set()
