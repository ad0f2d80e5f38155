"""Which bank question to ask next: never a repeat until the role/difficulty pool is exhausted."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Sequence

from core.domain.errors import EmptyQuestionPool
from core.domain.model import Question


def choose_question(
    pool: Sequence[Question],
    *,
    asked_before: Counter[str],
    in_this_session: Collection[str],
    rng: random.Random,
) -> Question:
    """Pick randomly among the least-asked questions of the pool, never one already in this session.

    `asked_before` counts how often this person saw each bank question (all their linked
    identities), so once every question has been seen once, the second round starts.
    """
    candidates = [q for q in pool if q.bank_id not in in_this_session] or list(pool)
    if not candidates:
        raise EmptyQuestionPool()
    fewest = min(asked_before.get(q.bank_id or "", 0) for q in candidates)
    least_asked = [q for q in candidates if asked_before.get(q.bank_id or "", 0) == fewest]
    return rng.choice(least_asked)
