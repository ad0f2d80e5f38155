"""Which bank question to ask: never one the person has seen (on any linked surface) until the
role/difficulty pool is exhausted; then the least recently seen first."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from core.domain.errors import EmptyQuestionPool
from core.domain.model import Question


def choose_question(
    pool: Sequence[Question],
    *,
    last_seen: Mapping[str, datetime],
    in_this_session: Collection[str],
    rng: random.Random,
    topic: str | None = None,
) -> Question:
    """A question of the pool the person never saw (at random), else the one they saw longest
    ago; never one already in this session while others are left.

    `last_seen` is when the person (all their linked identities) last saw each bank question.
    `topic`: prefer questions on this topic among equally fresh ones (review sessions)."""
    candidates = [q for q in pool if q.bank_id not in in_this_session] or list(pool)
    if not candidates:
        raise EmptyQuestionPool()
    unseen = [q for q in candidates if (q.bank_id or "") not in last_seen]
    if unseen:
        on_topic = [q for q in unseen if topic in q.topics] if topic else []
        return rng.choice(on_topic or unseen)
    on_topic = [q for q in candidates if topic in q.topics] if topic else []
    return min(on_topic or candidates, key=lambda q: (last_seen[q.bank_id or ""], q.bank_id or ""))
