"""Finding a key point in an answer: in one place, in the same sense, in a sensible order.

A key point counts as made only where the answer states it: its terms found close together
(within a window of the answer's terms, at most two sentences), with the polarity the point has
("X is not Y" against "X is Y" opposes it), and with credit for the point's word pairs kept in
order nearby ("lost packets are retransmitted" keeps "lost packets"; shuffled words keep none).
Words found only in a bare list earn less, and words the question already states earn little:
repeating the question is not knowing the answer.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from core.adapters.offline.reading import Reading, read
from core.adapters.offline.text import TermIndex, tokenize

__all__ = ["AnswerIndex", "KeyPoint", "PointMatch", "match_point", "prepare_points", "recall"]

QUESTION_WEIGHT = 0.5  # a point's term that the question already states is worth this much
LIGHT_WEIGHT = 0.4  # generic words ("use", "value", "make") that anyone could write
COMMON_WEIGHT = 0.7  # everyday English words ("problem", "result", "main")
FUZZY_CREDIT = 0.85  # a misspelt term ("recieve") still shows the idea
PREFIX_CREDIT = 0.6  # same long prefix, different word ("construct"/"constructor")
WINDOW_MIN = 10  # answer terms: the smallest stretch a point is looked for in
WINDOW_FACTOR = 2  # ... or this many times the point's own number of terms
PAIR_REACH = 2  # point terms this close form a pair whose order matters
ANSWER_PAIR_REACH = 3  # ... and are found in order if at most this far apart in the answer
ORDER_SHARE = 0.15  # share of a point's credit that depends on its pairs being in order
LIST_CREDIT = 0.25  # evidence found only in a bare list of terms (when sentences are expected)


@dataclass(frozen=True, slots=True)
class KeyPoint:
    """One gradable idea: its text, weighted terms, their polarity, and its ordered word pairs."""

    text: str
    terms: tuple[str, ...]
    weights: tuple[float, ...]
    negated: tuple[bool, ...]  # as the point states each term
    pairs: frozenset[tuple[str, str]]
    novel: frozenset[str]  # terms the question does not contain
    obviousness: float  # share of the point's weight the question already states

    @property
    def mass(self) -> float:
        """The point's total weight."""
        return sum(self.weights)


@dataclass(frozen=True, slots=True)
class PointMatch:
    """Where and how far the answer makes one key point."""

    point: KeyPoint
    coverage: float  # 0–1: weighted share of its terms found, same polarity, in one place
    opposed: float  # 0–1: weighted share found where the answer says the opposite
    order: float  # 0–1: share of its found word pairs that keep their order nearby
    evidence: tuple[int, ...]  # answer-term indices of the best place's matching terms
    against: tuple[int, ...]  # ... of the place that most opposes it
    novel: bool  # the evidence contains a term the question does not
    found: tuple[str, ...]  # the point's terms found at the best place

    @property
    def credit(self) -> float:
        """Coverage adjusted for word order: the share of the idea the answer states."""
        return self.coverage * (1 - ORDER_SHARE + ORDER_SHARE * self.order)


def prepare_points(texts: Iterable[str], question_terms: frozenset[str]) -> list[KeyPoint]:
    """Key points ready for matching; points without a content word are dropped."""
    points = []
    for text in texts:
        point = _prepare(text, question_terms)
        if point is not None:
            points.append(point)
    return points


