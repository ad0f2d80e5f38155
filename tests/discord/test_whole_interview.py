"""A whole interview from `/interview start` to the summary, on SQLite + the in-process Redis
stand-in and on MariaDB + Redis (the `backend` fixture), through both transports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nacl.signing import SigningKey

from bots.discord import ids
from core import services
from core.bootstrap import Core
from core.config import Settings
from core.domain.model import AttemptStatus, SessionStatus
from tests.discord import payloads
from tests.discord.conftest import Gateway
from tests.discord.fake_discord import FakeDiscordApi, MockDiscordServer
from tests.discord.serverless import Serverless

ANSWER = (
    "I would put an index on the columns in the WHERE clause, read the plan with EXPLAIN, "
    "remove N+1 queries, cache hot reads in Redis and paginate large result sets."
)


def summary_of(core: Core, custom_id: str) -> Any:
    parsed = ids.parse(custom_id)
    assert parsed is not None
    return services.summarize(core.deps, session_id=parsed.session_id)


async def test_gateway_interview_from_start_to_summary(
    backend_settings: Settings, core_for: Callable[[Settings], Core], api: FakeDiscordApi
) -> None:
    core = core_for(backend_settings)
    gateway = Gateway(backend_settings, core, api)
    await gateway.start()
    try:
        await gateway.interact(
            payloads.command("start", {"role": "backend", "difficulty": "medium", "questions": 2})
        )
        (thread_id,) = api.threads
        await gateway.thread_created(thread_id)
        where = {"channel": payloads.thread(thread_id)}

        async def press(label: str, body: dict[str, Any]) -> dict[str, Any]:
            message = payloads.bot_message(body, thread_id)
            event = payloads.press(payloads.custom_ids(body)[label], message, **where)
            await gateway.interact(event)
            return event

        question = api.of("post")[-1].body
        hint = await press("Hint", question)
        assert api.of("follow-up", hint["token"])[0].body["embeds"][0]["title"] == "💡 Hint 1"
        opened = await press("Answer", question)
        modal = api.of("callback", opened["token"])[0].body["data"]
        submit = payloads.modal_submit(modal["custom_id"], ANSWER, **where)
        await gateway.interact(submit)
        evaluation = api.of("edit-original", submit["token"])[0].body
        deeper = await press("Go deeper", evaluation)
        follow_up = api.of("follow-up", deeper["token"])[0].body
        assert follow_up["embeds"][0]["title"] == "Follow-up on question 1 of 2"
        await gateway.say(payloads.chat(thread_id, ANSWER))
        evaluation = api.of("edit-message")[-1].body
        moved = await press("Next question", evaluation)
        second = api.of("follow-up", moved["token"])[0].body
        assert second["embeds"][0]["title"] == "Question 2 of 2"
        await gateway.say(payloads.chat(thread_id, ANSWER + " Also measure first."))
        finished = await press("Finish", api.of("edit-message")[-1].body)
        summary = api.of("follow-up", finished["token"])[0].body
    finally:
        assert gateway.bot is not None
        await gateway.bot.close()
    embed = summary["embeds"][0]
    assert embed["title"] == "Interview summary" and embed["description"].endswith(
        "Answered 2 of 2, skipped 0, plus 1 follow-up"
    )
    assert summary["components"][0]["components"][0]["url"] == embed["url"]
    result = summary_of(core, payloads.custom_ids(question)["Answer"])
    assert result.session.status is SessionStatus.COMPLETED
    assert result.session.conversation.thread == thread_id
    assert [e.attempt.status for e in result.transcript if e.attempt] == [
        AttemptStatus.EVALUATED
    ] * 3


def test_serverless_interview_through_modals_to_the_summary(
    backend_settings: Settings, signing_key: SigningKey, api: FakeDiscordApi
) -> None:
    with MockDiscordServer(api) as server:
        settings = backend_settings.model_copy(update={"discord_api_base_url": server.base_url})
        lam = Serverless(settings, signing_key)
        try:
            _run_serverless_interview(lam, api)
        finally:
            lam.close()


def _run_serverless_interview(lam: Serverless, api: FakeDiscordApi) -> None:
    start = payloads.command("start", {"role": "devops", "difficulty": "easy", "questions": 2})
    assert lam.send(start) == (200, {"type": 5, "data": {"flags": 64}})
    (thread_id,) = api.threads
    where = {"channel": payloads.thread(thread_id)}
    question = api.of("post")[-1].body
    assert question["embeds"][0]["footer"]["text"].startswith("Press Answer")

    def press(label: str, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        message = payloads.bot_message(body, thread_id)
        event = payloads.press(payloads.custom_ids(body)[label], message, **where)
        return event, lam.send(event)[1]

    _, modal = press("Answer", question)
    submit = payloads.modal_submit(modal["data"]["custom_id"], ANSWER, **where)
    assert lam.send(submit)[1] == {"type": 5, "data": {"flags": 0}}
    lam.send(submit)  # the same request delivered twice
    (evaluated,) = api.of("edit-original", submit["token"])
    assert "/10" in evaluated.body["embeds"][0]["title"]
    first, ack = press("Next question", evaluated.body)
    assert ack == {"type": 6}
    again, _ = press("Next question", evaluated.body)  # a double click
    second = api.of("follow-up", first["token"])[0].body
    assert second["embeds"][0]["title"] == "Question 2 of 2" and "flags" not in second
    (shown,) = api.of("follow-up", again["token"])  # the same question, privately, not posted
    assert shown.body["flags"] == 64 and shown.body["embeds"] == second["embeds"]
    skipped, _ = press("Skip", second)
    summary = api.of("follow-up", skipped["token"])[0].body["embeds"][0]
    assert summary["title"] == "Interview summary"
    assert summary["description"].endswith("Answered 1 of 2, skipped 1")
    assert summary["url"].endswith(
        "/sessions/" + str(ids.parse(modal["data"]["custom_id"]).session_id)
    )  # type: ignore[union-attr]
    core = lam.app.endpoint.handler._core
    assert core is not None
    result = summary_of(core, modal["data"]["custom_id"])
    assert result.session.status is SessionStatus.COMPLETED
    assert [e.attempt.status for e in result.transcript if e.attempt] == [
        AttemptStatus.EVALUATED,
        AttemptStatus.SKIPPED,
    ]
