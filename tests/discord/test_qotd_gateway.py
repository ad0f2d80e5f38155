"""The question of the day through the gateway bot (discord.py): the nested `/interview qotd`
and `/interview leaderboard` groups, the card's Answer button (a dynamic item, so it works on
cards posted before a restart) and the modal's submit routed by custom id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from core.config import Settings
from core.services.schedule import run_due
from tests.discord import payloads as p
from tests.discord.conftest import Gateway
from tests.discord.fake_discord import FakeDiscordApi, MockDiscordServer
from tests.fakes import FakeClock
from tests.qotd.support import ANSWER, MORNING

NOT_ADMIN = str(1 << 10)


@pytest.fixture
async def qotd_gateway(
    embedded_settings: Settings, core_for: Any, api: FakeDiscordApi
) -> AsyncIterator[Gateway]:
    with MockDiscordServer(api) as server:  # the core's own messages go over REST
        settings = embedded_settings.model_copy(
            update={"discord_api_base_url": server.base_url, "qotd_evaluation_workers": 0}
        )
        harness = Gateway(settings, core_for(settings), api)
        harness.core.deps.clock = FakeClock(MORNING)
        await harness.start()
        yield harness
        assert harness.bot is not None
        await harness.bot.close()


def group_command(group: str, sub: str, options: dict[str, str] | None = None, **kw: Any) -> dict:
    values = [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()]
    data = {
        "id": "800000000000000001",
        "name": "interview",
        "type": 1,
        "options": [
            {"name": group, "type": 2, "options": [{"name": sub, "type": 1, "options": values}]}
        ],
    }
    return p.interaction(2, data, **kw)


async def test_admins_set_it_up_and_anyone_answers_privately(
    qotd_gateway: Gateway, api: FakeDiscordApi
) -> None:
    refused = group_command("qotd", "set", {"time": "09:00"}, member_permissions=NOT_ADMIN)
    await qotd_gateway.interact(refused)
    assert api.of("callback", refused["token"])[0].body == {"type": 5, "data": {"flags": 64}}
    assert "Only server admins" in api.of("edit-original", refused["token"])[0].body["content"]
    allowed = group_command("qotd", "set", {"time": "09:00", "until": "17:00", "days": "daily"})
    await qotd_gateway.interact(allowed)
    assert "updated" in api.of("edit-original", allowed["token"])[0].body["content"]

    core = qotd_gateway.core
    core.deps.clock.current = MORNING + timedelta(hours=1.5)  # type: ignore[attr-defined]
    run_due(core.deps, core.notifiers)
    card = [c for c in api.of("post") if c.path == f"/channels/{p.CHANNEL_ID}/messages"][-1]
    await qotd_gateway.restart()  # the button still works: its id says everything

    answer_id = card.body["components"][0]["components"][0]["custom_id"]
    press = p.press(answer_id, p.bot_message(card.body, p.CHANNEL_ID), user_id=p.BOB)
    await qotd_gateway.interact(press)
    modal = api.of("callback", press["token"])[0].body
    assert modal["type"] == 9 and modal["data"]["custom_id"].startswith("ibq:submit:")

    submit = p.modal_submit(modal["data"]["custom_id"], ANSWER, user_id=p.BOB)
    await qotd_gateway.interact(submit)
    assert api.of("callback", submit["token"])[0].body == {"type": 5, "data": {"flags": 64}}
    assert "Answer received" in api.of("edit-original", submit["token"])[0].body["content"]
    [follow_up] = api.of("follow-up", submit["token"])
    assert follow_up.body["flags"] == 64 and "/10" in follow_up.body["embeds"][0]["title"]

    board = group_command("leaderboard", "show", user_id=p.BOB)
    await qotd_gateway.interact(board)
    assert "Your streak: 🔥 1" in api.of("edit-original", board["token"])[0].body["content"]
