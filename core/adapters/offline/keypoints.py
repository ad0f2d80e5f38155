"""Key points derived from a reference answer when none were written (the `evaluate` CLI).

A reference is split into clause-sized ideas, each gradable on its own; fragments too small to
grade are merged into a neighbour, so "File scope." stays one point and a paragraph becomes
several.
"""

from __future__ import annotations

import re
from itertools import pairwise

from core.adapters.offline.text import tokenize

__all__ = ["MAX_DERIVED_POINTS", "derive_key_points"]

MAX_DERIVED_POINTS = 7

# Where a reference sentence divides into separately gradable ideas (bullets written inline
# too: " - ", " * ", "1)").
_CLAUSE_BREAK = re.compile(
    r"\s*;\s*|\s*:\s+|,?\s+(?:whereas|while|but|however|although)\s+|,\s+(?:and\s+)?(?:then|so)\s+"
    r"|\.\s+(?=[A-Z(])|\.\s*$|\n+|,\s+and\s+(?=[a-z]+\s+(?:is|are|can|must|should|do|"
    r"does|has|have|will|it|they|its|the)\b)|\s+[-*•]\s+|^\s*[-*•]\s+|\s+\(?\d{1,2}[.)]\s+"
)
LABEL_WORDS = 4  # a lead-in before ":" this short is a label for what follows, not an idea


def derive_key_points(reference: str, *, limit: int = MAX_DERIVED_POINTS) -> list[str]:
    """Split a reference answer into clause-sized key points (used when none were written).

    Fragments too small to grade on their own (fewer than two content words) are merged into a
    neighbour, so "File scope." stays one point and a long paragraph becomes several; a short
    label before a colon ("Classification:") joins the idea it introduces.
    """
    pieces: list[str] = []
    position = 0
    label = ""
    text = reference.strip()
    for match in [*_CLAUSE_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[position:end].strip(" ,.").lstrip("-*• ")
        position = match.end() if match else len(text)
        if not piece:
            continue
        if label:
            piece, label = f"{label}: {piece}", ""
        if match and match.group().strip() == ":" and _content_size(piece) <= LABEL_WORDS:
            label = piece
            continue
        pieces.append(piece)
    if label:
        pieces.append(label)
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
    return merged or ([text] if text else [])


def _content_size(text: str) -> int:
    return sum(len(t.terms) for t in tokenize(text) if not t.stop)
