"""Opt-in review reminders: what `remind daily 09:00 Europe/Paris` means, when the next one is
due, and the message itself (a Notice each chat surface renders its own way)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.domain.errors import InvalidReminder
from core.domain.notices import Notice

__all__ = ["ReminderChoice", "ReviewReminder", "next_occurrence", "parse_reminder", "person_key"]

OFF_WORDS = frozenset({"off", "stop", "none", "disable"})


@dataclass(frozen=True, slots=True)
class ReminderChoice:
    """A daily reminder at `at` (local time in `zone`), or none at all (`at` None: off)."""

    at: time | None
    zone: str = "UTC"

    @property
    def is_off(self) -> bool:
        return self.at is None

    @property
    def describe(self) -> str:
        if self.at is None:
            return "Review reminders are off."
        return f"I'll remind you daily at {self.at:%H:%M} ({self.zone}) when reviews are due."


def parse_reminder(text: str | None, *, default_zone: str = "UTC") -> ReminderChoice:
    """`daily 09:00 Europe/Paris`, `09:00`, `9:30 UTC`, or `off`; a clear refusal otherwise."""
    words = (text or "").split()
    if words and words[0].lower() == "daily":
        words = words[1:]
    if len(words) == 1 and words[0].lower() in OFF_WORDS:
        return ReminderChoice(None)
    if not words or len(words) > 2:
        raise InvalidReminder("Say when to remind you.")
    at = _time_of_day(words[0])
    zone = words[1] if len(words) == 2 else default_zone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidReminder(f"I don't know the time zone '{zone}'.") from None
    return ReminderChoice(at, zone)


def _time_of_day(word: str) -> time:
    hours, _, minutes = word.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise InvalidReminder(f"'{word}' is not a time of day (HH:MM).")
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        raise InvalidReminder(f"'{word}' is not a time of day (HH:MM).")
    return time(int(hours), int(minutes))


def next_occurrence(at: time, zone: str, after: datetime) -> datetime:
    """The first local `at` in `zone` strictly after `after`, in UTC."""
    tz = ZoneInfo(zone)
    local_day = after.astimezone(tz).date()
    for offset in range(3):  # today, tomorrow (or the day after, across a DST jump)
        moment = _at_on(local_day + timedelta(days=offset), at, tz)
        if moment > after:
            return moment
    raise AssertionError("a daily time always occurs within three days")


def _at_on(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def occurrence_on(day: date, at: time, zone: str) -> datetime:
    """`at` on the local `day` in `zone`, in UTC."""
    return _at_on(day, at, ZoneInfo(zone))


def local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def person_key(identity_id: int, web_user_id: str | None) -> str:
    """Who "once a day" is counted for: the web account once linked (every linked identity
    together), else the chat identity alone."""
    return f"account:{web_user_id}" if web_user_id else f"identity:{identity_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewReminder(Notice):
    """ "3 due: caching ×2, SQL joins — start review", as a direct message."""

    due: int
    summary: str  # "3 due: caching ×2, SQL joins" (core.domain.learning.due_summary)

    @property
    def text(self) -> str:
        return f"{self.summary} — start review"