@lru_cache(maxsize=8192)
def _prepare(text: str, question_terms: frozenset[str]) -> KeyPoint | None:
    reading = read(text)
    if not reading.terms:
        return None
    light = {t for tok in tokenize(text) if tok.light for t in tok.terms}
    common = {t for tok in tokenize(text) if tok.common for t in tok.terms}
    restates = all(o.term in question_terms for o in reading.terms)
    weights: dict[str, float] = {}
    negated: dict[str, bool] = {}
    for occurrence in reading.terms:
        name = occurrence.term
        base = LIGHT_WEIGHT if name in light else COMMON_WEIGHT if name in common else 1.0
        # A point that only restates the question is graded at face value: demoting every term
        # would leave nothing to look for.
        given = name in question_terms and not restates
        weight = base * (QUESTION_WEIGHT if given else 1.0)
        if weight > weights.get(name, 0.0):
            weights[name] = weight
        negated.setdefault(name, occurrence.negated)
    sequence = [o.term for o in reading.terms]
    pairs = {
        (a, b)
        for i, a in enumerate(sequence)
        for b in sequence[i + 1 : i + 1 + PAIR_REACH]
        if a != b
    }
    total = sum(weights.values())
    return KeyPoint(
        text=text,
        terms=tuple(weights),
        weights=tuple(weights.values()),
        negated=tuple(negated[t] for t in weights),
        pairs=frozenset(pairs),
        novel=frozenset(t for t in weights if t not in question_terms or restates),
        obviousness=sum(w for t, w in weights.items() if t in question_terms) / total,
    )


class AnswerIndex:
    """The answer's terms with their positions, for fast, paraphrase-tolerant look-ups."""

    def __init__(self, reading: Reading, *, lists_expected: bool = False) -> None:
        self.reading = reading
        # A list answers "which operations does a stack have?" ("push and pop") as well as
        # sentences would; elsewhere a bare list names terms without saying anything of them.
        self.list_credit = 1.0 if lists_expected else LIST_CREDIT
        self.terms = reading.terms
        self._positions = reading.positions()
        self._index = TermIndex(self._positions)
        self._cache: dict[str, list[tuple[int, float]]] = {}

    def hits(self, name: str) -> list[tuple[int, float]]:
        """(position, credit) of every answer term that matches `name`: 1 for the term itself,
        less for a misspelling or a sibling word ("construct"/"constructor")."""
        cached = self._cache.get(name)
        if cached is None:
            cached = self._cache[name] = self._hits(name)
        return cached

    def _hits(self, name: str) -> list[tuple[int, float]]:
        exact = self._positions.get(name)
        if exact is not None:
            return [(i, 1.0) for i in exact]
        found = [
            (i, FUZZY_CREDIT) for o in self._index.misspellings(name) for i in self._positions[o]
        ]
        if not found:
            found = [
                (i, PREFIX_CREDIT) for o in self._index.siblings(name) for i in self._positions[o]
            ]
        return sorted(found)


def match_point(point: KeyPoint, answer: AnswerIndex) -> PointMatch:
    """The best place in the answer for `point`, and the place that most opposes it."""
    hits = [answer.hits(t) for t in point.terms]
    where = [[i for i, _ in h] for h in hits]
    present = [k for k, h in enumerate(hits) if h]
    window = max(WINDOW_MIN, WINDOW_FACTOR * len(point.terms))
    given = {t for t in point.terms if t not in point.novel}
    best = against = _Place.empty()
    best_start = against_start = -1
    for start in sorted({i for k in present for i in where[k]}):
        place = _measure(point, hits, where, present, answer, start, window)
        if place.agreeing > best.agreeing + 1e-9:
            best, best_start = place, start
        # An opposing statement must be about the point's subject: "offset lets you jump to a
        # page" does not deny "cursor pagination cannot jump to a page".
        about = place.names_subject or not given
        if about and place.opposing > against.opposing + 1e-9:
            against, against_start = place, start
    # Where exactly the words are is worked out only for the two places kept.
    if best_start >= 0:
        best = _measure(point, hits, where, present, answer, best_start, window, detail=True)
    if against_start >= 0:
        against = _measure(point, hits, where, present, answer, against_start, window, detail=True)
    mass = point.mass or 1.0
    return PointMatch(
        point=point,
        coverage=best.agreeing / mass,
        opposed=against.opposing / mass,
        order=_order(point, best.positions),
        evidence=tuple(sorted(i for _, i in best.positions)),
        against=tuple(sorted(against.opposite)),
        novel=any(t in point.novel for t, _ in best.positions),
        found=tuple(dict.fromkeys(t for t, _ in best.positions)),
    )


