"""Sends the core's own messages (core.domain.notices) to Slack: DMs, channel posts, edits.

Each feature registers how its notices look in Slack with `@renders(NoticeType)`; the notifier
finds the workspace's client (the bot token, or the workspace's installation in multi-workspace
mode), opens the DM when the notice is for a person, and posts or edits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bots.slack.blocks import Rendered
from bots.slack.messaging import reason
from core.config import Settings
from core.domain.model import Platform
from core.domain.notices import DeliveryFailed, Notice

N = TypeVar("N", bound=Notice)
RENDERERS: dict[type[Notice], Callable[[Any], Rendered]] = {}
ClientFor = Callable[[str], WebClient | None]  # the workspace (team id) -> its client


def renders(kind: type[N]) -> Callable[[Callable[[N], Rendered]], Callable[[N], Rendered]]:
    """Register how notices of `kind` look in Slack."""

    def register(render: Callable[[N], Rendered]) -> Callable[[N], Rendered]:
        RENDERERS[kind] = render
        return render

    return register


class SlackNotifier:
    platform = Platform.SLACK

    def __init__(self, client_for: ClientFor) -> None:
        self._client_for = client_for

    def send(self, notice: Notice) -> str | None:
        """Post (or edit) the notice; its message ts. DeliveryFailed when Slack refuses."""
        render = RENDERERS.get(type(notice))
        if render is None:
            raise DeliveryFailed(f"no Slack rendering for {type(notice).__name__}")
        text, blocks = render(notice)
        client = self._client_for(notice.tenant)
        if client is None:
            raise DeliveryFailed(f"the app is not installed in workspace {notice.tenant}")
        try:
            channel = notice.channel or _dm_channel(client, str(notice.user))
            if notice.replaces:
                client.chat_update(channel=channel, ts=notice.replaces, text=text, blocks=blocks)
                return notice.replaces
            posted = client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, thread_ts=notice.thread
            )
        except SlackApiError as error:
            raise DeliveryFailed(f"Slack refused the message: {reason(error)}") from None
        return str(posted["ts"])


def _dm_channel(client: WebClient, user: str) -> str:
    return str(client.conversations_open(users=user)["channel"]["id"])


# Modules whose `@renders` register notice kinds: imported when a notifier is made, so a
# process that only sends (the scheduled Lambda, `interviewbot due`) knows every kind.
RENDERING_MODULES = ("bots.slack.review", "bots.slack.qotd_render")


def make_notifier(settings: Settings) -> SlackNotifier | None:
    """The `interviewbot.notifiers` entry point: None when Slack is not configured."""
    import importlib

    from bots.slack.installation import is_multi_workspace, oauth_settings

    for module in RENDERING_MODULES:
        importlib.import_module(module)

    api: dict[str, str] = (
        {"base_url": settings.slack_api_base_url} if settings.slack_api_base_url else {}
    )

    if is_multi_workspace(settings):
        store = oauth_settings(settings).installation_store

        def client_for(team: str) -> WebClient | None:
            bot = store.find_bot(enterprise_id=None, team_id=team)
            return WebClient(token=bot.bot_token, **api) if bot and bot.bot_token else None

        return SlackNotifier(client_for)
    if settings.slack_bot_token is None:
        return None
    client = WebClient(token=settings.slack_bot_token.get_secret_value(), **api)
    return SlackNotifier(lambda team: client)
