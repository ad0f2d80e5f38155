"""The gateway bot through discord.py's own parsing and dispatch: raw INTERACTION_CREATE,
THREAD_CREATE and MESSAGE_CREATE payloads in, REST calls recorded by the fake Discord API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest

from bots.discord.cli import _sync
from core import services
from core.banks import read_bank_file
from core.config import Settings
from tests.discord import payloads
from tests.discord.conftest import Gateway, RecordingBot
from tests.discord.fake_discord import FakeDiscordApi
from tests.discord.payloads import ALICE, BOB, CHANNEL_ID

ANSWER = (
    "ACID: atomicity means all or nothing, consistency keeps constraints valid, isolation hides "
    "concurrent transactions from each other, durability keeps committed data after a crash."
)


async def start_interview(gateway: Gateway, api: FakeDiscordApi, **options: Any) -> str:
    """/interview start; returns the new thread's id (THREAD_CREATE fed as Discord would)."""
    options = {"role": "backend", "difficulty": "easy", "questions": 2} | options
    await gateway.interact(payloads.command("start", options))
    thread_id = list(api.threads)[-1]
    await gateway.thread_created(thread_id)
    return thread_id


def in_thread(thread_id: str, **kwargs: Any) -> dict[str, Any]:
    return {"channel": payloads.thread(thread_id)} | kwargs


async def press(gateway: Gateway, label: str, body: dict[str, Any], thread_id: str, **kw: Any):
    message = payloads.bot_message(body, thread_id)
    payload = payloads.press(
        payloads.custom_ids(body)[label], message, **in_thread(thread_id, **kw)
    )
    await gateway.interact(payload)
    return payload


async def test_start_defers_then_opens_a_thread_with_the_first_question(
    gateway: Gateway, api: FakeDiscordApi
) -> None:
    payload = payloads.command("start", {"role": "backend", "difficulty": "easy"})
    await gateway.interact(payload)
    token = payload["token"]
    kinds = [c.kind for c in api.calls if c.kind not in ("me", "application")]
    assert kinds == ["callback", "open-thread", "add-member", "post", "edit-original"]
    assert api.of("callback", token)[0].body == {"type": 5, "data": {"flags": 64}}
    opened = api.of("open-thread")[0]
    assert opened.path == f"/channels/{CHANNEL_ID}/threads" and opened.body["type"] == 11
    (thread_id,) = api.threads
    assert api.of("add-member")[0].path.endswith(f"/{thread_id}/thread-members/{ALICE}")
    first = api.of("post")[0]
    assert first.path == f"/channels/{thread_id}/messages"
    assert first.body["content"].startswith(f"<@{ALICE}>")
    assert first.body["embeds"][0]["title"] == "Question 1 of 5"
    assert list(payloads.custom_ids(first.body)) == ["Answer", "Hint", "Skip", "End"]
    assert first.body["allowed_mentions"]["users"] == [int(ALICE)]
    assert f"<#{thread_id}>" in api.of("edit-original", token)[0].body["content"]


async def test_private_threads_when_the_server_wants_them(
    embedded_settings: Settings, core_for: Any, api: FakeDiscordApi
) -> None:
    settings = embedded_settings.model_copy(update={"discord_private_threads": True})
    harness = Gateway(settings, core_for(settings), api)
    await harness.start()
    try:
        await start_interview(harness, api)
    finally:
        assert harness.bot is not None
        await harness.bot.close()
    assert api.of("open-thread")[0].body | {"name": "-"} == {
        "name": "-",
        "type": 12,
        "invitable": False,
        "auto_archive_duration": 1440,
        "rate_limit_per_user": None,
    }


async def test_answer_button_opens_a_modal_whose_submit_is_evaluated(
    gateway: Gateway, api: FakeDiscordApi
) -> None:
    thread_id = await start_interview(gateway, api)
    question = api.of("post")[-1].body
    opened = await press(gateway, "Answer", question, thread_id)
    modal = api.of("callback", opened["token"])[0].body
    assert modal["type"] == 9
    text_input = modal["data"]["components"][0]["components"][0]
    assert (text_input["style"], text_input["max_length"]) == (2, 4000)
    submit = payloads.modal_submit(modal["data"]["custom_id"], ANSWER, **in_thread(thread_id))
    await gateway.interact(submit)
    assert api.kinds(submit["token"]) == ["callback", "edit-original"]
    assert api.of("callback", submit["token"])[0].body == {"type": 5}
    evaluation = api.of("edit-original", submit["token"])[0].body["embeds"][0]
    assert evaluation["title"].split(" ")[1].endswith("/10")
    assert evaluation["color"] in (0x2EB67D, 0xECB22E, 0xF2952F, 0xE01E5A)
    assert [f["name"] for f in evaluation["fields"]][:1] == ["Your answer"]
    assert evaluation["footer"]["text"] == "Graded by: offline heuristic scorer"
    assert "Key points" in [f["name"] for f in evaluation["fields"]]


