"""What a review session asks: the person's due items, each as one main question.

A due question is asked again once some days have passed since it was last seen; seen more
recently, its ideal answer is still fresh in mind, so a question the person has not met yet on
the same topic stands in for it. A due improvement tag gets such a fresh question from the pool
where it was last flagged. The answer to a stand-in reviews the item it stands in for.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from core.domain.learning import ReviewCard
from core.domain.model import ItemKind, PlannedQuestion, Question
from core.domain.roles import Difficulty, Role
from core.domain.selection import choose_question

RECENTLY_SEEN = timedelta(days=3)

Pool = Callable[[Role, Difficulty], Sequence[Question]]
LastSeen = Callable[[Role, Difficulty], Mapping[str, datetime]]


def plan_review(
    due: Sequence[ReviewCard],
    *,
    pool: Pool,
    last_seen: LastSeen,
    now: datetime,
    limit: int,
    rng: random.Random,
) -> tuple[PlannedQuestion, ...]:
    """Up to `limit` main questions for the due items, most overdue first."""
    planned: list[PlannedQuestion] = []
    due_questions = {c.key.item for c in due if c.key.kind is ItemKind.QUESTION}
    chosen: set[str] = set()
    for card in due:
        if len(planned) >= limit:
            break
        questions = pool(card.role, card.difficulty)
        if not questions:
            continue  # a pool that no longer exists (the bank changed)
        ask_again = (
            card.key.kind is ItemKind.QUESTION
            and now - card.reviewed_at >= RECENTLY_SEEN
            and card.key.item not in chosen
            and any(q.bank_id == card.key.item for q in questions)
        )
        if ask_again:
            planned.append(PlannedQuestion(card.key.item, card.role, card.difficulty))
            chosen.add(card.key.item)
            continue
        fresh = choose_question(
            questions,
            last_seen=last_seen(card.role, card.difficulty),
            in_this_session=chosen | due_questions,
            rng=rng,
            topic=card.topic or None,
        )
        if fresh.bank_id is None or fresh.bank_id in chosen | due_questions:
            continue  # the pool is exhausted: nothing fresh to stand in
        planned.append(
            PlannedQuestion(fresh.bank_id, card.role, card.difficulty, reviews=(card.key,))
        )
        chosen.add(fresh.bank_id)
    return tuple(planned)
