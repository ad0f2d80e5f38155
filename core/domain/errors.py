"""Errors a user can cause or meet. Each carries a message fit to show as-is on any surface, a
stable `code`, and a `category` that surfaces map to their own status (HTTP 409, 429, 503, …)
in one table each."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

__all__ = [
    "AlreadyEvaluating",
    "AlreadyMovedOn",
    "AnswerTooLong",
    "EmptyAnswer",
    "EmptyQuestionPool",
    "ErrorCategory",
    "FollowUpInProgress",
    "FollowUpLimitReached",
    "InterviewError",
    "InvalidAnswerText",
    "InvalidLinkCode",
    "InvalidQuestionCount",
    "InvalidReminder",
    "LinkCodeUnavailable",
    "LlmFault",
    "LlmUnavailable",
    "NoActiveSession",
    "NoMoreHints",
    "NotAnsweredYet",
    "NotCurrentQuestion",
    "NotYourSession",
    "NothingToRetry",
    "NothingToReview",
    "QuestionAlreadyAnswered",
    "QuestionNotInInterview",
    "QuotaExceeded",
    "Service",
    "ServiceUnavailable",
    "SessionFinished",
    "StartInProgress",
    "UnknownDifficulty",
    "UnknownRole",
    "UnsupportedLanguage",
]

DEFAULT_LINK_CODE_MINUTES = 10


class ErrorCategory(StrEnum):
    """What sort of refusal an error is; each surface maps a kind to its own status once."""

    INVALID = "invalid"  # the input cannot be used (HTTP 422)
    CONFLICT = "conflict"  # the interview is not in a state that allows it (409)
    NOT_FOUND = "not_found"  # nothing of the person's is there (404)
    FORBIDDEN = "forbidden"  # someone else's interview (403)
    LIMIT = "limit"  # a quota or a cap was reached (429)
    UNAVAILABLE = "unavailable"  # a backing service or the model is down (503)


class Service(StrEnum):
    DATABASE = "database"
    REDIS = "Redis"


class LlmFault(StrEnum):
    """Why a model call failed (see core/adapters/llm_faults.py for the table and retries)."""

    RATE_LIMITED = "rate_limited"
    DAILY_QUOTA = "daily_quota"
    SERVER = "server"
    TIMEOUT = "timeout"
    NETWORK = "network"
    MALFORMED = "malformed"
    TRUNCATED = "truncated"
    BLOCKED = "blocked"
    CONFIG = "config"
    BAD_REQUEST = "bad_request"
    UNSUPPORTED_LANGUAGE = "unsupported_language"
    UNEXPECTED = "unexpected"


class InterviewError(Exception):
    """Base of every error the adapters render as a plain message (never a traceback)."""

    code = "interview_error"
    category = ErrorCategory.INVALID

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


class InvalidQuestionCount(InterviewError):
    code = "invalid_question_count"

    def __init__(self, requested: int, highest: int) -> None:
        super().__init__(f"Choose between 1 and {highest} questions (you asked for {requested}).")
        self.requested, self.highest = requested, highest


class EmptyQuestionPool(InterviewError):
    code = "empty_question_pool"
    category = ErrorCategory.NOT_FOUND

    def __init__(self) -> None:
        super().__init__("There are no questions for this role and difficulty yet.")


class QuotaExceeded(InterviewError):
    code = "quota_exceeded"
    category = ErrorCategory.LIMIT

    def __init__(self, limit: int, resets_at: datetime) -> None:
        when = resets_at.strftime("%Y-%m-%d %H:%M %Z").strip()
        super().__init__(
            f"You have used all {limit} interview sessions for today. Your quota resets at {when}."
        )
        self.limit, self.resets_at = limit, resets_at


class StartInProgress(InterviewError):
    code = "start_in_progress"
    category = ErrorCategory.CONFLICT

    def __init__(self) -> None:
        super().__init__("This interview is already being set up — one moment.")


class NoActiveSession(InterviewError):
    code = "no_active_session"
    category = ErrorCategory.NOT_FOUND

    def __init__(self) -> None:
        super().__init__(
            "There is no interview in progress here. Start a new interview to keep practising."
        )


class NotYourSession(InterviewError):
    code = "not_your_session"
    category = ErrorCategory.FORBIDDEN

    def __init__(self) -> None:
        super().__init__(
            "This interview belongs to someone else; only its candidate can answer or use its "
            "buttons. Start an interview of your own to practise."
        )


class SessionFinished(InterviewError):
    code = "session_finished"
    category = ErrorCategory.CONFLICT

    def __init__(self) -> None:
        super().__init__("This interview has already finished. Start a new one any time.")


class QuestionNotInInterview(InterviewError):
    code = "question_not_in_interview"
    category = ErrorCategory.NOT_FOUND

    def __init__(self) -> None:
        super().__init__("That question is not part of this interview.")


class NotCurrentQuestion(InterviewError):
    code = "not_current_question"
    category = ErrorCategory.CONFLICT

    def __init__(self) -> None:
        super().__init__("That question is no longer current; answer the latest one.")


class NotAnsweredYet(InterviewError):
    code = "not_answered"
    category = ErrorCategory.CONFLICT

    def __init__(self, action: str) -> None:
        super().__init__(f"Answer this question first (or skip it) before {action}.")
        self.action = action


class AlreadyMovedOn(InterviewError):
    code = "already_moved_on"
    category = ErrorCategory.CONFLICT

    def __init__(self) -> None:
        super().__init__("You have already moved on to the next question.")


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


class InvalidAnswerText(InterviewError):
    """Characters that are not text (a broken encoding, control characters)."""

    code = "invalid_answer_text"

    def __init__(self) -> None:
        super().__init__(
            "Your answer contains characters that are not valid text (perhaps a broken "
            "copy-paste or encoding). Please retype it and send it again — nothing was recorded."
        )


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
    category = ErrorCategory.CONFLICT

    def __init__(self) -> None:
        super().__init__(
            "This question already has an answer; the first one was taken. "
            "Move on to the next question, or ask for a follow-up to go deeper."
        )


class AlreadyEvaluating(InterviewError):
    code = "already_evaluating"
    category = ErrorCategory.CONFLICT

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
    category = ErrorCategory.LIMIT

    def __init__(self, limit: int) -> None:
        plural = "" if limit == 1 else "s"
        super().__init__(
            f"You have had {limit} follow-up{plural} on this question already. "
            "Move on to the next question when you are ready."
        )
        self.limit = limit


class NoMoreHints(InterviewError):
    code = "no_more_hints"
    category = ErrorCategory.LIMIT

    def __init__(self) -> None:
        super().__init__("No more hints for this question — give it your best shot.")


class NothingToRetry(InterviewError):
    code = "nothing_to_retry"
    category = ErrorCategory.CONFLICT

    def __init__(self) -> None:
        super().__init__("There is no failed evaluation to retry here.")


class NothingToReview(InterviewError):
    code = "nothing_to_review"
    category = ErrorCategory.NOT_FOUND

    def __init__(self, next_due: datetime | None) -> None:
        when = (
            f"Your next review item is due {next_due:%d %b %Y, %H:%M %Z}."
            if next_due
            else "Answer a few interview questions and the ones to revisit will show up here."
        )
        super().__init__(
            f"Nothing is due for review right now. {when} Start a normal interview meanwhile."
        )
        self.next_due = next_due


class InvalidReminder(InterviewError):
    code = "invalid_reminder"

    def __init__(self, detail: str) -> None:
        super().__init__(f"{detail} Use e.g. `remind daily 09:00 Europe/Paris`, or `remind off`.")


class InvalidLinkCode(InterviewError):
    code = "invalid_link_code"

    def __init__(self, minutes: int = DEFAULT_LINK_CODE_MINUTES) -> None:
        super().__init__(
            "That link code is not valid: it may be mistyped, already used or older than "
            f"{minutes} minutes. Ask for a fresh one where you got it (`/interview link` in "
            "Slack or Discord, `interviewbot link` in a terminal)."
        )


class LinkCodeUnavailable(InterviewError):
    code = "link_code_unavailable"
    category = ErrorCategory.UNAVAILABLE

    def __init__(self) -> None:
        super().__init__("Could not create a link code; please try again.")


class LlmUnavailable(InterviewError):
    """The evaluator could not produce an evaluation; the answer is saved and can be retried."""

    code = "llm_unavailable"
    category = ErrorCategory.UNAVAILABLE

    def __init__(self, message: str, *, kind: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.kind, self.retryable = kind, retryable  # kind: an LlmFault value


class ServiceUnavailable(InterviewError):
    """A backing service (Redis, the database) is unreachable; says what was kept."""

    code = "service_unavailable"
    category = ErrorCategory.UNAVAILABLE

    def __init__(self, service: str, *, answer_saved: bool = False) -> None:
        after = (
            "Your answer is saved: press Retry in a minute."
            if answer_saved
            else "Nothing was changed; please try again in a minute."
        )
        super().__init__(
            f"The interview service is temporarily unavailable ({service} unreachable). {after}"
        )
        self.service, self.answer_saved = Service(service), answer_saved
