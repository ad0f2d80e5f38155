"""The personal learning loop's rules: how an answer grades the items it reviews, when each item
comes back (FSRS, the scheduler Anki uses), what is due, and how the level of an adaptive
interview moves.

An item is a bank question or an improvement tag (a weak skill such as "trade-offs"); its card
is the FSRS memory state after its latest review. Scores map to FSRS grades through the same
score bands every surface shows, so "Strong answer" is what goes far into the future.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum
from statistics import fmean

from fsrs import Card, Rating, Scheduler, State

from core.domain.model import ItemKey, ItemKind, Question
from core.domain.presentation import score_band, tag_label
from core.domain.roles import Difficulty, Role

__all__ = [
    "Grade",
    "ReviewCard",
    "ReviewQueue",
    "answer_grades",
    "difficulty_step",
    "grade_for",
    "review",
]


class Grade(IntEnum):
    """FSRS's four ratings (same values as fsrs.Rating)."""

    AGAIN = 1  # forgotten: a weak answer, or a skip
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


# The score band an answer falls in (core.domain.presentation) decides its grade.
GRADE_OF_BAND = {"strong": Grade.EASY, "good": Grade.GOOD, "fair": Grade.HARD, "weak": Grade.AGAIN}
# An improvement tag the grader named on an answer was a weakness of that answer: it is never
# graded better than Hard, however good the rest of the answer was.
FLAGGED_TAG_CEILING = Grade.HARD
# Adaptive interviews: a strong answer moves the next question up a level, a weak one (or a
# skip) down, anything between keeps the level.
STEP_OF_GRADE = {Grade.EASY: 1, Grade.GOOD: 0, Grade.HARD: 0, Grade.AGAIN: -1}

# Interview questions are reviewed at most daily: no minute-long learning steps (those suit
# flash cards), every grade schedules whole days. No fuzzing: a person's few items need no
# load spreading, and the same answers must give the same schedule.
_SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def grade_for(score: float | None) -> Grade:
    """The FSRS grade of an answer's score; None (a skipped question) counts as forgotten."""
    if score is None:
        return Grade.AGAIN
    return GRADE_OF_BAND[score_band(score).name]


def difficulty_step(score: float | None) -> int:
    """+1, 0 or -1: where an adaptive interview's next main question goes after this score."""
    return STEP_OF_GRADE[grade_for(score)]


def answer_grades(
    question: Question,
    *,
    score: float | None,
    tags: Sequence[str] = (),
    stands_in_for: Sequence[ItemKey] = (),
) -> dict[ItemKey, Grade]:
    """Every item one answer (or skip) reviews, with its grade: the bank question itself, each
    improvement tag the grader named (at most Hard), and the due items a review session asked
    this question for (a tag it no longer carries has recovered: the answer's own grade)."""
    grade = grade_for(score)
    grades: dict[ItemKey, Grade] = {}
    if question.bank_id:
        grades[ItemKey(ItemKind.QUESTION, question.bank_id)] = grade
    for tag in tags:
        grades[ItemKey(ItemKind.TAG, tag)] = min(grade, FLAGGED_TAG_CEILING)
    for key in stands_in_for:
        grades.setdefault(key, grade)
    return grades


@dataclass(frozen=True, slots=True)
class ReviewCard:
    """An item's schedule after its latest review (by any of the person's linked identities)."""

    key: ItemKey
    role: Role  # the pool it was met in: where a fresh question on it is drawn from
    difficulty: Difficulty
    topic: str  # what it is about (the question's first topic), for "3 due: caching ×2, …"
    due_at: datetime
    reviewed_at: datetime
    grade: Grade  # of the latest review
    score: float | None  # of the latest review (None: skipped)
    stability: float  # FSRS: days until recall drops to 90%
    fsrs_difficulty: float  # FSRS: 1 (easy to remember) … 10
    reps: int = 1
    lapses: int = 0  # reviews graded Again

    @property
    def label(self) -> str:
        """ "caching" for a question (its topic), "Trade-offs" for an improvement tag."""
        if self.key.kind is ItemKind.TAG:
            return tag_label(self.key.item)
        return self.topic.replace("-", " ") if self.topic else self.role.label

    def due_by(self, moment: datetime) -> bool:
        return self.due_at <= moment


