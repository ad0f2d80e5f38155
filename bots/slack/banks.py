"""`/interview bank` in Slack: which question bank the workspace's interviews use, and `bank use
NAME` to choose one. Choosing is for workspace admins, checked with Slack itself (users.info's
is_admin / is_owner), exactly as the question of the day's admin commands are."""

from __future__ import annotations

from slack_sdk.web import WebClient

from bots.slack.messaging import Reply
from bots.slack.qotd import is_workspace_admin
from bots.slack.runtime import SlackRuntime
from core import services
from core.domain.banks import BUILTIN_BANK, BankInfo
from core.domain.model import Platform, UserRef


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
