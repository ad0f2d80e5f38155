"""Big-O classes as people write them, so a wrong complexity claim can contradict a key point."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["complexity_classes"]

# Checked in order, and each match is blanked out, so "n log n" is not also read as "log n".
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


@lru_cache(maxsize=4096)
def complexity_classes(text: str) -> frozenset[str]:
    """The Big-O classes a text claims ("O(log n)", "logarithmic", "constant time")."""
    text = text.lower()
    found: set[str] = set()
    for name, pattern in _COMPLEXITY:
        if pattern.search(text):
            found.add(name)
            text = pattern.sub(" ", text)
    return frozenset(found)
