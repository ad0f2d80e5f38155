"""The Porter (1980) suffix-stripping stemmer, compact and dependency-free.

Porter rather than something cleverer because it is deterministic, well understood and fast;
its known over-stemming ("general"/"generic") matters little when both sides are stemmed alike.
A few irregular plurals common in CS answers are mapped first.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["stem"]

_VOWELS = frozenset("aeiou")
_IRREGULAR = {
    "children": "child",
    "leaves": "leaf",
    "halves": "half",
    "halve": "half",
    "halved": "half",
    "halving": "half",
    "lives": "life",
    "criteria": "criterion",
    "indices": "index",
    "indexes": "index",
    "vertices": "vertex",
    "matrices": "matrix",
    "analyses": "analysis",
    "caches": "cache",
    "caching": "cache",
    "cached": "cache",
    "queues": "queue",
    "queued": "queue",
    "queuing": "queue",
    "queueing": "queue",
    "data": "data",
    "bus": "bus",
    "class": "class",
    "process": "process",
    "access": "access",
    "address": "address",
    "this": "this",
    "has": "has",
    "was": "was",
    "is": "is",
    "does": "do",
    "less": "less",
}

_STEP2 = [
    ("ational", "ate"),
    ("tional", "tion"),
    ("enci", "ence"),
    ("anci", "ance"),
    ("izer", "ize"),
    ("bli", "ble"),
    ("alli", "al"),
    ("entli", "ent"),
    ("eli", "e"),
    ("ousli", "ous"),
    ("ization", "ize"),
    ("ation", "ate"),
    ("ator", "ate"),
    ("alism", "al"),
    ("iveness", "ive"),
    ("fulness", "ful"),
    ("ousness", "ous"),
    ("aliti", "al"),
    ("iviti", "ive"),
    ("biliti", "ble"),
    ("logi", "log"),
]
_STEP3 = [
    ("icate", "ic"),
    ("ative", ""),
    ("alize", "al"),
    ("iciti", "ic"),
    ("ical", "ic"),
    ("ful", ""),
    ("ness", ""),
]
_STEP4 = [
    "al",
    "ance",
    "ence",
    "er",
    "ic",
    "able",
    "ible",
    "ant",
    "ement",
    "ment",
    "ent",
    "ion",
    "ou",
    "ism",
    "ate",
    "iti",
    "ous",
    "ive",
    "ize",
]


def _consonant(word: str, i: int) -> bool:
    ch = word[i]
    if ch in _VOWELS:
        return False
    if ch == "y":
        return i == 0 or not _consonant(word, i - 1)
    return True


def _measure(stem: str) -> int:
    """m in [C](VC)^m[V]: how many vowel-consonant sequences the stem has."""
    m = 0
    previous_vowel = False
    for i in range(len(stem)):
        vowel = not _consonant(stem, i)
        if previous_vowel and not vowel:
            m += 1
        previous_vowel = vowel
    return m


def _has_vowel(stem: str) -> bool:
    return any(not _consonant(stem, i) for i in range(len(stem)))


def _double_consonant(word: str) -> bool:
    return len(word) >= 2 and word[-1] == word[-2] and _consonant(word, len(word) - 1)


def _cvc(word: str) -> bool:
    """Ends consonant-vowel-consonant, the last not w, x or y (e.g. "hop", not "snow")."""
    if len(word) < 3:
        return False
    return (
        _consonant(word, len(word) - 3)
        and not _consonant(word, len(word) - 2)
        and _consonant(word, len(word) - 1)
        and word[-1] not in "wxy"
    )


def _step1(word: str) -> str:
    if word.endswith("sses") or word.endswith("ies"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]

    trimmed = False
    if word.endswith("eed"):
        if _measure(word[:-3]) > 0:
            word = word[:-1]
    elif word.endswith("ed") and _has_vowel(word[:-2]):
        word, trimmed = word[:-2], True
    elif word.endswith("ing") and _has_vowel(word[:-3]):
        word, trimmed = word[:-3], True
    if trimmed:
        if word.endswith(("at", "bl", "iz")):
            word += "e"
        elif _double_consonant(word) and word[-1] not in "lsz":
            word = word[:-1]
        elif _measure(word) == 1 and _cvc(word):
            word += "e"

    if word.endswith("y") and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    return word


def _replace(word: str, rules: list[tuple[str, str]], min_measure: int) -> str:
    for suffix, replacement in rules:
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            return stem + replacement if _measure(stem) > min_measure else word
    return word


def _step2(word: str) -> str:
    replaced = _replace(word, _STEP2, 0)
    # Snowball's extra rule: plain adverbs ("directli", "explicitli") lose their "-ly" too.
    if (
        replaced is word
        and word.endswith("li")
        and len(word) > 3
        and word[-3] in "cdeghkmnrt"
        and _measure(word[:-2]) > 0
        and not any(word.endswith(s) for s, _ in _STEP2)
    ):
        return word[:-2]
    return replaced


def _step4(word: str) -> str:
    for suffix in _STEP4:
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            if _measure(stem) > 1 and (suffix != "ion" or stem.endswith(("s", "t"))):
                return stem
            return word
    return word


def _step5(word: str) -> str:
    if word.endswith("e"):
        stem = word[:-1]
        m = _measure(stem)
        if m > 1 or (m == 1 and not _cvc(stem)):
            word = stem
    if word.endswith("ll") and _measure(word) > 1:
        word = word[:-1]
    return word


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Porter stem of a lower-case word; short words and numbers are returned unchanged."""
    irregular = _IRREGULAR.get(word)
    if irregular is not None:
        return irregular
    if len(word) <= 2 or not word.isalpha():
        return word
    word = _step1(word)
    word = _step2(word)
    word = _replace(word, _STEP3, 0)
    word = _step4(word)
    return _step5(word)
