"""The one place where errors become what a Slack user reads (always ephemeral, never a traceback)."""

from __future__ import annotations

from bots.slack.blocks import escape, slack_date
from core.domain.errors import (
    InterviewError,
    NoActiveSession,
    NotYourSession,
    QuotaExceeded,
    SessionFinished,
    UnknownDifficulty,
    UnknownRole,
)

UNEXPECTED = (
    "Sorry — something went wrong on our side. Nothing you sent was lost; "
    "please try again in a minute."
)
SUPERSEDED_HINT = (
    "Your first reply was taken as the answer to this question, so this one was not scored. "
    "Press *Next question* when you are ready to move on."
)
SUPERSEDED_FAILED_HINT = (
    "Your first reply is saved as the answer to this question, so this one was not scored. "
    "Press *Retry* on the message above to have it evaluated."
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

# Replies in threads the bot watches are mostly conversation, not answers: these errors mean
# "not an answer for us" and are never echoed back into someone else's thread.
NOT_AN_ANSWER = (NoActiveSession, NotYourSession, SessionFinished)


def message_for(error: BaseException) -> str:
    """The text to show for an error, in Slack's mrkdwn."""
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
            "For example: `/interview backend medium`."
        )
    if isinstance(error, NoActiveSession | NotYourSession):
        return f"{error.message} For example: `/interview backend medium`."
    if isinstance(error, InterviewError):
        return error.message
    return UNEXPECTED
