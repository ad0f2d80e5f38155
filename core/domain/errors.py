"""Errors a user can cause or meet. Each carries a message fit to show as-is on any surface."""

from __future__ import annotations

from datetime import datetime

__all__ = [
    "AlreadyEvaluating",
    "AnswerTooLong",
    "EmptyAnswer",
    "FollowUpInProgress",
    "FollowUpLimitReached",
    "InterviewError",
    "InvalidLinkCode",
    "LlmUnavailable",
    "NoActiveSession",
    "NotYourSession",
    "NothingToRetry",
    "QuestionAlreadyAnswered",
    "QuotaExceeded",
    "ServiceUnavailable",
    "SessionFinished",
    "UnknownDifficulty",
    "UnknownRole",
    "UnsupportedLanguage",
]


class InterviewError(Exception):
    """Base of every error the adapters render as a plain message (never a traceback)."""

    code = "interview_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownRole(InterviewError):
    code = "unknown_role"

    def __init__(self, given: str, valid: list[str]) -> None:
        super().__init__(f"Unknown role '{given}'. Choose one of: {', '.join(valid)}.")
        self.given, self.valid = given, valid


class UnknownDifficulty(InterviewError):
    code = "unknown_difficulty"

    def __init__(self, given: str, valid: list[str]) -> None:
        super().__init__(f"Unknown difficulty '{given}'. Choose one of: {', '.join(valid)}.")
        self.given, self.valid = given, valid


class QuotaExceeded(InterviewError):
    code = "quota_exceeded"

    def __init__(self, limit: int, resets_at: datetime) -> None:
        when = resets_at.strftime("%Y-%m-%d %H:%M %Z").strip()
        super().__init__(
            f"You have used all {limit} interview sessions for today. Your quota resets at {when}."
        )
        self.limit, self.resets_at = limit, resets_at


class NoActiveSession(InterviewError):
    code = "no_active_session"

    def __init__(self) -> None:
        super().__init__(
            "There is no interview in progress here. Start a new interview to keep practising."
        )


class NotYourSession(InterviewError):
    code = "not_your_session"

    def __init__(self) -> None:
        super().__init__(
            "This interview belongs to someone else; only its candidate can answer or use its "
            "buttons. Start an interview of your own to practise."
        )


class SessionFinished(InterviewError):
    code = "session_finished"

    def __init__(self) -> None:
        super().__init__("This interview has already finished. Start a new one any time.")


class EmptyAnswer(InterviewError):
    code = "empty_answer"

    def __init__(self) -> None:
        super().__init__(
            "Your answer is empty. Write your answer in a message, or skip the question."
        )


class AnswerTooLong(InterviewError):
    code = "answer_too_long"

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(
            f"Your answer is {length:,} characters; the limit is {limit:,}. "
            "Please shorten it and send it again — nothing was recorded."
        )
        self.length, self.limit = length, limit


class UnsupportedLanguage(InterviewError):
    code = "unsupported_language"

    def __init__(self, language: str) -> None:
        super().__init__(
            f"This answer looks like it is not in English ({language}), and the offline scorer "
            "only grades English: it would judge keywords, not your explanation. Please answer "
            "in English — nothing was recorded."
        )
        self.language = language


class QuestionAlreadyAnswered(InterviewError):
    code = "already_answered"

    def __init__(self) -> None:
        super().__init__(
            "This question already has an answer; the first one was taken. "
            "Move on to the next question, or ask for a follow-up to go deeper."
        )


class AlreadyEvaluating(InterviewError):
    code = "already_evaluating"

    def __init__(self) -> None:
        super().__init__("That answer is already being evaluated — the result will appear shortly.")


class FollowUpInProgress(AlreadyEvaluating):
    """A double click on Go deeper: the first click is still writing the follow-up."""

    code = "follow_up_in_progress"

    def __init__(self) -> None:
        InterviewError.__init__(
            self, "A follow-up question is already being written — it will appear shortly."
        )


class FollowUpLimitReached(InterviewError):
    code = "follow_up_limit"

    def __init__(self, limit: int) -> None:
        plural = "" if limit == 1 else "s"
        super().__init__(
            f"You have had {limit} follow-up{plural} on this question already. "
            "Move on to the next question when you are ready."
        )
        self.limit = limit


class NothingToRetry(InterviewError):
    code = "nothing_to_retry"

    def __init__(self) -> None:
        super().__init__("There is no failed evaluation to retry here.")


class InvalidLinkCode(InterviewError):
    code = "invalid_link_code"

    def __init__(self) -> None:
        super().__init__(
            "That link code is not valid: it may be mistyped, already used or older than "
            "10 minutes. Ask for a fresh one where you got it (`/interview link` in Slack or "
            "Discord, `interviewbot link` in a terminal)."
        )


class LlmUnavailable(InterviewError):
    """The evaluator could not produce an evaluation; the answer is saved and can be retried."""

    code = "llm_unavailable"

    def __init__(self, message: str, *, kind: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.kind, self.retryable = kind, retryable


class ServiceUnavailable(InterviewError):
    """A backing service (Redis, the database) is unreachable; nothing was half-written."""

    code = "service_unavailable"

    def __init__(self, service: str, *, answer_saved: bool = False) -> None:
        after = (
            "Your answer is saved: press Retry in a minute."
            if answer_saved
            else "Please try again in a minute."
        )
        super().__init__(
            f"The interview service is temporarily unavailable ({service} unreachable). {after}"
        )
        self.service, self.answer_saved = service, answer_saved
