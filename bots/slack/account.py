"""A person's own things: history, quota, the web link code, ending, and the App Home tab."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bots.slack import messaging
from bots.slack.errors import UNEXPECTED, elsewhere_text, message_for
from bots.slack.interview import post_summary
from bots.slack.messaging import Reply
from bots.slack.qotd_render import home_blocks
from bots.slack.review import due_line
from bots.slack.runtime import SlackRuntime
from bots.slack.surfaces import (
    HISTORY_SIZE,
    history_card,
    home_unavailable_view,
    home_view,
    link_text,
    quota_text,
)
from core import services
from core.domain.errors import InterviewError, NoActiveSession
from core.domain.model import ConversationRef, UserRef
from core.services.qotd_leaderboard import my_qotd

log = logging.getLogger(__name__)


def show_history(rt: SlackRuntime, reply: Reply, user: UserRef) -> None:
    scope = services.scope_for_user(rt.deps, user=user)
    page = services.list_sessions(rt.deps, scope=scope, per_page=HISTORY_SIZE)
    reply(*history_card(page, web_base_url=rt.web_base_url))


def show_quota(rt: SlackRuntime, reply: Reply, user: UserRef) -> None:
    reply(quota_text(services.quota_status(rt.deps, user=user)))


def give_link_code(rt: SlackRuntime, reply: Reply, user: UserRef, name: str | None) -> None:
    link = services.issue_link_code(rt.deps, user=user, display_name=name)
    reply(link_text(link.code, link.expires_at, rt.web_base_url))


def end_current(
    rt: SlackRuntime, client: WebClient, reply: Reply, conversation: ConversationRef
) -> None:
    """`/interview end`: end the interview of this channel, else the person's latest in Slack;
    one on a linked surface (the browser, Discord) is pointed to, not ended from here."""
    try:
        summary = services.end_interview(rt.deps, conversation=conversation)
    except NoActiveSession:
        elsewhere = services.active_session_elsewhere(rt.deps, user=conversation.user_ref)
        if elsewhere is None:
            raise
        reply(elsewhere_text(elsewhere, web_base_url=rt.web_base_url))
        return
    if summary.already_finished:  # ended by a click meanwhile
        raise NoActiveSession()
    if post_summary(rt, client, summary, reply):  # (else the summary went to `reply`)
        reply("Your interview has ended — its summary is in the interview thread.")


def publish_home(rt: SlackRuntime, client: WebClient, user: UserRef) -> None:
    """The App Home tab: quota, recent sessions, averages by tag, Start and the dashboard."""
    try:
        view = _home(rt, user)
    except InterviewError as error:
        view = home_unavailable_view(message_for(error))
    except Exception:
        log.exception("building App Home failed")
        view = home_unavailable_view(UNEXPECTED)
    try:
        client.views_publish(user_id=user.user, view=view)
    except SlackApiError as error:
        log.warning("views.publish failed: %s", messaging.reason(error))


def _home(rt: SlackRuntime, user: UserRef) -> dict:
    deps = rt.deps
    quota = services.quota_status(deps, user=user)
    scope = services.scope_for_user(deps, user=user)
    recent = services.list_sessions(deps, scope=scope, per_page=HISTORY_SIZE)
    figures = services.analytics(deps, scope=scope) if scope else None
    status = services.review_status(deps, user=user)
    view = home_view(
        quota=quota,
        recent=recent,
        figures=figures,
        web_base_url=rt.web_base_url,
        due_line=due_line(status),
        due_today=len(status.due_today),
    )
    view["blocks"] += home_blocks(my_qotd(deps, user=user))  # the question of the day, if any
    return view
