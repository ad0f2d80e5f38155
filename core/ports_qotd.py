"""Ports of the team question of the day: its repository (on the unit of work as `uow.qotd`),
the queue evaluations wait in, and the global LLM rate limiter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from core.domain.model import Evaluation, LlmUsage, Question
from core.domain.qotd import ChannelRef, QotdAnswer, QotdPost, QotdSchedule, QotdSettings
from core.domain.qotd_figures import MemberWeek, ScoredAnswer


@dataclass(frozen=True, slots=True)
class PostFigures:
    """A posted question with how it went (the web's channel history)."""

    post: QotdPost
    answered: int
    average_score: float | None


@dataclass(frozen=True, slots=True)
class MyAnswer:
    """One of a person's own answers, with its question (their history)."""

    post: QotdPost
    answer: QotdAnswer


class QotdRepository(Protocol):
    # -- schedules
    def schedule_at(self, channel: ChannelRef) -> QotdSchedule | None: ...

    def schedules_in(self, platform: str | None, tenant: str | None) -> list[QotdSchedule]: ...

    def active_schedules(self) -> list[QotdSchedule]: ...

    def save_schedule(
        self, channel: ChannelRef, settings: QotdSettings, *, by: str, at: datetime
    ) -> QotdSchedule: ...

    def set_paused(self, schedule_id: int, paused: bool, *, by: str, at: datetime) -> None: ...

    # -- posts (the (schedule, day) unique key is the posting claim)
    def add_post(
        self,
        schedule: QotdSchedule,
        *,
        day: date,
        question: Question,
        opens_at: datetime,
        closes_at: datetime,
        at: datetime,
    ) -> QotdPost: ...  # DuplicateKey when the day is taken

    def post_on(self, schedule_id: int, day: date) -> QotdPost | None: ...

    def get_post(self, post_id: int) -> QotdPost | None: ...

    def mark_posted(self, post_id: int, *, message_id: str | None, at: datetime) -> None: ...

    def drop_claim(self, post_id: int) -> None: ...  # posting failed: the day is free again

    def retake_claim(self, post_id: int, *, seen: datetime, at: datetime) -> bool: ...

    def bank_ids_posted(self, schedule_id: int) -> dict[str, datetime]:
        """When this schedule last posted each bank question."""
        ...

    def closing(self, *, now: datetime, stale_before: datetime, limit: int) -> list[QotdPost]: ...

    def claim_reveal(self, post_id: int, *, at: datetime, stale_before: datetime) -> bool: ...

    def end_reveal(self, post_id: int, *, revealed: bool, at: datetime) -> None: ...

    def recent_posts(self, schedule_id: int, *, since: date, limit: int) -> list[PostFigures]: ...

    # -- answers
    def add_answer(
        self,
        *,
        post_id: int,
        identity_id: int,
        delivery_id: str,
        answer: str,
        at: datetime,
        reply_handle: str | None,
        reply_until: datetime | None,
    ) -> QotdAnswer: ...  # DuplicateKey: this person (or this delivery) answered already

    def answer_by(self, post_id: int, identity_id: int) -> QotdAnswer | None: ...

    def get_answer(self, answer_id: int) -> QotdAnswer | None: ...

    def record_evaluation(
        self,
        answer_id: int,
        evaluation: Evaluation,
        *,
        cached: bool,
        usage: LlmUsage | None,
        at: datetime,
    ) -> bool: ...  # False when no longer pending/failed

    def record_failure(
        self, answer_id: int, *, error_kind: str, auto_retry: bool, at: datetime
    ) -> bool: ...

    def claim_delivery(self, answer_id: int, *, at: datetime) -> bool: ...

    def release_delivery(self, answer_id: int) -> None: ...

    def retryable_answers(
        self, *, stuck_before: datetime, max_failures: int, limit: int
    ) -> list[QotdAnswer]: ...  # failed and retryable, or pending and stuck

    def undelivered(self, *, before: datetime, limit: int) -> list[QotdAnswer]: ...

    def pending_count(self, post_id: int) -> int: ...

    def scored_answers(self, post_id: int) -> tuple[int, list[ScoredAnswer]]: ...

    def answers_of(self, identity_ids: Sequence[int], *, limit: int) -> list[MyAnswer]: ...

    # -- the leaderboard (opt-in)
    def join(self, identity_id: int, *, at: datetime) -> bool: ...  # False: already a member

    def leave(self, identity_id: int) -> bool: ...

    def is_member(self, identity_id: int) -> bool: ...

    def member_count(self, platform: str, tenant: str) -> int: ...

    def member_weeks(
        self, schedule_id: int, *, since: datetime, until: datetime
    ) -> list[MemberWeek]: ...

    def post_days(self, schedule_id: int, *, since: date) -> list[date]: ...

    def answered_days(
        self, schedule_id: int, identity_ids: Sequence[int], *, since: date
    ) -> dict[int, set[date]]: ...

    def participation(self, schedule_id: int, *, since: date) -> list[tuple[date, int]]: ...

    def claim_week(self, schedule_id: int, week: str, *, at: datetime) -> bool: ...

    def drop_week(self, schedule_id: int, week: str) -> None: ...


class EvaluationQueue(Protocol):
    """Where stored answers wait for their evaluation (a local worker pool, or SQS on AWS)."""

    def submit(self, answer_id: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Reservation:
    granted: bool
    wait_seconds: float  # granted: sleep this long, then call; refused: the turn is this far off


class RateLimiter(Protocol):
    """A global token bucket per provider/model: callers reserve a turn and wait for it."""

    def reserve(
        self, bucket: str, *, per_minute: float, burst: int, max_wait: float
    ) -> Reservation: ...


class LlmTurns(Protocol):
    """Waits for this process's turn at the model (core.services.throttle.LlmThrottle)."""

    def take_turn(self, provider: str = "") -> None: ...  # LlmBusy when it is too far off
