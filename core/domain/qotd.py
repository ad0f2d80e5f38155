"""The team question of the day: a channel's schedule, each day's question, the answers, and the
rules about them (when a question is due and open, one answer per person, who may configure).

Every surface asks these; none recomputes them. Figures shown after the window closes (the
reveal, the leaderboard, streaks) live in core.domain.qotd_figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.domain.model import Evaluation, LlmUsage, Question, UserRef
from core.domain.qotd_errors import (  # noqa: F401  (re-exported: the errors of the feature)
    InvalidQotdSetting,
    NotAnAdmin,
    QotdAlreadyAnswered,
    QotdAlreadyPosted,
    QotdClosed,
    QotdLimitReached,
    QotdNotConfigured,
    QotdNotFound,
)
from core.domain.roles import Difficulty, Role

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_WORDS = {
    "weekdays": frozenset(range(5)),
    "workdays": frozenset(range(5)),
    "daily": frozenset(range(7)),
    "everyday": frozenset(range(7)),
    "weekends": frozenset({5, 6}),
}
DEFAULT_POST_AT = time(9, 0)
DEFAULT_CLOSES_AT = time(17, 0)
# A claim whose poster vanished (crashed mid-post) may be taken over after this long.
CLAIM_LEASE = timedelta(minutes=10)
# Reveal waits this long after the window for answers still being evaluated (a burst).
REVEAL_GRACE = timedelta(minutes=30)


# ---------------------------------------------------------------- the schedule


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel on one platform and tenant (Slack workspace, Discord guild)."""

    platform: str
    tenant: str
    channel: str

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.tenant}:{self.channel}"


@dataclass(frozen=True, slots=True)
class QotdSettings:
    """What an admin chooses; `QotdChange` edits it."""

    post_at: time = DEFAULT_POST_AT
    closes_at: time = DEFAULT_CLOSES_AT
    timezone: str = "UTC"
    weekdays: frozenset[int] = frozenset(range(5))
    roles: tuple[Role, ...] = (Role.BACKEND,)
    difficulty: Difficulty = Difficulty.MEDIUM

    def check(self) -> QotdSettings:
        if self.closes_at <= self.post_at:
            raise InvalidQotdSetting(
                f"The answer window must end after the question is posted "
                f"({self.post_at:%H:%M}); choose an `until` later that day."
            )
        return self


@dataclass(frozen=True, slots=True)
class QotdChange:
    """The settings an admin changed (None: keep what is there)."""

    post_at: time | None = None
    closes_at: time | None = None
    timezone: str | None = None
    weekdays: frozenset[int] | None = None
    roles: tuple[Role, ...] | None = None
    difficulty: Difficulty | None = None

    def applied_to(self, settings: QotdSettings) -> QotdSettings:
        changes = {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}
        return replace(settings, **changes).check()


@dataclass(frozen=True, slots=True)
class QotdSchedule:
    id: int
    channel: ChannelRef
    settings: QotdSettings
    paused: bool = False
    updated_by: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def local_day(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()

    def window(self, day: date) -> tuple[datetime, datetime]:
        """When the question of `day` opens and closes, in UTC."""
        zone, s = self.zone, self.settings
        opens = datetime.combine(day, s.post_at, tzinfo=zone).astimezone(UTC)
        return opens, datetime.combine(day, s.closes_at, tzinfo=zone).astimezone(UTC)

    def is_scheduled(self, day: date) -> bool:
        return day.weekday() in self.settings.weekdays

    def due_day(self, now: datetime) -> date | None:
        """The day whose question should be up now: scheduled, not paused, inside the window
        (a runner that was down all day posts nothing late, after the window)."""
        day = self.local_day(now)
        if self.paused or not self.is_scheduled(day):
            return None
        opens, closes = self.window(day)
        return day if opens <= now < closes else None

    def next_post(self, now: datetime) -> datetime | None:
        """When the next question will be posted (None while paused)."""
        if self.paused:
            return None
        today = self.local_day(now)
        for offset in range(8):
            day = today + timedelta(days=offset)
            opens, _ = self.window(day)
            if self.is_scheduled(day) and opens > now:
                return opens
        return None


def week_of(day: date) -> str:
    """The ISO week a day falls in, as stored: "2026-W48"."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


# ---------------------------------------------------------------- one day's question


class PostStatus(StrEnum):
    CLAIMED = "claimed"  # a runner took the day and is posting it
    OPEN = "open"  # posted; answers are taken until it closes
    REVEALING = "revealing"  # a runner is posting the reveal
    REVEALED = "revealed"


@dataclass(frozen=True, slots=True)
class QotdPost:
    id: int
    schedule_id: int
    channel: ChannelRef
    day: date
    question: Question
    opens_at: datetime
    closes_at: datetime
    status: PostStatus
    message_id: str | None = None
    claimed_at: datetime | None = None
    revealed_at: datetime | None = None

    def accepts_answers(self, now: datetime) -> bool:
        return self.status is PostStatus.OPEN and now < self.closes_at

    def claim_is_stale(self, now: datetime) -> bool:
        """Posting stalled (the runner died): another may take it while the window is open."""
        stalled = self.claimed_at is not None and self.claimed_at + CLAIM_LEASE <= now
        return self.status is PostStatus.CLAIMED and stalled and now < self.closes_at

    def ready_to_reveal(self, now: datetime, *, pending: int) -> bool:
        """Closed, and every answer evaluated (or the grace for a burst has run out)."""
        if self.status is not PostStatus.OPEN or now < self.closes_at:
            return False
        return pending == 0 or now >= self.closes_at + REVEAL_GRACE

    @property
    def title(self) -> str:
        q = self.question
        return f"Question of the day · {q.role.label} · {q.difficulty.label}"


class AnswerStatus(StrEnum):
    PENDING = "pending"
    EVALUATED = "evaluated"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class QotdAnswer:
    """One person's answer to one day's question (at most one each)."""

    id: int
    post_id: int
    identity_id: int
    user: UserRef
    delivery_id: str
    answer: str
    status: AnswerStatus
    created_at: datetime
    evaluation: Evaluation | None = None
    cached: bool = False
    usage: LlmUsage | None = None
    error_kind: str | None = None
    failures: int = 0
    last_failed_at: datetime | None = None
    auto_retry: bool = True
    evaluated_at: datetime | None = None
    delivered_at: datetime | None = None
    reply_handle: str | None = field(default=None, repr=False)  # a short-lived platform token
    reply_until: datetime | None = None

    def reply_handle_at(self, now: datetime) -> str | None:
        """Where the surface can still answer the person privately (e.g. Discord's ephemeral
        follow-up, valid 15 minutes); None once it expired: then a DM."""
        if self.reply_handle and self.reply_until and now < self.reply_until:
            return self.reply_handle
        return None