async def test_thread_replies_are_answers_only_from_the_candidate(
    gateway: Gateway, api: FakeDiscordApi
) -> None:
    thread_id = await start_interview(gateway, api)
    api.reset()
    await gateway.say(payloads.chat(thread_id, "good luck alice!", user_id=BOB))
    await gateway.say(payloads.chat(CHANNEL_ID, ANSWER))  # the parent channel: not an answer
    from_a_bot = payloads.chat(thread_id, ANSWER) | {"author": payloads.user(ALICE, bot=True)}
    await gateway.say(from_a_bot)  # a bot (or a webhook) with the candidate's id: not an answer
    assert api.calls == []
    answer = payloads.chat(thread_id, ANSWER)
    await gateway.say(answer)
    assert api.kinds() == ["post", "edit-message"]
    placeholder = api.of("post")[0]
    assert placeholder.body["content"] == "⏳ Evaluating your answer…"
    assert placeholder.body["message_reference"]["message_id"] == int(answer["id"])
    evaluation = api.of("edit-message")[0].body
    assert evaluation["content"] is None and "/10" in evaluation["embeds"][0]["title"]
    assert next(iter(payloads.custom_ids(evaluation))) == "Next question"
    await gateway.say(answer)  # the same MESSAGE_CREATE again: no second evaluation
    assert api.kinds() == ["post", "edit-message"]


async def test_buttons_keep_working_after_a_restart(gateway: Gateway, api: FakeDiscordApi) -> None:
    thread_id = await start_interview(gateway, api)
    await gateway.say(payloads.chat(thread_id, ANSWER))
    evaluation = api.of("edit-message")[-1].body
    question = api.of("post")[0].body
    await gateway.restart()
    await gateway.thread_created(thread_id)
    clicked = await press(gateway, "Next question", evaluation, thread_id)
    assert api.kinds(clicked["token"]) == ["callback", "follow-up", "edit-original"]
    assert api.of("callback", clicked["token"])[0].body == {"type": 6}
    assert api.of("edit-original", clicked["token"])[0].body["components"] == []
    second = api.of("follow-up", clicked["token"])[0].body
    assert second["embeds"][0]["title"] == "Question 2 of 2"
    # A modal opened before another restart is still taken after it.
    opened = await press(gateway, "Answer", second, thread_id)
    await gateway.restart()
    modal_id = api.of("callback", opened["token"])[0].body["data"]["custom_id"]
    submit = payloads.modal_submit(modal_id, ANSWER, **in_thread(thread_id))
    await gateway.interact(submit)
    assert "/10" in api.of("edit-original", submit["token"])[0].body["embeds"][0]["title"]
    # The first question's End, from a message posted two restarts ago.
    ended = await press(gateway, "End", question, thread_id)
    summary = api.of("follow-up", ended["token"])[0].body["embeds"][0]
    assert (
        summary["title"] == "Interview summary"
        and "Answered 2 of 2, skipped 0" in summary["description"]
    )


async def test_double_click_and_other_peoples_clicks(gateway: Gateway, api: FakeDiscordApi) -> None:
    thread_id = await start_interview(gateway, api)
    await gateway.say(payloads.chat(thread_id, ANSWER))
    evaluation = api.of("edit-message")[-1].body
    bob = await press(gateway, "Next question", evaluation, thread_id, user_id=BOB)
    refusal = api.of("callback", bob["token"])[0].body
    assert refusal["type"] == 4 and refusal["data"]["flags"] == 64
    assert "belongs to someone else" in refusal["data"]["content"]
    first = await press(gateway, "Next question", evaluation, thread_id)
    again = await press(gateway, "Next question", evaluation, thread_id)
    (posted,) = api.of("follow-up", first["token"])
    assert "flags" not in posted.body and posted.body["embeds"][0]["title"] == "Question 2 of 2"
    (shown,) = api.of("follow-up", again["token"])  # not posted twice: shown again, privately
    assert shown.body["flags"] == 64 and shown.body["content"].startswith("Already asked")
    assert shown.body["embeds"] == posted.body["embeds"]


async def test_autocomplete_and_help(gateway: Gateway, api: FakeDiscordApi) -> None:
    typed = payloads.autocomplete("ml")
    await gateway.interact(typed, wait=False)
    await api.wait_for(lambda: bool(api.of("callback", typed["token"])))
    choices = api.of("callback", typed["token"])[0].body
    assert choices == {
        "type": 8,
        "data": {"choices": [{"name": "Machine learning", "value": "machine-learning"}]},
    }
    asked = payloads.command("help")
    await gateway.interact(asked)
    answer = api.of("callback", asked["token"])[0].body
    assert answer["type"] == 4 and answer["data"]["flags"] == 64


