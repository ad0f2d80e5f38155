"""How ordinary a term is in technical interview answers, learnt from the shipped question bank.

A term that appears in many of the bank's reference answers ("request", "server", "data") says
little about whether an answer makes a particular point; a term few of them use ("idempotent",
"retransmit") says a lot. This is inverse document frequency over a corpus the package already
ships, computed once per process, so the scorer stays deterministic and needs no downloads.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

from core.adapters.offline.text import content_terms

__all__ = ["rarity"]

FLOOR = 0.45  # the weight left to a term that every reference answer uses
MIN_DOCUMENTS = 30  # below this the bank is too small to say what is common


@lru_cache(maxsize=1)
def _table() -> dict[str, float]:
    from core.adapters.offline.bank import load_shipped_questions

    try:
        questions = load_shipped_questions()
    except Exception:  # a broken bank must not break grading: fall back to equal weights
        return {}
    documents = [
        set(content_terms(" ".join([q.text, q.reference_answer, *q.key_points]))) for q in questions
    ]
    n = len(documents)
    if n < MIN_DOCUMENTS:
        return {}
    frequency = Counter(t for doc in documents for t in doc)
    scale = math.log(n / 2)
    table: dict[str, float] = {}
    for t, df in frequency.items():
        if df > 2:
            table[t] = FLOOR + (1 - FLOOR) * max(0.0, math.log(n / df) / scale)
    return table


def rarity(term: str) -> float:
    """1 for rare or unknown terms, down to FLOOR for terms nearly every answer uses."""
    return _table().get(term, 1.0)