def review(
    previous: ReviewCard | None,
    *,
    key: ItemKey,
    grade: Grade,
    at: datetime,
    role: Role,
    difficulty: Difficulty,
    topic: str,
    score: float | None,
) -> ReviewCard:
    """The item's card after one more review graded `grade` at `at` (FSRS decides the due day)."""
    card = Card(card_id=1, state=State.Learning, step=0, due=at)  # a new item: first review
    if previous is not None:
        card = Card(
            card_id=1,
            state=State.Review,
            stability=previous.stability,
            difficulty=previous.fsrs_difficulty,
            due=previous.due_at.astimezone(UTC),
            last_review=previous.reviewed_at.astimezone(UTC),
        )
    reviewed, _log = _SCHEDULER.review_card(card, Rating(int(grade)), at.astimezone(UTC))
    return ReviewCard(
        key=key,
        role=role,
        difficulty=difficulty,
        topic=topic,
        due_at=reviewed.due,
        reviewed_at=at,
        grade=grade,
        score=score,
        stability=float(reviewed.stability or 0.0),
        fsrs_difficulty=float(reviewed.difficulty or 0.0),
        reps=(previous.reps if previous else 0) + 1,
        lapses=(previous.lapses if previous else 0) + (grade is Grade.AGAIN),
    )


@dataclass(frozen=True, slots=True)
class ReviewQueue:
    """A person's review cards (the latest of each item across their linked identities)."""

    cards: tuple[ReviewCard, ...]

    def due_by(self, moment: datetime) -> list[ReviewCard]:
        """Due at `moment`, most overdue first (a question before a tag due at the same time)."""
        due = [c for c in self.cards if c.due_by(moment)]
        return sorted(due, key=lambda c: (c.due_at, c.key.kind is ItemKind.TAG, c.key.item))

    def next_due_after(self, moment: datetime) -> datetime | None:
        return min((c.due_at for c in self.cards if c.due_at > moment), default=None)

    def count_due_by(self, moment: datetime) -> int:
        return sum(c.due_by(moment) for c in self.cards)


def end_of_day(moment: datetime, zone: object, days: int = 0) -> datetime:
    """Midnight ending the local day of `moment` (plus `days` more), in UTC: "due today" is due
    before it, since FSRS schedules in whole days from the time of the review."""
    local = moment.astimezone(zone)  # type: ignore[arg-type]
    following = datetime.combine(local.date() + timedelta(days=days + 1), datetime.min.time())
    return following.replace(tzinfo=local.tzinfo).astimezone(UTC)


def due_summary(cards: Iterable[ReviewCard], *, limit: int = 4) -> str:
    """ "3 due: caching ×2, SQL joins" — the due items by label, most frequent first."""
    due = list(cards)
    counts = Counter(card.label for card in due)
    parts = [f"{label} ×{n}" if n > 1 else label for label, n in counts.most_common(limit)]
    if len(counts) > limit:
        parts.append("…")
    return f"{len(due)} due: {', '.join(parts)}"


@dataclass(frozen=True, slots=True)
class Mastery:
    """Per improvement tag, the average score of the answers that reviewed it, day by day."""

    days: tuple[date, ...]
    by_tag: dict[str, tuple[float | None, ...]]  # tag slug -> one value per day (None: no review)


def mastery_by_tag(history: Iterable[ReviewCard], *, zone: object, tags: int = 5) -> Mastery:
    """The `tags` most reviewed tags over the days they were reviewed (days in `zone`): rising
    lines are weaknesses being mastered."""
    scores: dict[str, dict[date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for card in history:
        if card.key.kind is ItemKind.TAG and card.score is not None:
            day = card.reviewed_at.astimezone(zone).date()  # type: ignore[arg-type]
            scores[card.key.item][day].append(card.score)
    busiest = sorted(scores, key=lambda t: (-sum(map(len, scores[t].values())), t))[:tags]
    days = tuple(sorted({d for t in busiest for d in scores[t]}))
    return Mastery(
        days=days,
        by_tag={
            t: tuple(round(fmean(scores[t][d]), 1) if d in scores[t] else None for d in days)
            for t in busiest
        },
    )
