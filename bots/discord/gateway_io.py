"""discord.py plumbing for the gateway bot: rendered JSON to discord.py objects, and Responders
that let the blocking shared handling (on a worker thread) make calls on the event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from typing import Any, Protocol, TypeVar, cast

import discord

from bots.discord import ids
from bots.discord.model import (
    AUTO_ARCHIVE_MINUTES,
    Caller,
    DeliveryFailed,
    Press,
    Reply,
    Request,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
CALL_TIMEOUT = 30.0  # seconds; discord.py retries rate limits itself within this
EVALUATING = "⏳ Evaluating your answer…"


class Serves(Protocol):
    async def serve(self, interaction: discord.Interaction[Any], request: Request) -> None: ...


def caller_of(interaction: discord.Interaction[Any]) -> Caller:
    channel = interaction.channel
    channel_type = getattr(channel, "type", None)
    parent_id = getattr(channel, "parent_id", None)
    return Caller(
        interaction_id=str(interaction.id),
        user_id=str(interaction.user.id),
        display_name=interaction.user.display_name,
        guild_id=str(interaction.guild_id) if interaction.guild_id else None,
        channel_id=str(interaction.channel_id),
        channel_type=channel_type.value if isinstance(channel_type, discord.ChannelType) else None,
        parent_id=str(parent_id) if parent_id else None,
        app_permissions=interaction.app_permissions.value,
        member_permissions=interaction.permissions.value if interaction.guild_id else 0,
    )


class InterviewButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.TEMPLATE):
    """Every interview button, on any message, before or after a restart: the id says it all."""

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any, /
    ) -> InterviewButton:
        assert isinstance(item, discord.ui.Button)
        return cls(item)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = cast(Serves, interaction.client)
        await bot.serve(interaction, Press(caller_of(interaction), self.item.custom_id or ""))


def view_from(components: Sequence[dict[str, Any]]) -> discord.ui.View:
    """A view from rendered action rows. Interview buttons become InterviewButton, so discord.py
    tracks nothing per message (the template dispatches them) and needs no timeout."""
    view = discord.ui.View(timeout=None)
    for row, action_row in enumerate(components):
        for data in action_row["components"]:
            style, label = discord.ButtonStyle(data["style"]), data.get("label")
            if "url" in data:
                view.add_item(discord.ui.Button(style=style, label=label, url=data["url"], row=row))
                continue
            button: discord.ui.Button[Any] = discord.ui.Button(
                style=style, label=label, custom_id=data["custom_id"]
            )
            if ids.parse(data["custom_id"]) is not None:
                view.add_item(InterviewButton(button, row=row))
            elif ids.parse_qotd(data["custom_id"]) is not None:
                from bots.discord.qotd_commands import QotdAnswerButton

                view.add_item(QotdAnswerButton(button, row=row))
            else:
                button.row = row
                view.add_item(button)
    return view


def reply_kwargs(reply: Reply, *, edit: bool = False) -> dict[str, Any]:
    """discord.py keyword arguments for a Reply. In an edit, None fields stay unchanged and
    empty components remove the buttons."""
    kwargs: dict[str, Any] = {}
    if reply.content is not None or (edit and reply.embeds is not None):
        kwargs["content"] = reply.content  # an edit with new embeds clears a placeholder text
    if reply.embeds is not None:
        kwargs["embeds"] = [discord.Embed.from_dict(e) for e in reply.embeds]
    if reply.components:
        kwargs["view"] = view_from(reply.components)
    elif edit and reply.components is not None:
        kwargs["view"] = None
    users = [discord.Object(id=int(reply.ping))] if reply.ping else False
    kwargs["allowed_mentions"] = discord.AllowedMentions(everyone=False, roles=False, users=users)
    return kwargs


class _LoopCalls:
    """Runs coroutines on the bot's loop from the worker thread; Discord errors become
    DeliveryFailed, the one failure the shared handling knows."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def run(self, call: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(call, self.loop)
        try:
            return future.result(timeout=CALL_TIMEOUT)
        except discord.HTTPException as exc:
            raise DeliveryFailed(f"Discord answered {exc.status} ({exc.code})") from exc
        except TimeoutError as exc:
            future.cancel()
            raise DeliveryFailed("Discord did not answer in time") from exc


class GatewayResponder(_LoopCalls):
    def __init__(
        self,
        client: discord.Client,
        interaction: discord.Interaction[Any],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        super().__init__(loop)
        self.client, self.interaction = client, interaction

    def edit_original(self, reply: Reply) -> None:
        self.run(self.interaction.edit_original_response(**reply_kwargs(reply, edit=True)))

    def delete_original(self) -> None:
        self.run(self.interaction.delete_original_response())

    def follow_up(self, reply: Reply) -> None:
        send = self.interaction.followup.send
        self.run(send(**reply_kwargs(reply), ephemeral=reply.ephemeral))

    def open_thread(self, *, name: str, private: bool, user_id: str) -> str:
        return self.run(self._open_thread(name, private, user_id))

    async def _open_thread(self, name: str, private: bool, user_id: str) -> str:
        channel: Any = self.interaction.channel
        if not isinstance(channel, discord.TextChannel):  # not cached: ask Discord
            channel = await self.client.fetch_channel(int(self.interaction.channel_id or 0))
        if not isinstance(channel, discord.TextChannel):
            raise DeliveryFailed("threads can only be opened in text channels")
        thread = await channel.create_thread(
            name=name,
            type=discord.ChannelType.private_thread
            if private
            else discord.ChannelType.public_thread,
            invitable=not private,
            auto_archive_duration=AUTO_ARCHIVE_MINUTES,
        )
        await thread.add_user(discord.Object(id=int(user_id)))
        return str(thread.id)

    def post(self, channel_id: str, reply: Reply) -> None:
        channel = self.client.get_partial_messageable(int(channel_id))
        self.run(channel.send(**reply_kwargs(reply)))

    def private_reply_handle(self) -> str | None:
        return f"{self.interaction.application_id}:{self.interaction.token}"


class GatewayMessageOut(_LoopCalls):
    """Answers to a thread message: a placeholder reply, then edited into the result."""

    def __init__(self, message: discord.Message, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.message = message
        self.placeholder: discord.Message | None = None

    def evaluating(self) -> None:
        self.placeholder = self.run(self.message.reply(EVALUATING, mention_author=False))

    def reply(self, reply: Reply) -> None:
        try:
            if self.placeholder is not None:
                self.run(self.placeholder.edit(**reply_kwargs(reply, edit=True)))
            else:
                self.run(self.message.reply(**reply_kwargs(reply), mention_author=False))
        except DeliveryFailed as exc:
            log.warning("could not reply in an interview thread: %s", exc)
