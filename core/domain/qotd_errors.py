"""What can go wrong with a question of the day, worded for people (see core.domain.errors)."""

from __future__ import annotations

from datetime import datetime

from core.domain.errors import ErrorCategory, InterviewError


class NotAnAdmin(InterviewError):
    code = "qotd_admins_only"
    category = ErrorCategory.FORBIDDEN

    def __init__(self, place: str = "workspace") -> None:
        super().__init__(
            f"Only {place} admins can configure the question of the day. Ask one of them, "
            "or see the current setting with `show`."
        )


class QotdNotConfigured(InterviewError):
    code = "qotd_not_configured"
    category = ErrorCategory.NOT_FOUND

    def __init__(self) -> None:
        super().__init__(
            "There is no question of the day in this channel yet. An admin can set one up "
            "with `qotd set` (for example `qotd set at 09:30 until 17:00 days mon-fri`)."
        )


class InvalidQotdSetting(InterviewError):
    code = "qotd_invalid_setting"


class QotdClosed(InterviewError):
    code = "qotd_closed"
    category = ErrorCategory.CONFLICT

    def __init__(self) -> None:
        super().__init__(
            "This question of the day has closed — the ideal answer is in its thread. "
            "The next one comes on the next scheduled day."
        )


class QotdNotFound(InterviewError):
    code = "qotd_not_found"
    category = ErrorCategory.NOT_FOUND

    def __init__(self) -> None:
        super().__init__("That question of the day no longer exists.")


class QotdAlreadyAnswered(InterviewError):
    code = "qotd_already_answered"
    category = ErrorCategory.CONFLICT

    def __init__(self) -> None:
        super().__init__(
            "You have already answered this question of the day — one answer per person. "
            "Your evaluation was sent to you privately."
        )


class QotdLimitReached(InterviewError):
    code = "qotd_limit"
    category = ErrorCategory.LIMIT

    def __init__(self, limit: int, resets_at: datetime) -> None:
        when = resets_at.strftime("%Y-%m-%d %H:%M %Z").strip()
        super().__init__(
            f"You have answered {limit} questions of the day today, the daily limit. "
            f"It resets at {when}. (Interview sessions are counted separately.)"
        )
        self.limit, self.resets_at = limit, resets_at


class QotdAlreadyPosted(InterviewError):
    code = "qotd_already_posted"
    category = ErrorCategory.CONFLICT

    def __init__(self) -> None:
        super().__init__("Today's question is already posted in this channel.")
