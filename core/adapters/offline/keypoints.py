"""Key points: deriving them from a reference answer, and measuring how far an answer covers each.

Coverage is tolerant of paraphrase: both sides are reduced to canonical terms (stems after
synonym mapping), misspellings match through a bounded edit distance, and a shared long prefix
("construct"/"constructor") earns partial credit. Terms the question already contains are
demoted: repeating the question is not knowing the answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from core.adapters.offline.background import rarity
from core.adapters.offline.text import TermIndex, Token, tokenize

__all__ = [
    "AnswerIndex",
    "KeyPoint",
    "KeyPointMatch",
    "derive_key_points",
    "match_key_point",
    "prepare_key_points",
    "weighted_terms",
]

QUESTION_WEIGHT = 0.25  # a reference term that the question already states is worth this much
LIGHT_WEIGHT = 0.4  # generic words ("use", "value", "not") that anyone could write
COMMON_WEIGHT = 0.7  # everyday English words ("problem", "result", "main")
FUZZY_CREDIT = 0.85  # a misspelt term ("recieve") still shows the idea
PREFIX_CREDIT = 0.6  # same long prefix, different word ("construct"/"constructor")
MAX_DERIVED_POINTS = 7
WINDOW_MIN = 12  # content words: the smallest span a key point is looked for in
WINDOW_FACTOR = 3  # ... or this many times the point's own number of terms
LOCAL_SHARE = 0.75  # weight of the best local window against the whole answer

# Where a reference sentence divides into separately gradable ideas.
_CLAUSE_BREAK = re.compile(
    r"\s*;\s*|\s*:\s+|,?\s+(?:whereas|while|but|however|although)\s+|,\s+(?:and\s+)?(?:then|so)\s+"
    r"|\.\s+(?=[A-Z(])|\.\s*$|\n+|,\s+or\s+|,\s+and\s+(?=[a-z]+\s+(?:is|are|can|must|should|do|"
    r"does|has|have|will|it|they|its|the)\b)"
)


@dataclass(frozen=True, slots=True)
class KeyPoint:
    """One gradable idea: its text, its weighted terms, and how much of it the question gives away."""

    text: str
    terms: tuple[str, ...]
    weights: tuple[float, ...]
    bigrams: frozenset[tuple[str, str]]
    obviousness: float  # share of the point's weight already present in the question

    @property
    def mass(self) -> float:
        return sum(self.weights)


@dataclass(frozen=True, slots=True)
class KeyPointMatch:
    point: KeyPoint
    coverage: float  # 0–1, weighted share of the point's terms found in the answer
    matched: tuple[str, ...]
    missing: tuple[str, ...]


def derive_key_points(reference: str, *, limit: int = MAX_DERIVED_POINTS) -> list[str]:
    """Split a reference answer into clause-sized key points (used when none were written).

    Fragments too small to grade on their own (fewer than two content words) are merged into a
    neighbour, so "File scope." stays one point and a long paragraph becomes several.
    """
    pieces = [
        p.strip(" ,.") for p in _CLAUSE_BREAK.split(reference.strip()) if p and p.strip(" ,.")
    ]
    merged: list[str] = []
    for piece in pieces:
        if (merged and _content_size(piece) < 2) or (merged and _content_size(merged[-1]) < 2):
            merged[-1] = f"{merged[-1]}, {piece}"
        else:
            merged.append(piece)
    while len(merged) > limit:
        # Merge the smallest neighbouring pair: keeps the big ideas separate.
        sizes = [_content_size(a) + _content_size(b) for a, b in pairwise(merged)]
        i = sizes.index(min(sizes))
        merged[i : i + 2] = [f"{merged[i]}; {merged[i + 1]}"]
    return merged or ([reference.strip()] if reference.strip() else [])


def _content_size(text: str) -> int:
    return sum(len(t.terms) for t in tokenize(text) if not t.stop)


def weighted_terms(tokens: Iterable[Token], question_terms: frozenset[str]) -> dict[str, float]:
    """Each distinct content term with its weight (the highest if it occurs more than once)."""
    out: dict[str, float] = {}
    for token in tokens:
        if token.stop:
            continue
        base = LIGHT_WEIGHT if token.light else COMMON_WEIGHT if token.common else 1.0
        for t in token.terms:
            weight = base * rarity(t) * (QUESTION_WEIGHT if t in question_terms else 1.0)
            if weight > out.get(t, 0.0):
                out[t] = weight
    return out


def prepare_key_points(texts: Sequence[str], question_terms: frozenset[str]) -> list[KeyPoint]:
    points: list[KeyPoint] = []
    for text in texts:
        tokens = tokenize(text)
        weights = weighted_terms(tokens, question_terms)
        if not weights:
            continue
        if all(t in question_terms for t in weights):
            # The whole point restates the question ("What is a stack?" / "a stack"); demoting every
            # term would leave nothing to look for, so grade it at face value.
            weights = weighted_terms(tokens, frozenset())
        sequence = [t for tok in tokens if not tok.stop for t in tok.terms]
        total = sum(weights.values())
        given = sum(w for t, w in weights.items() if t in question_terms)
        points.append(
            KeyPoint(
                text=text,
                terms=tuple(weights),
                weights=tuple(weights.values()),
                bigrams=frozenset(pairwise(sequence)),
                obviousness=given / total if total else 0.0,
            )
        )
    return points


class AnswerIndex:
    """The answer's terms with their positions, for fast, paraphrase-tolerant look-ups."""

    def __init__(self, tokens: Sequence[Token]) -> None:
        sequence = [t for tok in tokens if not tok.stop for t in tok.terms]
        self.sequence = sequence
        self.terms = frozenset(sequence)
        # Pairs one apart count too: "the stack's top" still shows "stack top".
        self.bigrams = frozenset(pairwise(sequence)) | frozenset(
            zip(sequence, sequence[2:], strict=False)
        )
        self._positions: dict[str, list[int]] = {}
        for i, t in enumerate(sequence):
            self._positions.setdefault(t, []).append(i)
        self._index = TermIndex(self._positions)
        self._cache: dict[str, list[tuple[int, float]]] = {}

    def hits(self, term: str) -> list[tuple[int, float]]:
        """(position, credit) of every answer word that matches `term`: 1 for the term itself,
        less for a misspelling or a sibling word ("construct"/"constructor")."""
        cached = self._cache.get(term)
        if cached is None:
            cached = self._cache[term] = self._hits(term)
        return cached

    def credit(self, term: str) -> float:
        return max((c for _, c in self.hits(term)), default=0.0)

    def _hits(self, term: str) -> list[tuple[int, float]]:
        exact = self._positions.get(term)
        if exact is not None:
            return [(i, 1.0) for i in exact]
        found = [
            (i, FUZZY_CREDIT) for o in self._index.misspellings(term) for i in self._positions[o]
        ]
        if not found:
            found = [
                (i, PREFIX_CREDIT) for o in self._index.siblings(term) for i in self._positions[o]
            ]
        return sorted(found)


