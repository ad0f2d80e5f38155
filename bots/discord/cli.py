"""`interviewbot discord [run]` (the gateway bot) and `interviewbot discord sync-commands`."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from core.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from bots.discord.gateway import InterviewBot

# Importing discord.py costs ~0.2 s; check it is installed without slowing every other command.
if find_spec("discord") is None:
    raise ImportError("discord.py is not installed", name="discord")


def register(commands: Any) -> None:
    parser = commands.add_parser("discord", help="the Discord bot: run it, or register commands")
    parser.set_defaults(handler=run_gateway)
    actions = parser.add_subparsers(title="actions", metavar="ACTION")
    run = actions.add_parser("run", help="run the gateway bot (the default)")
    run.set_defaults(handler=run_gateway)
    sync = actions.add_parser("sync-commands", help="register the /interview slash commands")
    sync.add_argument(
        "--guild", type=int, help="register in this server only (instant; global takes a while)"
    )
    sync.set_defaults(handler=sync_commands)


def _token(settings: Settings) -> str:
    if settings.discord_token is None:
        raise ConfigError("DISCORD_TOKEN is required (the bot token from the Developer Portal)")
    return settings.discord_token.get_secret_value()


def _bot(settings: Settings, build_core: Any) -> InterviewBot:
    from bots.discord.gateway import InterviewBot
    from bots.discord.interactions import InteractionHandler

    handler = InteractionHandler(
        settings, build_core, reads_replies=settings.discord_message_content
    )
    return InterviewBot(handler, settings=settings)


def run_gateway(_: argparse.Namespace) -> int:
    import aiohttp
    import discord

    from core.bootstrap import build_core

    settings = load_settings()
    token = _token(settings)
    from bots.discord.qotd_schedule import start_schedule

    core = build_core(settings)  # fail fast on a bad database or Redis, before connecting
    bot = _bot(settings, lambda: core)
    timer = start_schedule(core)  # questions of the day, reveals, weekly leaderboards
    try:
        asyncio.run(_serve(bot, token))
    except discord.PrivilegedIntentsRequired:
        return _failed(
            "the Message Content intent is not enabled for this bot. Enable it in the "
            "Developer Portal (Bot → Privileged Gateway Intents), or set "
            "DISCORD_MESSAGE_CONTENT=false to take answers through the Answer button only.",
            status=2,
        )
    except discord.LoginFailure:
        return _failed("Discord refused DISCORD_TOKEN: check the bot token (Bot → Reset Token).")
    except (aiohttp.ClientConnectionError, TimeoutError) as exc:
        reason = str(exc) or type(exc).__name__
        return _failed(f"could not reach Discord ({reason}): check the network connection.")
    finally:
        timer.stop()
        core.close()
    return 0


def _failed(problem: str, *, status: int = 1) -> int:
    """One line that names the problem: no traceback for a token or a network people can fix."""
    print(f"interviewbot discord: {problem}", file=sys.stderr)
    return status


async def _serve(bot: InterviewBot, token: str) -> None:
    loop = asyncio.get_running_loop()
    # systemd and container runtimes stop with SIGTERM: close the gateway connection cleanly.
    loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))
    async with bot:
        await bot.start(token)


def sync_commands(args: argparse.Namespace) -> int:
    settings = load_settings()
    token = _token(settings)

    def no_core() -> Any:
        raise RuntimeError("registering commands needs no core")

    names = asyncio.run(_sync(_bot(settings, no_core), token, args.guild))
    where = f"server {args.guild}" if args.guild else "all servers (may take up to an hour)"
    print(f"Registered {', '.join(names)} for {where}.")
    return 0


async def _sync(bot: InterviewBot, token: str, guild_id: int | None) -> list[str]:
    import discord

    async with bot:
        await bot.login(token)
        if guild_id is None:
            synced = await bot.tree.sync()
        else:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
    return [f"/{command.name}" for command in synced]
