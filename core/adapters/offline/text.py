"""Text normalisation for the offline scorer: tokens, stems, stopwords and CS synonyms.

Everything here is deterministic, stdlib-only and cached, so scoring stays fast on Lambda.
A "term" is the canonical form two paraphrases share: lower-cased, synonym-mapped, stemmed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from core.adapters.offline.synonyms import (
    CANONICAL,
    COMMON_WORDS,
    COMPARATIVES,
    EXPANSIONS,
    LIGHT_WORDS,
    PHRASES,
    STOPWORDS,
    american,
)
from core.domain.stemmer import stem

__all__ = [
    "STOPWORDS",
    "TermIndex",
    "Token",
    "content_terms",
    "fuzzy_equal",
    "sentences",
    "term",
    "tokenize",
    "words",
]

# Letters/digits, keeping the marks that make a word a different word: c++, c#, .net, node.js.
_WORD = re.compile(r"[a-z0-9]+(?:[+#]+|\.(?:js|net|py)\b)?|(?<![a-z0-9])\.net\b")
_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
_CONTRACTIONS = [
    (re.compile(r"\b(e\.g|i\.e|etc|cf)\.?(?=\W|$)"), " "),
    # "10ms", "2gb", "100x": a number glued to its unit is two words.
    (
        re.compile(
            r"\b(\d+(?:\.\d+)?)(ms|s|secs?|kb|mb|gb|tb|k|m|x|rps|qps|ns|us|µs|mins?|h|hrs?)\b"
        ),
        r"\1 \2",
    ),
    (re.compile(r"[’‘`]"), "'"),
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"n't\b"), " not"),
    # Students drop the apostrophe: "dont", "isnt". Only these words, never any word ending "nt".
    (
        re.compile(
            r"\b(do|does|did|is|are|was|were|has|have|had|should|would|could|must|need|ai)nt\b"
        ),
        r"\1 not",
    ),
    (re.compile(r"'(s|re|ve|ll|d|m)\b"), ""),
]
# Prefixes that students write with or without a hyphen ("re-use", "reuse"): join them so both
# spellings meet. Other hyphenated words split into their parts ("first-in-first-out").
_JOINED_PREFIXES = frozenset({"re", "pre", "post", "co", "multi", "sub", "inter", "de", "un", "bi"})
# Code identifiers: "isEmpty", "getTop()", "StackPush()" are words run together.
_CAMEL = re.compile(r"\b([a-z]+[a-z0-9]*(?:[A-Z][a-z0-9]+)+|(?:[A-Z][a-z0-9]+){2,}(?=\s*\())")
_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PHRASES = [(re.compile(pattern), replacement) for pattern, replacement in PHRASES]
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


def words(text: str) -> list[str]:
    """Lower-cased word tokens with contractions expanded and known prefixes re-joined."""
    if any(c.isupper() for c in text):
        text = _CAMEL.sub(lambda m: _HUMP.sub(" ", m.group(0)), text)
    text = text.lower()
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    text = _HYPHEN.sub(_hyphen_join, text) if "-" in text else text
    return _WORD.findall(text)


def _hyphen_join(match: re.Match[str]) -> str:
    start = match.start()
    head = match.string[:start].rsplit(None, 1)[-1] if start else ""
    head = re.sub(r"[^a-z]", "", head.rsplit("-", 1)[-1])
    return "" if head in _JOINED_PREFIXES else " "


class Token:
    """One word of the text: the word as written and the terms it stands for."""

    __slots__ = ("common", "light", "stop", "terms", "word")

    def __init__(self, word: str) -> None:
        self.word = word
        self.terms: tuple[str, ...] = _terms_of(word)
        self.stop = word in STOPWORDS
        self.light = word in LIGHT_WORDS
        self.common = word in COMMON_WORDS

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Token({self.word!r}->{self.terms})"


def tokenize(text: str) -> list[Token]:
    """The text's words as Tokens (each with its terms and its stopword/light/common marks)."""
    return [_token(w) for w in words(text)]


@lru_cache(maxsize=65536)
def _token(word: str) -> Token:
    return Token(word)


@lru_cache(maxsize=65536)
def term(word: str) -> str:
    """The canonical term of one word: synonyms first (on the word and on its stem), then stem."""
    canonical = CANONICAL.get(word)
    if canonical is not None:
        return canonical
    word = COMPARATIVES.get(word, word)
    stemmed = stem(american(word))
    return CANONICAL.get(stemmed, stemmed)


def _terms_of(word: str) -> tuple[str, ...]:
    # An abbreviation stands for several words ("fifo" -> first in first out); a normal word for one.
    expansion = EXPANSIONS.get(word)
    if expansion is not None:
        return tuple(term(w) for w in expansion.split() if w not in STOPWORDS)
    return (term(word),)


def content_terms(text: str) -> list[str]:
    """The text's terms in order, stopwords dropped (duplicates kept: order matters for bigrams)."""
    out: list[str] = []
    for token in tokenize(text):
        if not token.stop:
            out.extend(token.terms)
    return out


def sentences(text: str) -> list[str]:
    """The text's sentences and lines, stripped."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


@lru_cache(maxsize=131072)
def fuzzy_equal(a: str, b: str) -> bool:
    """Whether two terms are one word misspelt ("recieve"/"receive", "algorithym"/"algorithm").

    Only longer words qualify (short ones differ by a letter legitimately: "batch"/"patch"), and a
    cheap prefix/suffix filter runs before the edit distance so most pairs cost almost nothing.
    """
    if a == b:
        return True
    la, lb = len(a), len(b)
    if min(la, lb) < 6 or abs(la - lb) > 2 or a.isdigit() or b.isdigit():
        return False
    if a[:2] != b[:2] and a[-3:] != b[-3:]:
        return False
    limit = 1 if min(la, lb) < 9 else 2
    return _edit_distance(a, b, limit) <= limit


class TermIndex:
    """Terms bucketed so that misspelling and shared-prefix look-ups check a handful of candidates
    instead of every term (this is what keeps long answers within a few milliseconds)."""

    PREFIX = 6  # letters two words must share at the start to be siblings ("construct-or")

    def __init__(self, terms: Iterable[str]) -> None:
        self._heads: dict[str, list[str]] = {}
        self._tails: dict[str, list[str]] = {}
        self._prefixes: dict[str, list[str]] = {}
        for t in set(terms):
            if len(t) >= 6:
                self._heads.setdefault(t[:2], []).append(t)
                self._tails.setdefault(t[-3:], []).append(t)
                self._prefixes.setdefault(t[: self.PREFIX], []).append(t)

    def misspellings(self, term: str) -> list[str]:
        """Indexed terms that are `term` misspelt (one or two letters off)."""
        if len(term) < 6:
            return []
        candidates = set(self._heads.get(term[:2], ())) | set(self._tails.get(term[-3:], ()))
        return sorted(c for c in candidates if c != term and fuzzy_equal(term, c))

    def siblings(self, term: str) -> list[str]:
        """Terms sharing a long prefix with `term` (at least 6 letters and 80% of the shorter)."""
        if len(term) < self.PREFIX:
            return []
        out = []
        for other in self._prefixes.get(term[: self.PREFIX], ()):
            if other != term:
                shared = next(
                    (i for i, (x, y) in enumerate(zip(term, other, strict=False)) if x != y),
                    min(len(term), len(other)),
                )
                if shared >= max(self.PREFIX, int(0.8 * min(len(term), len(other)))):
                    out.append(other)
        return sorted(out)


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (adjacent swaps count once), stopping early past `limit`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        best = i
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return best
        previous2, previous = previous, current
    return previous[-1]
