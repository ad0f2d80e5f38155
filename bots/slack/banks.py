"""`/interview bank` in Slack: which question bank the workspace's interviews use, and `bank use
NAME` to choose one. Choosing is for workspace admins, checked with Slack itself (users.info's
is_admin / is_owner), exactly as the question of the day's admin commands are."""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bots.slack import messaging
from bots.slack.messaging import Reply
from bots.slack.qotd import is_workspace_admin
from bots.slack.runtime import SlackRuntime
from bots.slack.surfaces import start_modal
from core import services
from core.domain.banks import BUILTIN_BANK, BankInfo
from core.domain.model import Platform, UserRef

log = logging.getLogger(__name__)

# The form is opened on the ack path and this runs beside it (a thread, or a Lambda invocation
# started after the ack): if it reads the bank before Slack has the form, views.update answers
# not_found, so it tries again a few times.
UPDATE_ATTEMPTS = 5
UPDATE_PAUSE_SECONDS = 0.4


def run_bank(
    rt: SlackRuntime, client: WebClient, reply: Reply, user: UserRef, action: str, name: str
) -> None:
    """`/interview bank` or `/interview bank use NAME` (admins)."""
    if action == "use":
        chosen = services.use_bank(
            rt.deps,
            platform=Platform.SLACK,
            tenant=user.tenant,
            name=name,
            by=user.user,
            is_admin=is_workspace_admin(client, user.user),
        )
        reply("✅ " + in_use_text(chosen, chosen_now=True))
        return
    in_use = services.bank_in_use(rt.deps, platform=Platform.SLACK, tenant=user.tenant)
    usable = services.list_banks(rt.deps, platform=Platform.SLACK, tenant=user.tenant)
    names = ", ".join(f"`{n}`" for n in [BUILTIN_BANK, *(b.name for b in usable)])
    reply(
        f"{in_use_text(in_use, chosen_now=False)}\nBanks this workspace can use: {names}. "
        "An admin chooses one with `/interview bank use NAME`."
    )


def in_use_text(bank: BankInfo | None, *, chosen_now: bool) -> str:
    """Which bank new interviews here draw from, and what it offers."""
    verb = "Interviews here now use" if chosen_now else "Interviews here use"
    if bank is None:
        return f"{verb} the built-in question bank (every role, easy to hard)."
    return f"{verb} the question bank *{bank.name}* (version {bank.version}): {bank.offers()}."


def offer_bank_in_start_form(
    rt: SlackRuntime, client: WebClient, *, tenant: str, external_id: str, channel: str | None
) -> None:
    """The start form opens at once with every role (the trigger expires in 3 seconds, before
    the database could be read on a cold start); when the workspace has chosen a bank, this lazy
    step then narrows the form to that bank's roles and levels."""
    try:
        bank = services.bank_in_use(rt.deps, platform=Platform.SLACK, tenant=tenant)
    except Exception as error:  # the start itself checks the bank again, and says what it has
        log.warning("reading the bank for the start form failed (%s)", type(error).__name__)
        return
    if bank is None:
        return  # the built-in bank: the form already offers every role and level
    view = start_modal(
        max_questions=rt.settings.max_questions_per_session,
        default_questions=rt.settings.questions_per_session,
        channel=channel,
        bank=bank,
    )
    for attempt in range(1, UPDATE_ATTEMPTS + 1):
        try:
            client.views_update(external_id=external_id, view=view)
            return
        except SlackApiError as error:
            if messaging.reason(error) != "not_found" or attempt == UPDATE_ATTEMPTS:
                log.warning("views.update of the start form failed: %s", messaging.reason(error))
                return
            time.sleep(UPDATE_PAUSE_SECONDS)
