"""Fixtures for the Discord adapter: a wired core with the offline evaluator, an Ed25519 key
pair, the fake Discord API, and a gateway harness that drives the real discord.py bot."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from discord.webhook.async_ import async_context
from nacl.encoding import HexEncoder
from nacl.signing import SigningKey

from bots.discord.gateway import InterviewBot
from bots.discord.interactions import InteractionHandler
from core.adapters.offline.evaluator import OfflineEvaluator, OfflineQuestionWriter
from core.bootstrap import Core, build_core
from core.config import Settings
from tests.conftest import migrated_copy
from tests.discord import payloads
from tests.discord.fake_discord import FakeDiscordApi

WEB = "https://interviews.example.org"


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return SigningKey.generate()


def make_settings(
    database_url: str, redis_url: str, prefix: str, key: SigningKey, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "redis_url": redis_url,
        "redis_prefix": prefix,
        "discord_application_id": payloads.APP_ID,
        "discord_public_key": key.verify_key.encode(HexEncoder).decode(),
        "discord_token": "bot-token-for-tests",
        "web_base_url": WEB,
        "_env_file": None,
    }
    return Settings(**(values | overrides))


def make_core(settings: Settings) -> Core:
    evaluator = OfflineEvaluator(prompt_version=settings.prompt_version)
    return build_core(settings, auto_migrate=True, llm=(evaluator, OfflineQuestionWriter()))


@pytest.fixture
def embedded_settings(tmp_path: Path, signing_key: SigningKey, migrated_sqlite: Path) -> Settings:
    """SQLite + the in-process Redis stand-in: for tests of behaviour, not of the backends."""
    prefix = f"ib-test:{uuid.uuid4().hex[:10]}:"
    url = migrated_copy(migrated_sqlite, tmp_path / "discord.db")
    return make_settings(url, f"memory://{prefix}", prefix, signing_key)


@pytest.fixture
def backend_settings(backend: Any, signing_key: SigningKey) -> Settings:
    """Both backends (SQLite + stand-in, MariaDB + Redis) for the whole-interview tests."""
    return make_settings(backend.database_url, backend.redis_url, backend.redis_prefix, signing_key)


@pytest.fixture
def core_for() -> Iterator[Callable[[Settings], Core]]:
    built: list[Core] = []

    def factory(settings: Settings) -> Core:
        built.append(make_core(settings))
        return built[-1]

    yield factory
    for core in built:
        core.close()


@pytest.fixture
def api() -> FakeDiscordApi:
    return FakeDiscordApi()


class RecordingBot(InterviewBot):
    """The production bot, plus a signal when it has finished with an interaction or message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.done: defaultdict[str, asyncio.Event] = defaultdict(asyncio.Event)

    async def serve(self, interaction: Any, request: Any) -> None:
        try:
            await super().serve(interaction, request)
        finally:
            self.done[str(interaction.id)].set()

    async def on_message(self, message: Any) -> None:
        try:
            await super().on_message(message)
        finally:
            self.done[str(message.id)].set()


class Gateway:
    """Feeds raw gateway events to a logged-in bot whose REST calls land in the fake API."""

    def __init__(self, settings: Settings, core: Core, api: FakeDiscordApi) -> None:
        self.settings, self.core, self.api = settings, core, api
        self.bot: RecordingBot | None = None

    async def start(self) -> RecordingBot:
        handler = InteractionHandler(
            self.settings, lambda: self.core, reads_replies=self.settings.discord_message_content
        )
        bot = RecordingBot(handler, settings=self.settings)
        bot.http.request = self.api.http_request  # type: ignore[method-assign]
        await bot.login(
            "bot-token-for-tests"
        )  # GET /users/@me and the application, then setup_hook
        bot._connection.parse_guild_create(payloads.guild())
        self.bot = bot
        return bot

    async def restart(self) -> RecordingBot:
        """A new process, as far as discord.py knows: nothing survives but the ids in messages."""
        assert self.bot is not None
        await self.bot.close()
        return await self.start()

    def _state(self) -> Any:
        assert self.bot is not None
        async_context.set(self.api.webhook_adapter())  # inherited by the tasks spawned below
        return self.bot._connection

    async def interact(self, payload: dict[str, Any], *, wait: bool = True) -> None:
        self._state().parse_interaction_create(payload)
        if wait:
            assert self.bot is not None
            await asyncio.wait_for(self.bot.done[payload["id"]].wait(), timeout=10)

    async def thread_created(self, thread_id: str) -> None:
        """THREAD_CREATE, which Discord sends after the bot opened a thread."""
        self._state().parse_thread_create(self.api.threads[thread_id] | {"newly_created": True})

    async def say(self, payload: dict[str, Any]) -> None:
        self._state().parse_message_create(payload)
        assert self.bot is not None
        await asyncio.wait_for(self.bot.done[payload["id"]].wait(), timeout=10)


@pytest.fixture
async def gateway(
    embedded_settings: Settings, core_for: Callable[[Settings], Core], api: FakeDiscordApi
) -> AsyncIterator[Gateway]:
    harness = Gateway(embedded_settings, core_for(embedded_settings), api)
    await harness.start()
    yield harness
    if harness.bot is not None:
        await harness.bot.close()
