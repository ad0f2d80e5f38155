"""Sends the core's own messages (core.domain.notices) to Discord over its REST API.

Each feature registers how its notices look in Discord with `@renders(NoticeType)`; the
notifier opens the DM channel when the notice is for a person, and posts or edits with the bot
token. Works from the gateway process and from a Lambda alike (no gateway needed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from bots.discord.http_endpoint import DiscordRest
from bots.discord.model import DeliveryFailed as RestRefused
from bots.discord.model import Reply
from core.config import Settings
from core.domain.model import Platform
from core.domain.notices import DeliveryFailed, Notice

N = TypeVar("N", bound=Notice)
RENDERERS: dict[type[Notice], Callable[[Any], Reply]] = {}
# Notices that travel another way than a channel post or a DM (an interaction's follow-up, a
# thread started on a message): the sender returns the message id, or None to post as usual.
Sender = Callable[["DiscordNotifier", Any, Reply], "str | None"]
SENDERS: dict[type[Notice], Sender] = {}


def sends(kind: type[Notice]) -> Callable[[Sender], Sender]:
    """Register a special route for notices of `kind` (see SENDERS)."""

    def register(send: Sender) -> Sender:
        SENDERS[kind] = send
        return send

    return register


def renders(kind: type[N]) -> Callable[[Callable[[N], Reply]], Callable[[N], Reply]]:
    """Register how notices of `kind` look in Discord."""

    def register(render: Callable[[N], Reply]) -> Callable[[N], Reply]:
        RENDERERS[kind] = render
        return render

    return register


class DiscordNotifier:
    platform = Platform.DISCORD

    def __init__(self, rest: DiscordRest) -> None:
        self._rest = rest

    def send(self, notice: Notice) -> str | None:
        """Post (or edit) the notice; its message id. DeliveryFailed when Discord refuses."""
        render = RENDERERS.get(type(notice))
        if render is None:
            raise DeliveryFailed(f"no Discord rendering for {type(notice).__name__}")
        reply = render(notice)
        special = SENDERS.get(type(notice))
        try:
            sent = special(self, notice, reply) if special is not None else None
        except RestRefused:
            sent = None  # the special route is closed (an expired token): post as usual
        if sent is not None:
            return sent
        payload = reply.payload()
        payload.pop("flags", None)  # channel messages and DMs cannot be ephemeral
        try:
            channel = notice.thread or notice.channel or self._dm_channel(str(notice.user))
            if notice.replaces:
                path = f"/channels/{channel}/messages/{notice.replaces}"
                self._rest.call("PATCH", path, json=payload, auth=True, what="edit a message")
                return notice.replaces
            path = f"/channels/{channel}/messages"
            posted = self._rest.call("POST", path, json=payload, auth=True, what="post a message")
        except RestRefused as refused:
            raise DeliveryFailed(str(refused)) from None
        return str(posted["id"]) if posted else None

    @property
    def rest(self) -> DiscordRest:
        return self._rest

    def _dm_channel(self, user: str) -> str:
        body = {"recipient_id": user}
        opened = self._rest.call(
            "POST", "/users/@me/channels", json=body, auth=True, what="open a DM"
        )
        return str(opened["id"])


# Modules whose `@renders` register notice kinds: imported when a notifier is made, so a
# process that only sends (the scheduled Lambda, `interviewbot due`) knows every kind.
RENDERING_MODULES = ("bots.discord.review", "bots.discord.qotd_render")


def make_notifier(settings: Settings) -> DiscordNotifier | None:
    """The `interviewbot.notifiers` entry point: None when Discord is not configured."""
    import importlib

    for module in RENDERING_MODULES:
        importlib.import_module(module)
    if settings.discord_token is None:
        return None
    token = settings.discord_token.get_secret_value()
    return DiscordNotifier(DiscordRest(settings.discord_api_base_url, token))
