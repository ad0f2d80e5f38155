"""The question of the day on Discord, for both transports: `/interview qotd …` (server admins:
Manage Server or Administrator, from the interaction's own member permissions), `/interview
leaderboard …`, and the Answer button's modal. Acknowledged without I/O, completed through the
Responder; each error ends as one private message."""

from __future__ import annotations

import logging

from bots.discord import errors, qotd_render
from bots.discord.http_endpoint import DiscordRest
from bots.discord.ids import parse_qotd
from bots.discord.model import (
    CREATE_PUBLIC_THREADS,
    EMBED_LINKS,
    SEND_MESSAGES,
    Ack,
    AckKind,
    Caller,
    Command,
    ModalSubmit,
    Press,
    Reply,
    Request,
    Responder,
)
from bots.discord.notifier import DiscordNotifier
from core.config import Settings
from core.domain.errors import InterviewError
from core.domain.model import Platform
from core.domain.qotd import ChannelRef
from core.domain.qotd_parsing import change_from
from core.ports import Notifier
from core.services.deps import Deps
from core.services.qotd_answers import submit_qotd_answer
from core.services.qotd_leaderboard import join_leaderboard, leaderboard, leave_leaderboard, my_qotd
from core.services.qotd_posting import post_question_now
from core.services.qotd_settings import configure_qotd, pause_qotd, qotd_status

log = logging.getLogger(__name__)

NAMES = frozenset(
    {
        "qotd.show",
        "qotd.set",
        "qotd.pause",
        "qotd.resume",
        "qotd.post-now",
        "leaderboard.show",
        "leaderboard.join",
        "leaderboard.leave",
    }
)
REPLY_SECONDS = 14 * 60  # an interaction's follow-ups work for 15 minutes
NEEDED = {
    SEND_MESSAGES: "Send Messages",
    EMBED_LINKS: "Embed Links",
    CREATE_PUBLIC_THREADS: "Create Public Threads",
}
IN_A_SERVER = InterviewError("The question of the day runs in a server's channel, not in a DM.")


def handles(request: Request) -> bool:
    if isinstance(request, Command):
        return request.name in NAMES
    return isinstance(request, Press | ModalSubmit) and parse_qotd(request.custom_id) is not None


def acknowledge(request: Request, *, max_chars: int) -> Ack:
    """Within 3 seconds and without I/O: the modal for Answer, else a private "thinking…"."""
    if isinstance(request, Press):
        qid = parse_qotd(request.custom_id)
        assert qid is not None
        if qid.action != "answer":
            return Ack(AckKind.MESSAGE, reply=errors.error(errors.STALE_BUTTON))
        return Ack(AckKind.MODAL, modal=qotd_render.modal(qid.post_id, max_chars=max_chars))
    return Ack(AckKind.DEFER, ephemeral=True)


def complete(request: Request, out: Responder, *, deps: Deps, settings: Settings) -> None:
    try:
        if request.caller.guild_id is None:
            raise IN_A_SERVER
        if isinstance(request, ModalSubmit):
            _submit(request, out, deps=deps)
        elif isinstance(request, Command):
            out.edit_original(_command(request, deps=deps, settings=settings))
    except InterviewError as exc:
        out.edit_original(errors.error(exc))
    except Exception:
        log.exception("Discord question-of-the-day %s failed", type(request).__name__)
        out.edit_original(errors.unexpected())


def _submit(request: ModalSubmit, out: Responder, *, deps: Deps) -> None:
    qid = parse_qotd(request.custom_id)
    assert qid is not None and qid.action == "submit"
    caller = request.caller
    received = submit_qotd_answer(
        deps,
        post_id=qid.post_id,
        actor=caller.user,
        text=request.text,
        delivery_id=f"interaction:{caller.interaction_id}",
        display_name=caller.display_name,
        reply_handle=out.private_reply_handle(),  # the evaluation follows up right here
        reply_seconds=REPLY_SECONDS,
        on_stored=lambda stored: out.edit_original(qotd_render.received(stored.post)),
    )
    if received.duplicate:  # delivered again: the first run answered
        return


def _command(command: Command, *, deps: Deps, settings: Settings) -> Reply:
    caller, action = command.caller, command.name.partition(".")[2]
    if command.name.startswith("leaderboard."):
        return _leaderboard(caller, action, deps=deps)
    options = {k: str(v) for k, v in command.options.items()}
    channel = ChannelRef(Platform.DISCORD, caller.tenant, options.pop("channel", caller.channel_id))
    admin = caller.is_server_admin
    if action == "show":
        return qotd_render.settings(qotd_status(deps, channel=channel))
    if action == "set":
        change = change_from(options)
        status = configure_qotd(
            deps, channel=channel, actor=caller.user, is_admin=admin, change=change
        )
        reply = qotd_render.settings(status)
        return _with_permission_warning(reply, caller, channel)
    if action in ("pause", "resume"):
        status = pause_qotd(
            deps, channel=channel, actor=caller.user, is_admin=admin, paused=action == "pause"
        )
        return qotd_render.settings(status)
    post_question_now(deps, notifiers(settings), channel=channel, actor=caller.user, is_admin=admin)
    return Reply(content=f"✅ Today's question is posted in <#{channel.channel}>.", ephemeral=True)


def _leaderboard(caller: Caller, action: str, *, deps: Deps) -> Reply:
    if action == "join":
        joined = join_leaderboard(deps, user=caller.user, display_name=caller.display_name)
        text = (
            "🏆 You joined the leaderboard: your name, points and streak are shown to the server."
            if joined
            else "You are already on the leaderboard."
        )
        return Reply(content=text, ephemeral=True)
    if action == "leave":
        left = leave_leaderboard(deps, user=caller.user)
        text = (
            "You left the leaderboard: nobody sees your name or scores."
            if left
            else "You were not on the leaderboard."
        )
        return Reply(content=text, ephemeral=True)
    here = ChannelRef(Platform.DISCORD, caller.tenant, caller.parent_id or caller.channel_id)
    return qotd_render.standing(my_qotd(deps, user=caller.user), leaderboard(deps, channel=here))


def _with_permission_warning(reply: Reply, caller: Caller, channel: ChannelRef) -> Reply:
    """The bot's permissions are known for the channel the command came from: say what is missing."""
    if channel.channel != caller.channel_id or not caller.app_permissions:
        return reply
    missing = [name for bit, name in NEEDED.items() if not caller.app_permissions & bit]
    if not missing:
        return reply
    note = f"\n⚠️ I still need these permissions here to post it: {', '.join(missing)}."
    return Reply(content=(reply.content or "") + note, ephemeral=True)


def notifiers(settings: Settings) -> dict[str, Notifier]:
    """Discord's REST notifier (works from the gateway process and from a Lambda alike)."""
    token = settings.discord_token.get_secret_value() if settings.discord_token else None
    return {Platform.DISCORD: DiscordNotifier(DiscordRest(settings.discord_api_base_url, token))}
