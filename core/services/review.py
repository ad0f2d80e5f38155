"""Review sessions: an interview made of the person's due items, through the normal start
(quota, delivery) and answer path."""

from __future__ import annotations

from core.domain.errors import NothingToReview
from core.domain.learning import ReviewQueue, end_of_day
from core.domain.model import ConversationRef
from core.domain.results import SessionStarted
from core.domain.review_plan import plan_review
from core.domain.roles import Difficulty, Role
from core.services.banks import review_pools
from core.services.deps import Deps
from core.services.sessions import Deliver, start_session


def start_review(
    deps: Deps,
    *,
    conversation: ConversationRef,
    questions: int | None = None,
    display_name: str | None = None,
    deliver: Deliver | None = None,
) -> SessionStarted:
    """Start a session of the items due today (across every linked identity), at most
    `questions` (default: the usual length) main questions; NothingToReview (with when the
    next item is due) when there is none, before any quota is counted."""
    now = deps.clock.now()
    limit = min(questions or deps.rules.questions_per_session, deps.rules.max_questions_per_session)
    with deps.uow() as uow:
        identity = uow.identities.find(conversation.user_ref)
        if identity is None:
            raise NothingToReview(None)
        queue = ReviewQueue(tuple(uow.reviews.latest(identity.id).values()))
        seen: dict[tuple[Role, Difficulty], dict] = {}

        def last_seen(role: Role, difficulty: Difficulty) -> dict:
            if (role, difficulty) not in seen:  # one query per pool the plan draws from
                seen[(role, difficulty)] = uow.questions.last_seen(identity.id, role, difficulty)
            return seen[(role, difficulty)]

        today = end_of_day(now, deps.rules.timezone)
        due = queue.due_by(today)
        plan = plan_review(
            due,
            pool=review_pools(deps, uow, conversation, (c.key.item for c in due)),
            last_seen=last_seen,
            now=now,
            limit=limit,
            rng=deps.random,
        )
    if not plan:
        upcoming = queue.next_due_after(today)
        raise NothingToReview(upcoming.astimezone(deps.rules.timezone) if upcoming else None)
    return start_session(
        deps,
        conversation=conversation,
        role=plan[0].role,
        difficulty=plan[0].difficulty,
        display_name=display_name,
        deliver=deliver,
        plan=plan,
    )
