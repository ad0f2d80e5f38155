"""The learning loop in Discord: `/interview review`, `remind`, the `adaptive` option, the
reminder DM over REST, and the gateway bot's own schedule timer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from bots.discord import schedule as discord_schedule
from bots.discord.http_endpoint import DiscordRest
from bots.discord.interactions import InteractionHandler
from bots.discord.model import Command
from bots.discord.notifier import DiscordNotifier
from core import services
from core.bootstrap import Core, build_core
from core.config import Settings
from core.domain.model import SessionKind, UserRef
from core.services.schedule import run_due
from tests.discord.fake_discord import FakeDiscordApi, MockDiscordServer
from tests.discord.payloads import ALICE, GUILD_ID
from tests.discord.test_interactions import THREAD, Recorder, caller
from tests.fakes import FakeClock

ME = UserRef("discord", GUILD_ID, ALICE)


@pytest.fixture
def core(embedded_settings: Settings) -> Iterator[Core]:
    wired = build_core(embedded_settings, auto_migrate=True)
    wired.deps.clock = FakeClock(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    yield wired
    wired.close()


@pytest.fixture
def handler(embedded_settings: Settings, core: Core) -> InteractionHandler:
    return InteractionHandler(embedded_settings, lambda: core, reads_replies=True)


def command(name: str, **options: str | int | bool) -> Command:
    return Command(caller(), name, options)  # type: ignore[arg-type]


def complete(handler: InteractionHandler, request: Command) -> Recorder:
    out = Recorder()
    assert handler.acknowledge(request).deferred
    handler.complete(request, out)
    return out


def answer_weakly(handler: InteractionHandler, core: Core) -> None:
    out = complete(handler, command("start", role="backend", difficulty="easy", questions=1))
    session = services.latest_active_session(core.deps, user=ME)
    assert session is not None and out.kinds()[0] == "thread"
    services.submit_answer(
        core.deps, session_id=session.id, actor=ME, text="no idea", delivery_id="weak"
    )
    services.end_session(core.deps, session_id=session.id, actor=ME)


def test_review_says_when_the_next_item_is_due_then_starts_in_a_thread(
    handler: InteractionHandler, core: Core
) -> None:
    answer_weakly(handler, core)
    refused = complete(handler, command("review")).last("edit")
    assert "Nothing is due for review right now" in refused.content
    assert "<t:" in refused.content and "/interview start" in refused.content
    core.deps.clock.advance(days=1)  # type: ignore[attr-defined]
    out = complete(handler, command("review"))
    assert out.kinds() == ["thread", "post", "edit"]
    channel, first = out.last("post")
    assert channel == THREAD and first.embeds[0]["author"]["name"].startswith("Review · ")
    session = services.latest_active_session(core.deps, user=ME)
    assert session is not None and session.kind is SessionKind.REVIEW


def test_adaptive_start_and_reminder_settings(handler: InteractionHandler, core: Core) -> None:
    complete(handler, command("start", role="backend", difficulty="easy", adaptive=True))
    session = services.latest_active_session(core.deps, user=ME)
    assert session is not None and session.adaptive
    set_ = complete(handler, command("remind", when="daily 09:00 Europe/Paris")).last("edit")
    assert "daily at 09:00 (Europe/Paris)" in set_.content and set_.ephemeral
    bad = complete(handler, command("remind", when="whenever")).last("edit")
    assert "remind daily 09:00 Europe/Paris" in bad.content
    assert "off" in complete(handler, command("remind", when="off")).last("edit").content
    assert services.reminder_of(core.deps, user=ME) is None


def test_the_reminder_is_a_dm_sent_once_a_day(handler: InteractionHandler, core: Core) -> None:
    answer_weakly(handler, core)
    complete(handler, command("remind", when="09:00 UTC"))
    core.deps.clock.current = datetime(2026, 12, 2, 9, 1, tzinfo=UTC)  # type: ignore[attr-defined]
    api = FakeDiscordApi()
    with MockDiscordServer(api) as server:
        notifier = DiscordNotifier(DiscordRest(server.base_url, "bot-token"))
        assert run_due(core.deps, {"discord": notifier})["review_reminders"] == {"sent": 1}
        run_due(core.deps, {"discord": notifier})
    assert api.kinds() == ["open-dm", "post"]
    content = api.of("post")[0].body["content"]
    assert "due: " in content and "/interview review" in content


def test_the_bot_runs_the_due_jobs_with_its_own_notifier(
    embedded_settings: Settings, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = threading.Event()
    seen: list[list[str]] = []

    def fake_run_due(deps: object, notifiers: dict[str, object]) -> None:
        seen.append(list(notifiers))
        ran.set()

    monkeypatch.setattr(discord_schedule, "run_due", fake_run_due)
    settings = embedded_settings.model_copy(
        update={"discord_token": SecretStr("bot-token"), "due_check_seconds": 1.0}
    )
    timer = discord_schedule.start_schedule(core, settings)
    assert timer is not None
    assert ran.wait(5)
    timer.stop()
    assert seen[0] == ["discord"]
    unconfigured = embedded_settings.model_copy(update={"discord_token": None})
    assert discord_schedule.start_schedule(core, unconfigured) is None
