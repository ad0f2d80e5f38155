"""The question of the day on Discord with real payload shapes, through the serverless
interactions endpoint (signed requests, deferred work replayed as Lambda would) and a mock of
Discord's REST API on 127.0.0.1: admins by their member permissions, the card with its Answer
button, the modal, the private evaluation as an ephemeral follow-up (or a DM once the
interaction's 15 minutes are over), the reveal in the card's thread, the opt-in leaderboard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from nacl.signing import SigningKey

from core.bootstrap import Core
from core.config import Settings
from core.services.qotd_evaluation import retry_qotd_evaluations
from core.services.schedule import run_due
from tests.discord import payloads as p
from tests.discord.fake_discord import FakeDiscordApi, MockDiscordServer
from tests.discord.serverless import Serverless
from tests.fakes import FakeClock
from tests.qotd.support import ANSWER, MORNING

EPHEMERAL = 1 << 6
NOT_ADMIN = str((1 << 10) | (1 << 11))  # View Channel and Send Messages only


@pytest.fixture
def server(api: FakeDiscordApi) -> Iterator[MockDiscordServer]:
    with MockDiscordServer(api) as running:
        yield running


@pytest.fixture
def lam(
    embedded_settings: Settings, signing_key: SigningKey, server: MockDiscordServer
) -> Iterator[Serverless]:
    settings = embedded_settings.model_copy(
        update={"discord_api_base_url": server.base_url, "qotd_evaluation_workers": 0}
    )
    harness = Serverless(settings, signing_key)
    yield harness
    harness.close()


@pytest.fixture
def core(lam: Serverless) -> Core:
    assert lam.app.endpoint.handler.deps is not None  # built as the first deferred job would
    built = lam.app.endpoint.handler._core
    assert built is not None
    built.deps.clock = FakeClock(MORNING)
    return built


def edits(api: FakeDiscordApi, payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [c.body for c in api.of("edit-original", payload["token"])]


def command(
    lam: Serverless, api: FakeDiscordApi, name: str, options: dict | None = None, **kw: Any
) -> str:
    group, _, sub = name.partition(" ")
    values = [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()]
    data = {
        "id": "800000000000000001",
        "name": "interview",
        "type": 1,
        "options": [
            {"name": group, "type": 2, "options": [{"name": sub, "type": 1, "options": values}]}
        ],
    }
    payload = p.interaction(2, data, **kw)
    status, body = lam.send(payload)
    assert status == 200 and body == {"type": 5, "data": {"flags": EPHEMERAL}}
    return str(edits(api, payload)[-1].get("content") or edits(api, payload)[-1])


def the_card(api: FakeDiscordApi) -> Any:
    return [c for c in api.of("post") if c.path == f"/channels/{p.CHANNEL_ID}/messages"][-1]


def submit(lam: Serverless, post_id: str, text: str, user: str) -> dict[str, Any]:
    payload = p.modal_submit(f"ibq:submit:{post_id}", text, user_id=user)
    status, body = lam.send(payload)
    assert status == 200 and body == {"type": 5, "data": {"flags": EPHEMERAL}}
    return payload


def test_the_whole_flow_over_the_http_endpoint(
    lam: Serverless, core: Core, api: FakeDiscordApi
) -> None:
    clock: FakeClock = core.deps.clock  # type: ignore[assignment]
    settings = {"time": "09:00", "until": "17:00", "timezone": "UTC", "days": "mon-fri"}
    refused = command(lam, api, "qotd set", settings, member_permissions=NOT_ADMIN)
    assert "Only server admins" in refused
    told = command(lam, api, "qotd set", settings | {"roles": "backend,frontend"})
    assert "Question of the day updated" in told and "Mon–Fri at 09:00" in told

    clock.current = MORNING + timedelta(hours=1.5)
    run_due(core.deps, core.notifiers)
    card = the_card(api)
    [answer_button] = card.body["components"][0]["components"]
    assert answer_button["label"] == "Answer" and card.headers["authorization"].startswith("Bot ")
    post_id = answer_button["custom_id"].rsplit(":", 1)[1]
    message_id = (
        api.messages
        and [m for m in api.messages.values() if m["channel_id"] == p.CHANNEL_ID][-1]["id"]
    )

    # The button opens the modal at once (no I/O), for anyone in the channel.
    _, body = lam.send(
        p.press(answer_button["custom_id"], p.bot_message(card.body, p.CHANNEL_ID), user_id=p.BOB)
    )
    assert body["type"] == 9 and body["data"]["custom_id"] == f"ibq:submit:{post_id}"

    # Alice answers: "received", then her evaluation as an ephemeral follow-up, nothing public.
    api.reset()
    first = submit(lam, post_id, ANSWER, p.ALICE)
    assert api.kinds(first["token"]) == ["edit-original", "follow-up"]
    assert "Answer received" in edits(api, first)[0]["content"]
    [evaluation] = api.of("follow-up", first["token"])
    assert evaluation.body["flags"] == EPHEMERAL and "/10" in evaluation.body["embeds"][0]["title"]
    assert api.of("post") == []
    again = submit(lam, post_id, "Another go", p.ALICE)
    assert "already answered" in edits(api, again)[-1]["content"]

    # Bob joins the board and answers; the window closes; the reveal goes in the card's thread.
    assert "joined the leaderboard" in command(lam, api, "leaderboard join", user_id=p.BOB)
    submit(lam, post_id, ANSWER + " Covering indexes help too.", p.BOB)
    api.reset()
    clock.current = MORNING + timedelta(hours=9.5)
    run_due(core.deps, core.notifiers)
    assert [c.path for c in api.of("start-thread")] == [
        f"/channels/{p.CHANNEL_ID}/messages/{message_id}/threads"
    ]
    [reveal] = [c for c in api.of("post") if c.path == f"/channels/{message_id}/messages"]
    embed = reveal.body["embeds"][0]
    assert "2 people answered" in embed["title"]
    names = {f["name"]: f["value"] for f in embed["fields"]}
    assert "Bob" in names["Top answers (leaderboard members)"] and "Alice" not in str(embed)
    [closed] = api.of("edit-message")
    assert closed.path.endswith(message_id) and closed.body["components"] == []
    assert "Closed" in closed.body["embeds"][0]["footer"]["text"]

    board = command(lam, api, "leaderboard show", user_id=p.ALICE)
    assert "Your streak" in board and "not on the leaderboard" in board


def test_an_evaluation_after_the_interactions_window_comes_by_dm(
    lam: Serverless, core: Core, api: FakeDiscordApi
) -> None:
    command(lam, api, "qotd set", {"time": "09:00", "until": "17:00"})
    core.deps.clock.current = MORNING + timedelta(hours=1)  # type: ignore[attr-defined]
    run_due(core.deps, core.notifiers)
    post_id = the_card(api).body["components"][0]["components"][0]["custom_id"].rsplit(":", 1)[1]
    core.deps.evaluations = None  # a burst: the queue is long, or its worker died
    api.reset()
    submit(lam, post_id, ANSWER, p.ALICE)
    assert api.of("follow-up") == []
    core.deps.clock.current += timedelta(minutes=20)  # type: ignore[attr-defined]
    assert retry_qotd_evaluations(core.deps, core.notifiers)["evaluated"] == 1
    assert api.kinds()[-2:] == ["open-dm", "post"]
    dm = api.of("post")[-1]
    assert "flags" not in dm.body and "/10" in dm.body["embeds"][0]["title"]


def test_setting_it_up_outside_a_server_is_refused(lam: Serverless, api: FakeDiscordApi) -> None:
    assert "server's channel" in command(lam, api, "qotd show", in_guild=False)
