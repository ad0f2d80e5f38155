"""The one place where errors and refusals become what a Slack user reads (always ephemeral,
never a traceback). The core's own message is shown as it is, except where Slack can say more:
the reset time in each reader's time zone, the choices as code, how to start an interview."""

from __future__ import annotations

from bots.slack.blocks import escape, next_step_label, slack_date
from core.domain import presentation
from core.domain.errors import (
    InterviewError,
    NoActiveSession,
    NothingToReview,
    NotYourSession,
    QuotaExceeded,
    SessionFinished,
    UnknownDifficulty,
    UnknownRole,
)
from core.domain.model import Session
from core.domain.results import AnswerOutcome, AnswerStatus

UNEXPECTED = (
    "Sorry — something went wrong on our side. Nothing you sent was lost; "
    "please try again in a minute."
)
EDIT_HINT = (
    "Edits aren't read: the first version of your reply is the one that counts. "
    "If that version was refused, send your answer again as a new reply."
)
ANSWER_NOT_RECORDED = (
    "Sorry — I couldn't record that reply just now, so it was not scored. "
    "Please send your answer again in a minute."
)
NOT_IN_CHANNEL = (
    "I can't post in this conversation yet. Invite me with `/invite @Mock Interviewer` "
    "(or run `/interview` in a channel I'm in, or in a DM with me) and try again — "
    "nothing was counted."
)
FIRST_QUESTION_FAILED = (
    "Slack would not show your first question, so the interview did not start and nothing was "
    "counted. Please try again in a minute."
)
MOVED_TO_DM = "Your interview has started in our direct messages — answer there in the thread."
HOW_TO_START = "For example: `/interview backend medium`."

# Replies in threads the bot watches are mostly conversation, not answers: these errors mean
# "not an answer for us" and are never echoed back into someone else's thread.
NOT_AN_ANSWER = (NoActiveSession, NotYourSession, SessionFinished)
# Refusals whose way forward is an interview of one's own: the message says how to start one.
LEADS_TO_A_NEW_INTERVIEW = frozenset({NoActiveSession.code, NotYourSession.code})


def message_for(error: BaseException) -> str:
    """The text to show for an error, in Slack's mrkdwn."""
    if not isinstance(error, InterviewError):
        return UNEXPECTED
    if isinstance(error, QuotaExceeded):
        return (
            f"You have used all {error.limit} interview sessions for today. "
            f"Your quota resets {slack_date(error.resets_at)}. "
            "`/interview history` shows how the earlier ones went."
        )
    if isinstance(error, UnknownRole | UnknownDifficulty):
        kind = "role" if isinstance(error, UnknownRole) else "difficulty"
        choices = ", ".join(f"`{value}`" for value in error.valid)
        return (
            f"I don't know the {kind} `{escape(error.given)}`. Choose one of: {choices}. "
            f"{HOW_TO_START}"
        )
    if isinstance(error, NothingToReview):  # when, in each reader's time zone; and what instead
        when = (
            f"Your next review item is due {slack_date(error.next_due)}."
            if error.next_due
            else "Questions you answer weakly come back here when they are due."
        )
        return f"Nothing is due for review right now. {when} Meanwhile, start a normal interview: `/interview backend medium`."
    if error.code in LEADS_TO_A_NEW_INTERVIEW:
        return f"{error.message} {HOW_TO_START}"
    return error.message


def superseded_hint(outcome: AnswerOutcome) -> str:
    """To the author of a second reply: the first one was taken, and what happens to it now."""
    if outcome.status is AnswerStatus.IN_PROGRESS:
        return (
            "Your first reply was taken as the answer to this question, so this one was not "
            "scored. Your first answer is being evaluated; the result will appear above."
        )
    if outcome.status is AnswerStatus.FAILED:
        return (
            "Your first reply is saved as the answer to this question, so this one was not "
            "scored. Press *Retry* on the message above to have it evaluated."
        )
    deeper = ", or *Go deeper* for a follow-up" if outcome.can_go_deeper else ""
    return (
        "Your first reply was taken as the answer to this question, so this one was not scored. "
        f"Press *{next_step_label(outcome)}* when you are ready to move on{deeper}."
    )


def elsewhere_text(session: Session, *, web_base_url: str) -> str:
    """Where the person's interview on another linked surface is, and how to reach it."""
    return presentation.elsewhere_text(session, web_base_url=web_base_url)
