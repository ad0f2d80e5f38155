"""Read-side views: session lists, details and analytics, as plain values."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

from core.domain.model import AskedQuestion, Attempt, Session

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SessionFilter:
    role: str | None = None
    difficulty: str | None = None
    platform: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class SessionListItem:
    session: Session
    answered: int  # main questions with a scored answer (follow-ups not counted)
    average_score: float | None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class SessionDetail:
    session: Session
    entries: list[tuple[AskedQuestion, Attempt | None]]

    @property
    def average_score(self) -> float | None:
        scores = [a.evaluation.score for _, a in self.entries if a and a.evaluation]
        return round(sum(scores) / len(scores), 1) if scores else None


@dataclass(frozen=True, slots=True)
class Breakdown:
    """One row of a grouped figure: by role, difficulty, tag, platform or workspace."""

    key: str
    count: int
    average_score: float | None


@dataclass(frozen=True, slots=True)
class LlmFigures:
    calls: int = 0
    failures: int = 0
    average_latency_ms: float | None = None
    p95_latency_ms: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True, slots=True)
class Analytics:
    sessions: int
    attempts: int
    average_score: float | None
    attempts_per_session: float | None
    sessions_per_day: list[tuple[date, int]]
    score_trend: list[tuple[date, float]]
    by_role: list[Breakdown]
    by_difficulty: list[Breakdown]
    by_tag: list[Breakdown]  # improvement tags: how often, and the average score when they appear
    by_platform: list[Breakdown]
    cached_evaluations: int
    evaluations: int
    llm: LlmFigures
    practice_days: list[date]
    by_workspace: list[Breakdown] = field(default_factory=list)  # team-wide view only
    # Sessions started by one identity on one day, for each (identity, day) with practice.
    sessions_per_person_day: list[int] = field(default_factory=list)

    @property
    def cache_hit_rate(self) -> float | None:
        return self.cached_evaluations / self.evaluations if self.evaluations else None

    def quota_use(self, limit: int) -> float | None:
        """Share of the daily quota used on the days people practised (1.0: always all of it)."""
        counts = self.sessions_per_person_day
        return sum(min(n, limit) for n in counts) / (limit * len(counts)) if counts else None

    def days_at_limit(self, limit: int) -> int:
        """How many times someone used the whole daily quota (and may have been refused)."""
        return sum(n >= limit for n in self.sessions_per_person_day)

    def streak_days(self, today: date) -> int:
        """Consecutive practice days ending today or yesterday (days are in the quota zone)."""
        days = sorted(set(self.practice_days), reverse=True)
        if not days or (today - days[0]).days > 1:
            return 0
        streak = 1
        for newer, older in itertools.pairwise(days):
            if (newer - older).days != 1:
                break
            streak += 1
        return streak
