"""The gateway bot (discord.py): slash commands, persistent buttons, the answer modal, replies.

A thin transport over InteractionHandler: it turns discord.py objects into neutral requests,
sends the acknowledgement the handler chose, and runs the rest on a worker thread (the core's
calls block) with a Responder that hops back onto the event loop for every Discord call.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import discord
from discord import app_commands

from bots.discord import ids
from bots.discord.gateway_io import (
    GatewayMessageOut,
    GatewayResponder,
    InterviewButton,
    caller_of,
    reply_kwargs,
)
from bots.discord.interactions import InteractionHandler
from bots.discord.model import (
    Ack,
    AckKind,
    Autocomplete,
    ChatMessage,
    Command,
    ModalSubmit,
    Request,
    modal_text,
)
from bots.discord.qotd_commands import (
    BankCommands,
    LeaderboardCommands,
    QotdAnswerButton,
    QotdCommands,
)
from core.config import Settings
from core.domain.roles import Difficulty

log = logging.getLogger(__name__)

WORKER_THREADS = 32
T = TypeVar("T")


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
@app_commands.allowed_installs(guilds=True, users=False)
class InterviewCommands(app_commands.Group):
    """`/interview start | history | quota | link | end | help`."""

    def __init__(self, bot: InterviewBot) -> None:
        super().__init__(name="interview", description="Practise technical interviews")
        self.bot = bot
        self.add_command(QotdCommands())
        self.add_command(LeaderboardCommands())
        self.add_command(BankCommands())

    @app_commands.command(name="start", description="Start a mock interview in a new thread")
    @app_commands.describe(
        role="The role you are interviewing for",
        difficulty="How hard the questions are",
        questions="How many main questions to ask (leave out for the usual number)",
        adaptive="Move the level up after strong answers and down after weak ones",
    )
    @app_commands.choices(
        difficulty=[app_commands.Choice(name=d.label, value=d.value) for d in Difficulty]
    )
    async def start(
        self,
        interaction: discord.Interaction[Any],
        role: str,
        difficulty: str,
        questions: app_commands.Range[int, 1, 50] | None = None,
        adaptive: bool = False,
    ) -> None:
        options: dict[str, str | int] = {"role": role, "difficulty": difficulty}
        if questions is not None:
            options["questions"] = questions
        if adaptive:
            options["adaptive"] = True
        await self.bot.serve(interaction, Command(caller_of(interaction), "start", options))

    @start.autocomplete("role")
    async def role_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        request = Autocomplete(caller_of(interaction), "role", current)
        # It reads the server's bank from the database: off the event loop.
        ack = await self.bot.in_worker(self.bot.handler.choices, request)
        return [app_commands.Choice(name=c["name"], value=c["value"]) for c in ack.choices]

    @app_commands.command(name="review", description="Review what is due: weak answers come back")
    async def review(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.serve(interaction, Command(caller_of(interaction), "review"))

    @app_commands.command(name="remind", description="A DM when reviews are due, once a day")
    @app_commands.describe(when="daily 09:00 Europe/Paris — or off")
    async def remind(self, interaction: discord.Interaction[Any], when: str) -> None:
        await self.bot.serve(interaction, Command(caller_of(interaction), "remind", {"when": when}))

    @app_commands.command(name="history", description="Your recent interviews")
    async def history(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.serve(interaction, Command(caller_of(interaction), "history"))

    @app_commands.command(name="quota", description="Interview sessions left today")
    async def quota(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.serve(interaction, Command(caller_of(interaction), "quota"))

    @app_commands.command(name="link", description="A one-time code to see your history on the web")
    async def link(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.serve(interaction, Command(caller_of(interaction), "link"))

    @app_commands.command(name="end", description="End your current interview")
    async def end(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.serve(interaction, Command(caller_of(interaction), "end"))

    @app_commands.command(name="help", description="How mock interviews work here")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.serve(interaction, Command(caller_of(interaction), "help"))


def intents_for(settings: Settings) -> discord.Intents:
    """Default intents; Message Content (privileged) only when thread replies should count."""
    intents = discord.Intents.default()
    intents.message_content = settings.discord_message_content
    intents.typing = intents.presences = False
    return intents


class InterviewBot(discord.Client):
    def __init__(self, handler: InteractionHandler, *, settings: Settings, **options: Any) -> None:
        if settings.discord_application_id:  # else discord.py learns it when logging in
            options["application_id"] = int(settings.discord_application_id)
        # This bot never joins voice: discord.py's warning about missing voice libraries
        # would only be noise on every start.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(intents=intents_for(settings), **options)
        self.handler = handler
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(InterviewCommands(self))
        # The core's calls block, mostly waiting on the database and the LLM: more threads than
        # asyncio's CPU-based default, so slow evaluations do not queue behind each other.
        self._workers = ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="interview")

    async def close(self) -> None:
        await super().close()
        self._workers.shutdown(wait=False)

    async def in_worker(self, call: Callable[..., T], *args: Any) -> T:
        """Run blocking work off the event loop, in this task's context (as asyncio.to_thread
        does), so the Responder's calls back on the loop see the same discord.py context."""
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._workers, functools.partial(context.run, call, *args)
        )

    async def setup_hook(self) -> None:
        # Registered by template, not per message: presses on any old message still arrive.
        self.add_dynamic_items(InterviewButton, QotdAnswerButton)

    async def serve(self, interaction: discord.Interaction[Any], request: Request) -> None:
        """Acknowledge at once, then do the work on a thread and complete the response."""
        ack = self.handler.acknowledge(request)
        try:
            await self._send_ack(interaction, ack)
        except discord.HTTPException as exc:
            # Expired (over 3 s) or already acknowledged (a redelivery): nothing more to do.
            log.warning("could not acknowledge interaction %s: %s", interaction.id, exc.status)
            return
        if ack.deferred:
            responder = GatewayResponder(self, interaction, asyncio.get_running_loop())
            await self.in_worker(self.handler.complete, request, responder)

    @staticmethod
    async def _send_ack(interaction: discord.Interaction[Any], ack: Ack) -> None:
        response = interaction.response
        if ack.kind is AckKind.MESSAGE and ack.reply is not None:
            await response.send_message(**reply_kwargs(ack.reply), ephemeral=ack.reply.ephemeral)
        elif ack.kind is AckKind.DEFER:
            await response.defer(ephemeral=ack.ephemeral, thinking=True)
        elif ack.kind is AckKind.DEFER_UPDATE:
            await response.defer()
        elif ack.kind is AckKind.MODAL and ack.modal is not None:
            await response.send_modal(modal_from(ack.modal))

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Answer modals: discord.py keeps modals in memory only, so their submits are routed
        here by custom id instead, which also works for a modal opened before a restart."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if ids.parse(custom_id) is None and ids.parse_qotd(custom_id) is None:
            return
        text = modal_text(list(data.get("components", [])))
        await self.serve(interaction, ModalSubmit(caller_of(interaction), custom_id, text))

    async def on_message(self, message: discord.Message) -> None:
        chat = self._chat_message(message)
        if chat is None:
            return
        out = GatewayMessageOut(message, asyncio.get_running_loop())
        await self.in_worker(self.handler.answer_message, chat, out)

    def _chat_message(self, message: discord.Message) -> ChatMessage | None:
        """A candidate's possible answer: in a thread this bot opened, or in a DM with it."""
        if message.author.bot or message.type not in (
            discord.MessageType.default,
            discord.MessageType.reply,
        ):
            return None
        channel = message.channel
        if isinstance(channel, discord.Thread):
            if self.user is None or channel.owner_id != self.user.id:
                return None
            parent = str(channel.parent_id)
        elif isinstance(channel, discord.DMChannel):
            parent = None
        else:
            return None
        return ChatMessage(
            message_id=str(message.id),
            user_id=str(message.author.id),
            guild_id=str(message.guild.id) if message.guild else None,
            channel_id=str(channel.id),
            parent_id=parent,
            text=message.content,
        )


def modal_from(data: dict[str, Any]) -> discord.ui.Modal:
    """A discord.py modal from the rendered JSON, stopped so discord.py does not keep it: its
    submit is routed by custom id in on_interaction instead."""
    modal = discord.ui.Modal(title=data["title"], custom_id=data["custom_id"], timeout=None)
    for action_row in data["components"]:
        for field in action_row["components"]:
            modal.add_item(
                discord.ui.TextInput(
                    label=field["label"],
                    style=discord.TextStyle(field["style"]),
                    custom_id=field["custom_id"],
                    placeholder=field.get("placeholder"),
                    required=field.get("required", True),
                    min_length=field.get("min_length"),
                    max_length=field.get("max_length"),
                )
            )
    modal.stop()
    return modal
