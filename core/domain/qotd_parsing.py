"""Reading what admins type (Slack words, Discord options) into a question-of-the-day change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.domain.errors import UnknownDifficulty, UnknownRole
from core.domain.qotd import WEEKDAY_WORDS, WEEKDAYS, QotdChange
from core.domain.qotd_errors import InvalidQotdSetting
from core.domain.roles import Difficulty, Role


def parse_clock(text: str) -> time:
    """ "9:30", "09:30", "17h", "5pm" -> a local time of day."""
    raw = text.strip().lower().replace("h", ":").rstrip(":")
    suffix = ""
    if raw.endswith(("am", "pm")):
        raw, suffix = raw[:-2].strip(), raw[-2:]
    hours, _, minutes = raw.partition(":")
    try:
        hour, minute = int(hours), int(minutes or 0)
    except ValueError:
        raise InvalidQotdSetting(f"'{text}' is not a time of day; use 24-hour HH:MM.") from None
    if suffix:
        if not 1 <= hour <= 12:
            raise InvalidQotdSetting(f"'{text}' is not a time of day.")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise InvalidQotdSetting(f"'{text}' is not a time of day; use 24-hour HH:MM.")
    return time(hour, minute)


def parse_weekdays(text: str) -> frozenset[int]:
    """ "mon-fri", "mon,wed,fri", "weekdays", "daily" -> weekday numbers (Monday is 0)."""
    words = text.strip().lower().replace(" ", ",")
    if words in WEEKDAY_WORDS:
        return WEEKDAY_WORDS[words]
    days: set[int] = set()
    for part in filter(None, words.split(",")):
        first, _, last = part.partition("-")
        try:
            start = WEEKDAYS.index(first[:3])
            end = WEEKDAYS.index(last[:3]) if last else start
        except ValueError:
            raise InvalidQotdSetting(
                f"'{text}' names no weekdays; use e.g. mon-fri, mon,wed,fri, weekdays or daily."
            ) from None
        span = range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
        days.update(span)
    if not days:
        raise InvalidQotdSetting("Name at least one weekday, e.g. mon-fri.")
    return frozenset(days)


def parse_zone(text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidQotdSetting(
            f"Unknown time zone '{text}'; use an IANA name such as Europe/Paris or UTC."
        ) from None
    return text.strip()


def parse_roles(text: str) -> tuple[Role, ...]:
    try:
        roles = tuple(dict.fromkeys(Role.parse(p) for p in text.split(",") if p.strip()))
    except UnknownRole as error:
        raise InvalidQotdSetting(error.message) from None
    if not roles:
        raise InvalidQotdSetting("Name at least one role, e.g. backend or backend,frontend.")
    return roles


def parse_difficulty(text: str) -> Difficulty:
    try:
        return Difficulty.parse(text)
    except UnknownDifficulty as error:
        raise InvalidQotdSetting(error.message) from None


# What admins may call each setting (Slack words, Discord option names).
SETTING_NAMES = {
    "at": "at",
    "time": "at",
    "until": "until",
    "closes": "until",
    "tz": "timezone",
    "timezone": "timezone",
    "zone": "timezone",
    "days": "days",
    "weekdays": "days",
    "roles": "roles",
    "role": "roles",
    "difficulty": "difficulty",
    "level": "difficulty",
}


def change_from(options: Mapping[str, str]) -> QotdChange:
    """The change an admin asked for, from named values ("at": "09:30", "days": "mon-fri")."""
    named: dict[str, str] = {}
    for key, value in options.items():
        name = SETTING_NAMES.get(key.strip().lower())
        if name is None:
            choices = ", ".join(sorted(set(SETTING_NAMES.values())))
            raise InvalidQotdSetting(f"Unknown setting '{key}'. Settings: {choices}.")
        named[name] = str(value)
    return QotdChange(
        post_at=parse_clock(named["at"]) if "at" in named else None,
        closes_at=parse_clock(named["until"]) if "until" in named else None,
        timezone=parse_zone(named["timezone"]) if "timezone" in named else None,
        weekdays=parse_weekdays(named["days"]) if "days" in named else None,
        roles=parse_roles(named["roles"]) if "roles" in named else None,
        difficulty=parse_difficulty(named["difficulty"]) if "difficulty" in named else None,
    )


def options_from_words(words: Sequence[str]) -> dict[str, str]:
    """ "at 9:30 until 17:00 days mon-fri" (or at=9:30 ...) -> {"at": "9:30", ...}."""
    options: dict[str, str] = {}
    pending: str | None = None
    for word in words:
        if pending is not None:
            options[pending] = word
            pending = None
        elif "=" in word:
            key, _, value = word.partition("=")
            options[key] = value
        else:
            pending = word
    if pending is not None:
        raise InvalidQotdSetting(f"'{pending}' needs a value, e.g. `at 09:30`.")
    if not options:
        raise InvalidQotdSetting(
            "Say what to set, e.g. `qotd set at 09:30 until 17:00 tz Europe/Paris days mon-fri "
            "roles backend,frontend difficulty medium`."
        )
    return options


def weekdays_label(days: frozenset[int]) -> str:
    """Monday to Friday -> "Mon–Fri"; anything else listed."""
    ordered = sorted(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{WEEKDAYS[ordered[0]].title()}–{WEEKDAYS[ordered[-1]].title()}"
    return ", ".join(WEEKDAYS[d].title() for d in ordered)