def recall(point: KeyPoint, answer: AnswerIndex) -> float:
    """0–1: weighted share of the point's terms found anywhere in the answer, same polarity."""
    hits = [answer.hits(t) for t in point.terms]
    where = [[i for i, _ in h] for h in hits]
    present = [k for k, h in enumerate(hits) if h]
    whole = _measure(point, hits, where, present, answer, 0, len(answer.terms), local=False)
    return whole.agreeing / (point.mass or 1.0)


@dataclass(slots=True)
class _Place:
    agreeing: float
    opposing: float
    positions: list[tuple[str, int]]  # (point term, answer position) of the agreeing hits
    opposite: list[int]  # answer positions of the hits with the opposite polarity
    names_subject: bool = False  # a term the question gives (what the point is about) is here

    @classmethod
    def empty(cls) -> _Place:
        return cls(0.0, 0.0, [], [])


def _measure(
    point: KeyPoint,
    hits: Sequence[list[tuple[int, float]]],
    where: Sequence[list[int]],
    present: Sequence[int],
    answer: AnswerIndex,
    start: int,
    window: int,
    *,
    local: bool = True,
    detail: bool = False,
) -> _Place:
    """Weighted credit of the point's terms within `window` answer terms from `start` (and,
    with `detail`, which answer words carry it)."""
    terms = answer.terms
    end = min(len(terms), start + window)
    # A point is made in one sentence, or across two: never scattered over the answer.
    while local and end > start + 1 and terms[end - 1].sentence - terms[start].sentence > 1:
        end -= 1
    agreeing = opposing = 0.0
    opposite: list[int] = []
    named: set[int] = set()  # sentences naming the point's subject (words the question gives)
    denied: set[int] = set()  # sentences holding the point's words with the opposite sense
    chosen: list[tuple[int, list[int]]] = []  # per found term: its index, its best hits
    for k in present:
        found = hits[k]
        best_same = best_other = 0.0
        at: list[int] = []
        other = -1
        for j in range(bisect_left(where[k], start), len(found)):
            i, credit = found[j]
            if i >= end:
                break
            occurrence = terms[i]
            if occurrence.listed:
                credit *= answer.list_credit
            if occurrence.negated != point.negated[k]:
                if credit > best_other:
                    best_other, other = credit, i
            elif credit > best_same + 1e-9:
                best_same, at = credit, [i]
            elif detail and abs(credit - best_same) <= 1e-9:
                at.append(i)
        agreeing += point.weights[k] * best_same
        opposing += point.weights[k] * best_other
        if at:
            chosen.append((k, at))
        if other >= 0:
            opposite.append(other)
            denied.add(terms[other].sentence)
        if point.terms[k] not in point.novel:
            named.update(terms[i].sentence for i in (*at[:1], *([other] if other >= 0 else [])))
    # A denial is about the point only where the point's subject is named in its sentence.
    subject = bool(named & denied) if denied else bool(named)
    if not detail:
        return _Place(agreeing, opposing, [], [], subject)
    # Of a term's equally good hits, quote the one nearest the point's weightiest term.
    anchor = max(chosen, key=lambda c: point.weights[c[0]])[1][0] if chosen else start
    positions = [(point.terms[k], min(at, key=lambda p: abs(p - anchor))) for k, at in chosen]
    return _Place(agreeing, opposing, positions, opposite, subject)


def _order(point: KeyPoint, positions: list[tuple[str, int]]) -> float:
    """Share of the point's word pairs (both found) that the answer keeps in order, nearby."""
    if len(positions) < 2:
        return 1.0
    found = {t for t, _ in positions}
    wanted = [(a, b) for a, b in point.pairs if a in found and b in found]
    if not wanted:
        return 1.0
    where = dict(positions)
    kept = sum(1 for a, b in wanted if 0 < where[b] - where[a] <= ANSWER_PAIR_REACH)
    return kept / len(wanted)
