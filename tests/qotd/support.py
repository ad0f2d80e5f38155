"""Shared material of the question-of-the-day tests: a wired core on a backend, a recording
notifier, and a clock the tests move."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from core.bootstrap import Core, build_core
from core.config import Settings
from core.domain.model import UserRef
from core.domain.notices import DeliveryFailed, Notice
from core.domain.qotd import ChannelRef, QotdChange
from core.domain.qotd_parsing import parse_clock, parse_weekdays
from core.services.qotd_settings import configure_qotd
from tests.fakes import FakeClock

CHANNEL = ChannelRef("slack", "T1", "C-team")
ADMIN = UserRef("slack", "T1", "U-admin")


def _next_thursday_morning() -> datetime:
    # Real days ahead, not a fixed date: Redis expires the daily counters at the real clock.
    today = datetime.now(UTC).date()
    day = today + timedelta(days=(3 - today.weekday()) % 7 or 7)
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


# A Thursday, 08:00 UTC: before the default 09:00 post.
MORNING = _next_thursday_morning()
ANSWER = (
    "An index is a B-tree kept sorted on the column, so lookups read a few pages instead of "
    "scanning the table; every write must also update it, which costs time and storage."
)


class RecordingNotifier:
    """A Notifier that keeps what it was asked to send (optionally slowly, or refusing)."""

    def __init__(self, platform: str = "slack", *, delay: float = 0.0) -> None:
        self.platform = platform
        self.delay = delay
        self.sent: list[Notice] = []
        self.refuse: type[Notice] | None = None
        self._lock = threading.Lock()

    def send(self, notice: Notice) -> str | None:
        if self.delay:
            time.sleep(self.delay)
        if self.refuse is not None and isinstance(notice, self.refuse):
            raise DeliveryFailed("refused by the test")
        with self._lock:
            self.sent.append(notice)
            return notice.replaces or f"m{len(self.sent)}"

    def of(self, kind: type[Any]) -> list[Any]:
        with self._lock:
            return [n for n in self.sent if isinstance(n, kind)]


def qotd_settings(backend: Any, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": backend.database_url,
        "redis_url": backend.redis_url,
        "redis_prefix": backend.redis_prefix,
        "qotd_evaluation_workers": 0,
        "_env_file": None,
    }
    return Settings(**(values | overrides))


def make_core(
    settings: Settings, notifier: RecordingNotifier, now: datetime = MORNING, *, llm: Any = None
) -> Core:
    core = build_core(settings, auto_migrate=True, llm=llm)
    core.deps.clock = FakeClock(now)
    core.use_notifiers({notifier.platform: notifier})
    return core


def set_up(core: Core, channel: ChannelRef = CHANNEL, **change: str) -> None:
    """An admin sets the channel's question of the day (defaults: 09:00–17:00 UTC, Mon–Fri)."""
    configure_qotd(
        core.deps,
        channel=channel,
        actor=ADMIN,
        is_admin=True,
        change=QotdChange(
            post_at=parse_clock(change.get("at", "09:00")),
            closes_at=parse_clock(change.get("until", "17:00")),
            timezone=change.get("tz", "UTC"),
            weekdays=parse_weekdays(change.get("days", "mon-fri")),
        ),
    )


def person(n: int, platform: str = "slack", tenant: str = "T1") -> UserRef:
    return UserRef(platform, tenant, f"U{n:04d}")


def cores(settings: Settings, notifier: RecordingNotifier, count: int) -> Iterator[Core]:
    for _ in range(count):
        yield make_core(settings, notifier)
