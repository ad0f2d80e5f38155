"""`/interview qotd …` and `/interview leaderboard …` for the gateway bot (discord.py groups
nested in /interview; `interviewbot discord sync-commands` registers them), and the Answer
button of the question of the day. Each turns into a neutral request for the shared handling."""

from __future__ import annotations

from typing import Any, Protocol, cast

import discord
from discord import app_commands

from bots.discord import ids
from bots.discord.gateway_io import caller_of
from bots.discord.model import Command, Press, Request
from core.domain.roles import Difficulty


class Serves(Protocol):
    async def serve(self, interaction: discord.Interaction[Any], request: Request) -> None: ...


async def _serve(interaction: discord.Interaction[Any], name: str, **options: Any) -> None:
    bot = cast(Serves, interaction.client)
    values = {
        k: (str(v.id) if isinstance(v, discord.abc.Snowflake) else v)
        for k, v in options.items()
        if v is not None
    }
    await bot.serve(interaction, Command(caller_of(interaction), name, values))


class QotdCommands(app_commands.Group):
    """Server admins (Manage Server or Administrator) configure; anyone may look."""

    def __init__(self) -> None:
        super().__init__(name="qotd", description="The team question of the day in a channel")

    @app_commands.command(name="set", description="Schedule the question of the day (admins)")
    @app_commands.describe(
        channel="Where to post it (default: this channel)",
        time="Local time to post, e.g. 09:30",
        until="Local time answers close, e.g. 17:00",
        timezone="IANA time zone, e.g. Europe/Paris",
        days="Weekdays, e.g. mon-fri, mon,wed,fri, daily",
        roles="Roles, e.g. backend,frontend",
        difficulty="How hard the questions are",
    )
    @app_commands.choices(
        difficulty=[app_commands.Choice(name=d.label, value=d.value) for d in Difficulty]
    )
    async def set_(
        self,
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel | None = None,
        time: str | None = None,
        until: str | None = None,
        timezone: str | None = None,
        days: str | None = None,
        roles: str | None = None,
        difficulty: str | None = None,
    ) -> None:
        await _serve(
            interaction,
            "qotd.set",
            channel=channel,
            time=time,
            until=until,
            timezone=timezone,
            days=days,
            roles=roles,
            difficulty=difficulty,
        )

    @app_commands.command(name="show", description="This channel's question-of-the-day setting")
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        await _serve(interaction, "qotd.show")

    @app_commands.command(name="pause", description="Pause the question of the day (admins)")
    async def pause(self, interaction: discord.Interaction[Any]) -> None:
        await _serve(interaction, "qotd.pause")

    @app_commands.command(name="resume", description="Resume the question of the day (admins)")
    async def resume(self, interaction: discord.Interaction[Any]) -> None:
        await _serve(interaction, "qotd.resume")

    @app_commands.command(name="post-now", description="Post today's question now (admins)")
    async def post_now(self, interaction: discord.Interaction[Any]) -> None:
        await _serve(interaction, "qotd.post-now")


class BankCommands(app_commands.Group):
    """Server admins choose the server's question bank; anyone may see it."""

    def __init__(self) -> None:
        super().__init__(name="bank", description="The question bank this server's interviews use")

    @app_commands.command(name="show", description="The question bank in use and the others")
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        await _serve(interaction, "bank.show")

    @app_commands.command(name="use", description="Choose the server's question bank (admins)")
    @app_commands.describe(name="A bank's name (`builtin`: the shipped questions)")
    async def use(self, interaction: discord.Interaction[Any], name: str) -> None:
        await _serve(interaction, "bank.use", name=name)


class LeaderboardCommands(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(name="leaderboard", description="The question-of-the-day leaderboard")

    @app_commands.command(name="show", description="This week's leaderboard and your streak")
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        await _serve(interaction, "leaderboard.show")

    @app_commands.command(name="join", description="Show your name and points on the leaderboard")
    async def join(self, interaction: discord.Interaction[Any]) -> None:
        await _serve(interaction, "leaderboard.join")

    @app_commands.command(name="leave", description="Take your name off the leaderboard")
    async def leave(self, interaction: discord.Interaction[Any]) -> None:
        await _serve(interaction, "leaderboard.leave")


class QotdAnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.QOTD_TEMPLATE):
    """The Answer button of every question-of-the-day card, before or after a restart."""

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any, /
    ) -> QotdAnswerButton:
        assert isinstance(item, discord.ui.Button)
        return cls(item)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = cast(Serves, interaction.client)
        await bot.serve(interaction, Press(caller_of(interaction), self.item.custom_id or ""))