async def test_autocomplete_offers_the_servers_chosen_bank(
    gateway: Gateway, api: FakeDiscordApi
) -> None:
    """Read from the database on a worker thread (never on the event loop), answered in time."""
    deps = gateway.core.deps
    document = read_bank_file(Path(__file__).parents[2] / "docs/examples/banks/platform-team.md")
    services.import_bank(deps, document=document, name="team")
    services.use_bank(
        deps, platform="discord", tenant=payloads.GUILD_ID, name="team", by=ALICE, is_admin=True
    )
    typed = payloads.autocomplete("")
    await gateway.interact(typed, wait=False)
    await api.wait_for(lambda: bool(api.of("callback", typed["token"])))
    assert api.of("callback", typed["token"])[0].body["data"]["choices"] == [
        {"name": "Backend — medium", "value": "backend"},
        {"name": "DevOps / SRE — easy", "value": "devops-sre"},
    ]


async def test_a_dm_interview(gateway: Gateway, api: FakeDiscordApi) -> None:
    started = payloads.command("start", {"role": "frontend", "difficulty": "easy"}, in_guild=False)
    await gateway.interact(started)
    assert api.of("open-thread") == []
    assert api.of("post")[0].path == f"/channels/{payloads.DM_CHANNEL}/messages"
    api.reset()
    await gateway.say(payloads.chat(payloads.DM_CHANNEL, ANSWER, in_guild=False))
    assert api.kinds() == ["post", "edit-message"]


async def test_sync_commands_registers_the_command_schema(
    embedded_settings: Settings, api: FakeDiscordApi
) -> None:
    from bots.discord.interactions import InteractionHandler

    def no_core() -> Any:
        raise AssertionError("registering commands must not build the core")

    bot = RecordingBot(
        InteractionHandler(embedded_settings, no_core, reads_replies=True),
        settings=embedded_settings,
    )
    bot.http.request = api.http_request  # type: ignore[method-assign]
    names = await _sync(bot, "bot-token-for-tests", 1234)
    assert names == ["/interview"]
    (sync,) = [c for c in api.calls if c.method == "PUT"]
    assert sync.path == f"/applications/{payloads.APP_ID}/guilds/1234/commands"
    (group,) = sync.body
    subcommands = {o["name"]: o for o in group["options"]}
    assert sorted(subcommands) == [
        "bank", "end", "help", "history", "leaderboard", "link", "qotd", "quota", "remind",
        "review", "start",
    ]  # fmt: skip
    assert [o["name"] for o in subcommands["bank"]["options"]] == ["show", "use"]
    # The question of the day's groups (type 2) and their sub-commands.
    qotd = {o["name"]: o for o in subcommands["qotd"]["options"]}
    assert subcommands["qotd"]["type"] == 2
    assert sorted(qotd) == ["pause", "post-now", "resume", "set", "show"]
    set_options = {o["name"] for o in qotd["set"]["options"]}
    assert set_options == {"channel", "time", "until", "timezone", "days", "roles", "difficulty"}
    assert [o["name"] for o in subcommands["leaderboard"]["options"]] == ["show", "join", "leave"]
    options = {o["name"]: o for o in subcommands["start"]["options"]}
    assert (options["adaptive"]["type"], options["adaptive"]["required"]) == (5, False)  # boolean
    remind = {o["name"]: o for o in subcommands["remind"]["options"]}
    assert remind["when"]["required"] is True
    assert options["role"]["autocomplete"] is True and options["role"]["required"] is True
    assert [c["value"] for c in options["difficulty"]["choices"]] == ["easy", "medium", "hard"]
    assert (options["questions"]["min_value"], options["questions"]["required"]) == (1, False)
    assert group["contexts"] == [0, 1] and group["integration_types"] == [0]


@pytest.fixture
async def dpytest_bot(embedded_settings: Settings, core_for: Any) -> Any:
    from bots.discord.interactions import InteractionHandler

    core = core_for(embedded_settings)
    handler = InteractionHandler(embedded_settings, lambda: core, reads_replies=True)
    bot = RecordingBot(handler, settings=embedded_settings)
    await bot._async_setup_hook()
    # dpytest fakes its members through the member cache, which only the members intent fills.
    intents = bot._connection._intents
    intents.members = True
    bot._connection.member_cache_flags = discord.MemberCacheFlags.from_intents(intents)
    dpytest.configure(bot)
    yield bot
    await dpytest.empty_queue()


async def test_chatter_in_ordinary_channels_is_left_alone(dpytest_bot: Any) -> None:
    """dpytest fits here (ordinary channels and messages); it cannot create threads."""
    await dpytest.message("/interview start backend easy")
    await dpytest.message(ANSWER)
    assert dpytest.verify().message().nothing()
    assert isinstance(dpytest_bot, discord.Client)
