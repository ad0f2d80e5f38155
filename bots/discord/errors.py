"""The one place where errors and refusals become what a Discord user reads: one ephemeral
message, never a traceback. The core's own message is shown as it is, except where Discord can
say more: the reset time in each reader's time zone, how to start an interview here."""

from __future__ import annotations

from bots.discord.model import Reply
from bots.discord.render import when
from core.domain.errors import (
    InterviewError,
    NoActiveSession,
    NothingToReview,
    NotYourSession,
    QuotaExceeded,
)
from core.domain.model import Session
from core.domain.presentation import elsewhere_text

# Refusals of the Discord side itself (the core never sees these requests).
STALE_BUTTON = InterviewError(
    "This button belongs to an older version of the bot. Use /interview start."
)
UNKNOWN_COMMAND = InterviewError("I do not know that command. Try /interview help.")
NOT_HERE = InterviewError(
    "Start interviews from a regular text channel (I open a thread there for you), "
    "or in a DM with me."
)
THREAD_FAILED = InterviewError(
    "I could not open a thread for your interview here. Ask a server admin to let me create "
    "threads in this channel, or DM me to practise privately."
)
DM_FAILED = InterviewError(
    "I could not post your first question here, so the interview did not start. "
    "Please try again in a moment."
)
HOW_TO_START = "Use `/interview start`."
# Refusals whose way forward is an interview of one's own: the message says how to start one.
LEADS_TO_A_NEW_INTERVIEW = frozenset({NoActiveSession.code, NotYourSession.code})


def missing_permissions(missing: list[str]) -> InterviewError:
    return InterviewError(
        f"I need these permissions in this channel to run an interview: {', '.join(missing)}. "
        "Ask a server admin, or DM me to practise privately."
    )


def error(exc: InterviewError) -> Reply:
    """Every error a user can cause, as one ephemeral message."""
    if isinstance(exc, QuotaExceeded):  # the reset time in the reader's own time zone
        text = (
            f"You have used all {exc.limit} interview sessions for today. Your quota resets "
            f"{when(exc.resets_at, 'R')} ({when(exc.resets_at, 't')})."
        )
    elif isinstance(exc, NothingToReview):  # when, in the reader's own time zone
        when_next = (
            f"Your next review item is due {when(exc.next_due, 'R')}."
            if exc.next_due
            else "Questions you answer weakly come back here when they are due."
        )
        text = f"Nothing is due for review right now. {when_next} Meanwhile, start a normal interview with `/interview start`."
    elif exc.code in LEADS_TO_A_NEW_INTERVIEW:
        text = f"{exc.message} {HOW_TO_START}"
    else:
        text = exc.message
    return Reply(content=f"⚠️ {text}", ephemeral=True)


def unexpected(*, answer_saved: bool = False) -> Reply:
    """Anything else (a bug, an outage the core did not name): no details, a way forward."""
    after = (
        "Your answer is saved: press Retry in a moment." if answer_saved else "Please try again."
    )
    return Reply(content=f"⚠️ Something went wrong on our side. {after}", ephemeral=True)


def elsewhere(session: Session, *, web_base_url: str) -> Reply:
    """`/interview end` found nothing here: where the person's interview on a linked surface is."""
    return Reply(content=elsewhere_text(session, web_base_url=web_base_url), ephemeral=True)
