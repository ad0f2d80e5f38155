"""What a question of the day adds up to: the reveal's figures, the weekly leaderboard and
streaks. Only people who joined the leaderboard are ever named or ranked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from core.domain.presentation import BANDS, ScoreBand, score_band
from core.domain.qotd import QotdPost

TOP_AUTHORS = 3
LEADERBOARD_SIZE = 10


@dataclass(frozen=True, slots=True)
class ScoredAnswer:
    """An evaluated answer as the figures need it: a score, and a name only with consent."""

    score: float
    name: str | None  # None unless the author joined the leaderboard


@dataclass(frozen=True, slots=True)
class BandCount:
    band: ScoreBand
    count: int


@dataclass(frozen=True, slots=True)
class RevealSummary:
    post: QotdPost
    answered: int  # every answer taken, evaluated or not
    pending: int  # still being evaluated when the reveal went out
    average_score: float | None
    distribution: tuple[BandCount, ...]
    top: tuple[ScoredAnswer, ...]  # opted-in authors only


def distribution(scores: Iterable[float]) -> tuple[BandCount, ...]:
    """How many answers fell in each score band, strongest band first (empty bands included)."""
    counts = {band.name: 0 for _, band in BANDS}
    for score in scores:
        counts[score_band(score).name] += 1
    return tuple(BandCount(band, counts[band.name]) for _, band in BANDS)


def summarize_reveal(
    post: QotdPost, answers: Sequence[ScoredAnswer], *, total: int
) -> RevealSummary:
    """The reveal of one question from its evaluated answers (`total` counts every answer)."""
    scores = [a.score for a in answers]
    named = sorted((a for a in answers if a.name), key=lambda a: (-a.score, a.name or ""))
    return RevealSummary(
        post=post,
        answered=total,
        pending=max(0, total - len(answers)),
        average_score=round(sum(scores) / len(scores), 1) if scores else None,
        distribution=distribution(scores),
        top=tuple(named[:TOP_AUTHORS]),
    )


def streak(post_days: Sequence[date], answered: set[date], *, today: date) -> int:
    """Consecutive scheduled days answered, newest first. Today's question, still unanswered,
    does not break the streak: the day is not over."""
    count = 0
    for day in sorted(post_days, reverse=True):
        if day in answered:
            count += 1
        elif day == today:
            continue
        else:
            break
    return count


@dataclass(frozen=True, slots=True)
class MemberWeek:
    """One opted-in person's answers in one channel over a week (from the read side)."""

    identity_id: int
    name: str
    answered: int
    total_score: float


@dataclass(frozen=True, slots=True)
class LeaderboardEntry:
    rank: int
    name: str
    answered: int
    points: float  # the sum of the week's scores: showing up counts as much as scoring high
    average_score: float | None
    streak: int


@dataclass(frozen=True, slots=True)
class Leaderboard:
    week: str  # "2026-W48"
    first_day: date
    entries: tuple[LeaderboardEntry, ...]
    members: int  # people who joined, whether or not they answered this week


def rank(
    week: str, first_day: date, rows: Sequence[MemberWeek], streaks: dict[int, int], *, members: int
) -> Leaderboard:
    """Points first, then the average, then the name; equal points and average share a rank."""
    ordered = sorted(rows, key=lambda r: (-r.total_score, -_average(r), r.name.casefold()))
    entries: list[LeaderboardEntry] = []
    for position, row in enumerate(ordered[:LEADERBOARD_SIZE], start=1):
        previous = entries[-1] if entries else None
        tied = previous is not None and (previous.points, previous.average_score) == (
            round(row.total_score, 1),
            round(_average(row), 1),
        )
        entries.append(
            LeaderboardEntry(
                rank=previous.rank if tied and previous else position,
                name=row.name,
                answered=row.answered,
                points=round(row.total_score, 1),
                average_score=round(_average(row), 1) if row.answered else None,
                streak=streaks.get(row.identity_id, 0),
            )
        )
    return Leaderboard(week=week, first_day=first_day, entries=tuple(entries), members=members)


def _average(row: MemberWeek) -> float:
    return row.total_score / row.answered if row.answered else 0.0


@dataclass(frozen=True, slots=True)
class MyQotd:
    """A person's own standing in a workspace: shown only to them."""

    joined: bool
    streak: int
    answered: int  # answers this week
    rank: int | None  # on this week's leaderboard, when joined and ranked
