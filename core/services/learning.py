"""The review queue: every graded answer (or skip) reschedules the items it reviewed, and each
surface asks what is due, for the person behind any of their linked identities."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.domain.interview import Interview
from core.domain.learning import (
    ReviewCard,
    ReviewQueue,
    answer_grades,
    due_summary,
    end_of_day,
    review,
)
from core.domain.model import Attempt, ItemKind, UserRef
from core.ports import UnitOfWork
from core.services.deps import Deps

log = logging.getLogger(__name__)

WEEK = 7


def schedule_reviews(deps: Deps, *, interview: Interview, attempt: Attempt) -> None:
    """Reschedule what one graded answer or skip reviewed: its bank question, its improvement
    tags, and the due items a review session asked it for.

    Runs once per answer, right after the evaluation (or skip) is stored, in a unit of work of
    its own: a fault here is logged and never costs the candidate the evaluation. The review
    log's unique key (attempt, item) refuses a second run for the same answer."""
    try:
        with deps.uow() as uow:
            cards = _reviewed_cards(deps, uow, interview, attempt)
            uow.reviews.record(interview.session.identity_id, cards, attempt_id=attempt.id)
            uow.commit()
    except Exception:
        log.exception("could not schedule the reviews of attempt %s", attempt.id)


def _reviewed_cards(
    deps: Deps, uow: UnitOfWork, interview: Interview, attempt: Attempt
) -> list[ReviewCard]:
    asked = interview.question_at(attempt.position)
    question = asked.question
    evaluation = attempt.evaluation
    grades = answer_grades(
        question,
        score=evaluation.score if evaluation else None,
        tags=evaluation.tags if evaluation else (),
        stands_in_for=interview.stands_in_for(attempt.position),
    )
    if not grades:
        return []
    previous = uow.reviews.latest(interview.session.identity_id, grades.keys())
    now = deps.clock.now()
    topic = question.topics[0] if question.topics else ""
    cards = []
    for key, grade in sorted(grades.items()):
        before = previous.get(key)
        # Another question (one this answer stood in for) keeps its own pool and topic; the
        # question itself and its tags are placed where they were met now.
        elsewhere = key.kind is ItemKind.QUESTION and key.item != question.bank_id
        context = before if elsewhere and before is not None else None
        cards.append(
            review(
                before,
                key=key,
                grade=grade,
                at=now,
                role=context.role if context else question.role,
                difficulty=context.difficulty if context else question.difficulty,
                topic=context.topic if context else topic,
                score=evaluation.score if evaluation else None,
            )
        )
    return cards


@dataclass(frozen=True, slots=True)
class ReviewStatus:
    """What is due for one person: today, this week, and when the next item comes."""

    due_today: tuple[ReviewCard, ...]
    due_this_week: int  # today's included
    next_due: datetime | None  # the first item due after today (None: nothing scheduled)

    @property
    def summary(self) -> str:
        """ "3 due: caching ×2, SQL joins" (empty when nothing is due today)."""
        return due_summary(self.due_today) if self.due_today else ""


def review_queue(deps: Deps, *, user: UserRef) -> ReviewQueue:
    """Every item's card for the person behind `user` (all their linked identities)."""
    with deps.uow() as uow:
        identity = uow.identities.find(user)
        cards = uow.reviews.latest(identity.id) if identity else {}
    return ReviewQueue(tuple(cards.values()))


def review_status(deps: Deps, *, user: UserRef, zone: object = None) -> ReviewStatus:
    """Items due by the end of today (in `zone`, else the configured one) and this week."""
    return status_of(
        review_queue(deps, user=user), now=deps.clock.now(), zone=zone or deps.rules.timezone
    )


def status_of(queue: ReviewQueue, *, now: datetime, zone: object) -> ReviewStatus:
    today = end_of_day(now, zone)
    return ReviewStatus(
        due_today=tuple(queue.due_by(today)),
        due_this_week=queue.count_due_by(today + timedelta(days=WEEK - 1)),
        next_due=queue.next_due_after(today),
    )


def review_history(
    deps: Deps, *, scope: list[int], days: int = 90, limit: int = 300
) -> list[ReviewCard]:
    """The person's reviews of the last `days` days, newest first (each with its grade, score
    and next due day)."""
    if not scope:
        return []
    since = deps.clock.now() - timedelta(days=days)
    with deps.uow() as uow:
        return uow.reviews.history(scope, since=since, limit=limit)
