"""The learning loop in Discord: `/interview review`, `/interview remind`, and the reminder DM."""

from __future__ import annotations

import logging

from bots.discord import errors, notices
from bots.discord.commands import FirstQuestion
from bots.discord.model import Command, DeliveryFailed, Reply, Responder
from bots.discord.notifier import renders
from core import services
from core.config import Settings
from core.domain.reminders import ReviewReminder
from core.services.deps import Deps

log = logging.getLogger(__name__)


def start_review(
    command: Command, out: Responder, *, deps: Deps, settings: Settings, reads_replies: bool
) -> None:
    """A session of the caller's due review items, in a new thread (or the DM), like a start."""
    caller = command.caller
    deliver = FirstQuestion(out, caller, settings.discord_private_threads, reads_replies)
    try:
        started = services.start_review(
            deps,
            conversation=caller.conversation(),
            display_name=caller.display_name,
            deliver=deliver,
        )
    except DeliveryFailed as exc:  # the core has ended the session and given the quota back
        log.warning("could not deliver the first review question: %s", exc)
        raise (errors.DM_FAILED if caller.guild_id is None else errors.THREAD_FAILED) from None
    out.edit_original(notices.started(deliver.thread, started.quota))


def set_reminder(command: Command, out: Responder, *, deps: Deps) -> None:
    """`/interview remind when:daily 09:00 Europe/Paris` or `when:off`."""
    caller = command.caller
    choice = services.set_reminder(
        deps,
        user=caller.user,
        text=str(command.options.get("when", "")),
        display_name=caller.display_name,
    )
    text = f"⏰ {choice.describe}" if choice.at else "🔕 Review reminders are off."
    out.edit_original(Reply(content=text, ephemeral=True))


@renders(ReviewReminder)
def reminder(notice: ReviewReminder) -> Reply:
    """ "🔁 3 due: caching ×2, SQL joins — start review" as a DM."""
    return Reply(
        content=(
            f"🔁 **{notice.summary}** — start review with `/interview review`.\n"
            "-# `/interview remind when:off` stops these reminders."
        )
    )