def match_key_point(point: KeyPoint, answer: AnswerIndex) -> KeyPointMatch:
    hits = [answer.hits(t) for t in point.terms]
    best = [max((c for _, c in h), default=0.0) for h in hits]
    mass = point.mass
    spread = sum(w * c for w, c in zip(point.weights, best, strict=True)) / mass if mass else 0.0
    # A key point is made in one place: in a long answer, its words scattered over unrelated
    # paragraphs are vocabulary, not the idea. Credit mostly the best local window.
    window = max(WINDOW_MIN, WINDOW_FACTOR * len(point.terms))
    if len(answer.sequence) > window and spread > 0:
        local = _best_window(point.weights, hits, window) / mass
        coverage = LOCAL_SHARE * local + (1 - LOCAL_SHARE) * spread
    else:
        coverage = spread
    if point.bigrams and coverage > 0:
        # Word order as a tie-breaker: the point's phrases appearing intact show the idea itself.
        phrases = len(point.bigrams & answer.bigrams) / len(point.bigrams)
        coverage = min(1.0, 0.85 * coverage + 0.15 * max(phrases, coverage))
    matched = tuple(t for t, c in zip(point.terms, best, strict=True) if c >= 0.5)
    missing = tuple(t for t, c in zip(point.terms, best, strict=True) if c < 0.5)
    return KeyPointMatch(point, coverage, matched, missing)


def _best_window(
    weights: Sequence[float], hits: Sequence[list[tuple[int, float]]], window: int
) -> float:
    """The highest weighted credit inside any `window` consecutive answer terms."""
    starts = sorted({i for h in hits for i, _ in h})
    best = 0.0
    for start in starts:
        end = start + window
        got = 0.0
        for w, h in zip(weights, hits, strict=True):
            got += w * max((c for i, c in h if start <= i < end), default=0.0)
        best = max(best, got)
    return best
