"""An answer (or a key point) read for matching: sentences, clauses, terms, negation, offsets.

Matching needs more than a bag of words: where each term sits (so a key point is looked for in
one place, and its evidence can be quoted verbatim), whether a negation covers it ("X is not Y"
flips Y, "it is false that …" flips the rest of the sentence), and whether a line is a bare list
of terms rather than a sentence. Offsets point into the original text, so quotes keep the
candidate's own spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core.adapters.offline.text import term, tokenize
from core.domain.answer_signals import denial
from core.domain.text import fold, negated_root

__all__ = ["NEGATOR", "Occurrence", "Reading", "is_list", "read"]

NEGATOR = term("not")  # "not", "no", "never", "without", "n't", "cannot" all read as this term
# Words that deny the rest of their clause, besides NEGATOR's synonyms.
_DENIALS = frozenset({"false", "untrue"})
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s*\n\s*")
# Clause boundaries inside a sentence: punctuation and the conjunctions that start a new claim.
# Negation does not reach past them ("TCP is reliable, but UDP is not" negates only UDP's part).
_CLAUSE = re.compile(
    r",(?!\d)\s*|:\s+|\s+\(|\)(?=\s|$)|\s+-\s+|\s+(?=(?:but|whereas|while|although|though|however|because|since|"
    r"unless|except|so|then|which|whereby|otherwise|instead|and then)\b(?!\s*(?:loop|statement)))",
    re.I,
)
_CHUNK = re.compile(r"\S+")
_LIST_PIECE = re.compile(r"[,;/|]+|\s+-\s+|\s*•\s*")
# Content words a "not" reaches: "GET is not idempotent", "does not guarantee ordering", but
# not "resource" in "404 Not Found means that the resource …".
NEGATION_REACH = 3
LIST_PIECE_WORDS = 3  # a list item: this many words at most, none of them a function word


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One content term of the text, where it is, and whether a negation covers it."""

    term: str
    negated: bool
    sentence: int
    clause: int
    start: int  # offsets of the word it came from, in the original text
    end: int
    listed: bool  # it sits in a bare list of terms, not in a sentence


@dataclass(frozen=True, slots=True)
class Reading:
    """A text's content terms in order, with their clauses and sentences."""

    text: str
    terms: tuple[Occurrence, ...]
    clauses: tuple[tuple[int, int], ...]  # (start, end) offsets of each clause
    sentences: tuple[tuple[int, int], ...]
    function_words: int  # stopwords: what makes word groups into sentences

    def positions(self) -> dict[str, list[int]]:
        """Each term's indices in `terms`."""
        out: dict[str, list[int]] = {}
        for i, occurrence in enumerate(self.terms):
            out.setdefault(occurrence.term, []).append(i)
        return out


def read(text: str, skip: frozenset[str] = frozenset()) -> Reading:
    """Read `text`; sentences whose folded text is in `skip` contribute nothing (grader-aimed)."""
    return _read(text, skip)


@lru_cache(maxsize=4096)
def _read(text: str, skip: frozenset[str]) -> Reading:
    terms: list[Occurrence] = []
    clauses: list[tuple[int, int]] = []
    sentences: list[tuple[int, int]] = []
    function_words = 0
    for s_start, s_end in _spans(_SENTENCE, text, 0, len(text)):
        sentence = text[s_start:s_end]
        folded = " ".join(fold(sentence).split())
        if skip and folded in skip:
            continue
        # "It is false that …" denies the whole sentence, whatever its clauses say.
        denied = denial(folded) is not None
        listed = is_list(sentence)
        index = len(sentences)
        sentences.append((s_start, s_end))
        for c_start, c_end in _spans(_CLAUSE, text, s_start, s_end):
            clauses.append((c_start, c_end))
            found, functions = _clause_terms(text, c_start, c_end, denied)
            function_words += functions
            for name, negated, w_start, w_end in found:
                terms.append(
                    Occurrence(name, negated, index, len(clauses) - 1, w_start, w_end, listed)
                )
    return Reading(text, tuple(terms), tuple(clauses), tuple(sentences), function_words)


def _spans(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The non-blank pieces of text[start:end] between matches of `pattern`, as offsets."""
    out = []
    position = start
    for match in pattern.finditer(text, start, end):
        if text[position : match.start()].strip():
            out.append(_trim(text, position, match.start()))
        position = match.end()
    if text[position:end].strip():
        out.append(_trim(text, position, end))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _clause_terms(
    text: str, start: int, end: int, denied: bool
) -> tuple[list[tuple[str, bool, int, int]], int]:
    """The clause's content terms with their polarity and source word, and its function words.

    A negation covers the next few content words of its clause ("GET is not idempotent"
    negates "idempotent"); a morphological one covers its own word ("unlimited" is "not limited", so it agrees with
    "no limit"); a denied sentence flips everything. Terms come from the whole clause (phrases
    such as "first in first out" are seen); each is then placed on the first word at or after
    the previous one that yields it."""
    clause = fold(text[start:end])
    if denied:
        span = denial(clause)
        clause = clause[: span[0]] + " " + clause[span[1] :] if span else clause
    chunks = [
        (m.start(), m.end(), _chunk_terms(m.group())) for m in _CHUNK.finditer(text, start, end)
    ]
    found: list[tuple[str, bool, int, int]] = []
    scope = 0  # content words still under the last negation
    prefix = False  # "non" just before: it negates the next word only
    functions = cursor = 0
    for token in tokenize(clause):
        if token.word == "non":
            prefix = True
            continue
        if token.terms == (NEGATOR,) or token.word in _DENIALS:
            scope = 0 if scope else NEGATION_REACH  # a second "not" undoes the first
            functions += 1
            cursor = _advance(chunks, cursor, token.terms[0])
            continue
        if token.stop:
            functions += 1
            continue
        names, flip = token.terms, prefix
        root = negated_root(token.word)
        if root:
            names = tuple(t for part in tokenize(root) if not part.stop for t in part.terms)
            flip = not flip
            cursor = _advance(chunks, cursor, token.terms[0])
        prefix = False
        negated = (scope > 0) != denied
        scope = max(0, scope - 1)
        for name in names:
            cursor = _advance(chunks, cursor, name)
            w_start, w_end = (chunks[cursor][0], chunks[cursor][1]) if chunks else (start, end)
            found.append((name, negated != flip, w_start, w_end))
    return found, functions


def _advance(chunks: list[tuple[int, int, frozenset[str]]], cursor: int, name: str) -> int:
    for i in range(cursor, min(len(chunks), cursor + 6)):
        if name in chunks[i][2]:
            return i
    return cursor  # a phrase's term ("fifo"): keep the current word


@lru_cache(maxsize=65536)
def _chunk_terms(chunk: str) -> frozenset[str]:
    return frozenset(t for token in tokenize(fold(chunk)) for t in token.terms)


def is_list(sentence: str) -> bool:
    """A line of comma-separated terms without a function word among them: a list, not a claim."""
    pieces = [p.split() for p in _LIST_PIECE.split(fold(sentence)) if p.strip()]
    if len(pieces) < 3:
        return False
    return all(
        len(p) <= LIST_PIECE_WORDS and not any(t.stop for w in p for t in tokenize(w))
        for p in pieces
    )
