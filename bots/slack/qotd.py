"""The question of the day in Slack: the admin commands, the leaderboard, and answers from the
modal. Listeners (listeners/qotd.py) call these from lazy functions; the core does the work.

Admins are checked with Slack itself: users.info's is_admin / is_owner (the users:read scope)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bots.slack import qotd_render
from bots.slack.messaging import Reply, reason
from bots.slack.notifier import SlackNotifier
from bots.slack.runtime import SlackRuntime
from core.domain.model import Platform, UserRef
from core.domain.qotd import ChannelRef, QotdChange
from core.ports import Notifier
from core.services.qotd_answers import submit_qotd_answer
from core.services.qotd_leaderboard import join_leaderboard, leaderboard, leave_leaderboard
from core.services.qotd_posting import post_question_now
from core.services.qotd_settings import configure_qotd, pause_qotd, qotd_status

log = logging.getLogger(__name__)


def is_workspace_admin(client: WebClient, user: str) -> bool:
    """Slack's own word: a workspace admin or owner. Unknown (API refused) counts as no."""
    try:
        info = client.users_info(user=user)["user"]
    except SlackApiError as error:
        log.warning("users.info failed: %s", reason(error))
        return False
    return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))


def notifiers(client: WebClient) -> dict[str, Notifier]:
    """This request's client as the notifier (it already carries the workspace's token)."""
    return {Platform.SLACK: SlackNotifier(lambda team: client)}


def run_qotd(
    rt: SlackRuntime,
    client: WebClient,
    reply: Reply,
    user: UserRef,
    channel_id: str,
    action: str,
    change: QotdChange | None,
) -> None:
    """`/interview qotd show | set … | pause | resume | post-now` in this channel."""
    deps, channel = rt.deps, ChannelRef(Platform.SLACK, user.tenant, channel_id)
    if action == "show":
        reply(qotd_render.settings_text(qotd_status(deps, channel=channel)))
        return
    admin = is_workspace_admin(client, user.user)
    if action == "set":
        status = configure_qotd(
            deps, channel=channel, actor=user, is_admin=admin, change=change or QotdChange()
        )
        reply(qotd_render.settings_text(status) + "\n" + INVITE_HINT)
    elif action in ("pause", "resume"):
        status = pause_qotd(
            deps, channel=channel, actor=user, is_admin=admin, paused=action == "pause"
        )
        reply(qotd_render.settings_text(status))
    elif action == "post-now":
        post_question_now(deps, notifiers(client), channel=channel, actor=user, is_admin=admin)
        reply("✅ Today's question is posted in this channel.")


INVITE_HINT = "_In a private channel, invite me first (`/invite @Mock Interviewer`) so I can post._"


def run_leaderboard(
    rt: SlackRuntime, reply: Reply, user: UserRef, channel_id: str, action: str, name: str | None
) -> None:
    """`/interview leaderboard [join | leave]`."""
    if action == "join":
        joined = join_leaderboard(rt.deps, user=user, display_name=name)
        reply(JOINED if joined else "You are already on the leaderboard.")
    elif action == "leave":
        left = leave_leaderboard(rt.deps, user=user)
        reply(LEFT if left else "You were not on the leaderboard.")
    else:
        board = leaderboard(rt.deps, channel=ChannelRef(Platform.SLACK, user.tenant, channel_id))
        reply(*qotd_render.board_card(board))


JOINED = (
    "🏆 You joined the leaderboard: your name, points and streak are shown to the channel, "
    "and you can be named among the top answers. `/interview leaderboard leave` takes you off."
)
LEFT = "You left the leaderboard: your name and scores are no longer shown to anyone."


def submit_answer(
    rt: SlackRuntime,
    reply: Reply,
    *,
    user: UserRef,
    post_id: int,
    text: str,
    view_id: str,
    name: str | None,
) -> None:
    """The answer modal's submission: stored and queued; the evaluation comes by DM."""
    received = submit_qotd_answer(
        rt.deps,
        post_id=post_id,
        actor=user,
        text=text,
        delivery_id=f"view:{view_id}",
        display_name=name,
        on_stored=lambda stored: reply(qotd_render.received_text(stored.post)),
    )
    if received.duplicate:
        log.info("a question-of-the-day submission was delivered again; answered already")
