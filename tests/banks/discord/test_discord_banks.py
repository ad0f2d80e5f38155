"""A YAML, a CSV and a Markdown bank, each imported and chosen by a server admin with
`/interview bank use`, then a whole interview from `/interview start` to the summary, through
Discord's HTTP interactions endpoint (the Lambda entry) with the REST calls on a mock server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey

from bots.discord import ids
from bots.discord.http_endpoint import caller_from
from bots.discord.interactions import InteractionHandler
from bots.discord.model import AckKind, Autocomplete
from core import services
from core.banks import read_bank_file
from core.bootstrap import Core
from core.config import Settings
from core.domain.model import AttemptStatus, BankRef, SessionStatus, UserRef
from tests.discord import payloads as p
from tests.discord.fake_discord import FakeDiscordApi, MockDiscordServer
from tests.discord.serverless import Serverless

EXAMPLES = Path(__file__).parents[3] / "docs" / "examples" / "banks"
EPHEMERAL = 1 << 6
NOT_ADMIN = str((1 << 10) | (1 << 11))  # View Channel and Send Messages only
ANSWER = (
    "Keep a counter per API key in Redis with a token bucket, increment it atomically, and "
    "answer 429 with Retry-After; for retries send an idempotency key stored with the payment."
)


@pytest.fixture
def lam(
    embedded_settings: Settings, signing_key: SigningKey, api: FakeDiscordApi
) -> Iterator[Serverless]:
    with MockDiscordServer(api) as server:
        settings = embedded_settings.model_copy(update={"discord_api_base_url": server.base_url})
        harness = Serverless(settings, signing_key)
        yield harness
        harness.close()


@pytest.fixture
def core(lam: Serverless) -> Core:
    assert lam.app.endpoint.handler.deps is not None  # built as the first deferred job would
    built = lam.app.endpoint.handler._core
    assert built is not None
    return built


def bank_command(
    lam: Serverless, api: FakeDiscordApi, sub: str, options: dict[str, str] | None = None, **kw: Any
) -> str:
    """`/interview bank <sub>`: what the person was told (the edited ephemeral response)."""
    values = [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()]
    data = {
        "id": "800000000000000001",
        "name": "interview",
        "type": 1,
        "options": [
            {"name": "bank", "type": 2, "options": [{"name": sub, "type": 1, "options": values}]}
        ],
    }
    payload = p.interaction(2, data, **kw)
    assert lam.send(payload) == (200, {"type": 5, "data": {"flags": EPHEMERAL}})
    return str(api.of("edit-original", payload["token"])[-1].body["content"])


@pytest.mark.parametrize("extension", ["yaml", "csv", "md"])
def test_a_bank_file_chosen_by_an_admin_runs_a_whole_interview(
    lam: Serverless, core: Core, api: FakeDiscordApi, extension: str
) -> None:
    document = read_bank_file(EXAMPLES / f"platform-team.{extension}")
    services.import_bank(
        core.deps, document=document, name="platform-team", scope=f"guild:{p.GUILD_ID}"
    )
    refused = bank_command(lam, api, "use", {"name": "platform-team"}, member_permissions=NOT_ADMIN)
    assert "Only server admins can choose the question bank" in refused
    chosen = bank_command(lam, api, "use", {"name": "platform-team"})
    assert "now use the question bank **platform-team** (version 1)" in chosen
    assert "platform-team" in bank_command(lam, api, "show", member_permissions=NOT_ADMIN)

    start = p.command("start", {"role": "backend", "difficulty": "medium", "questions": 2})
    assert lam.send(start) == (200, {"type": 5, "data": {"flags": EPHEMERAL}})
    (thread_id,) = api.threads
    where = {"channel": p.thread(thread_id)}
    question = api.of("post")[-1].body
    asked = [question["embeds"][0]["description"]]

    def press(label: str, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        event = p.press(p.custom_ids(body)[label], p.bot_message(body, thread_id), **where)
        return event, lam.send(event)[1]

    for n in (1, 2):
        _, modal = press("Answer", question)
        submit = p.modal_submit(modal["data"]["custom_id"], ANSWER, **where)
        lam.send(submit)
        (evaluated,) = api.of("edit-original", submit["token"])
        assert "/10" in evaluated.body["embeds"][0]["title"]
        moved, _ = press("Next question" if n == 1 else "Finish", evaluated.body)
        question = api.of("follow-up", moved["token"])[0].body
        if n == 1:
            asked.append(question["embeds"][0]["description"])
    assert "rate limiting" in " ".join(asked) and "charged once" in " ".join(asked)
    summary = question["embeds"][0]
    assert summary["title"] == "Interview summary"
    assert summary["description"].endswith("Answered 2 of 2, skipped 0")

    parsed = ids.parse(modal["data"]["custom_id"])
    assert parsed is not None
    result = services.summarize(core.deps, session_id=parsed.session_id)
    assert result.session.bank == BankRef("platform-team", 1)
    assert result.session.status is SessionStatus.COMPLETED
    assert [e.attempt.status for e in result.transcript if e.attempt] == [
        AttemptStatus.EVALUATED
    ] * 2


def test_a_start_the_bank_cannot_serve_is_refused_with_what_it_has(
    lam: Serverless, core: Core, api: FakeDiscordApi
) -> None:
    document = read_bank_file(EXAMPLES / "platform-team.md")
    services.import_bank(core.deps, document=document, name="platform-team")
    bank_command(lam, api, "use", {"name": "platform-team"})
    start = p.command("start", {"role": "frontend", "difficulty": "hard"})
    lam.send(start)
    told = api.of("edit-original", start["token"])[-1].body
    assert "has no frontend hard questions" in str(told)
    assert "backend (medium), devops-sre (easy)" in str(told)
    assert not api.threads  # nothing was opened
    alice = UserRef("discord", p.GUILD_ID, p.ALICE)
    assert services.quota_status(core.deps, user=alice).used == 0  # and nothing counted


def role_choices(lam: Serverless, typed: str, **kw: Any) -> list[dict[str, str]]:
    """What `/interview start`'s role autocomplete offers (answered in the HTTP response)."""
    status, answer = lam.send(p.autocomplete(typed, **kw))
    assert status == 200 and answer["type"] == 8
    return list(answer["data"]["choices"])


def test_the_role_autocomplete_offers_the_servers_bank_with_its_levels(
    lam: Serverless, core: Core, api: FakeDiscordApi
) -> None:
    assert len(role_choices(lam, "")) == 10  # the built-in bank: every role
    document = read_bank_file(EXAMPLES / "platform-team.yaml")
    services.import_bank(
        core.deps, document=document, name="platform-team", scope=f"guild:{p.GUILD_ID}"
    )
    assert len(role_choices(lam, "")) == 10  # imported, not chosen yet
    bank_command(lam, api, "use", {"name": "platform-team"})
    calls, invocations = len(api.calls), len(lam.lambda_client.invocations)

    assert role_choices(lam, "") == [
        {"name": "Backend — medium", "value": "backend"},
        {"name": "DevOps / SRE — easy", "value": "devops-sre"},
    ]
    assert role_choices(lam, "sre") == [{"name": "DevOps / SRE — easy", "value": "devops-sre"}]
    assert role_choices(lam, "front") == []  # a role the bank lacks is not offered
    assert len(role_choices(lam, "", in_guild=False)) == 10  # a DM: no server, no bank
    # answered in the response itself: no deferred work, no call to Discord
    assert (len(api.calls), len(lam.lambda_client.invocations)) == (calls, invocations)

    bank_command(lam, api, "use", {"name": "builtin"})
    assert len(role_choices(lam, "")) == 10


def test_autocomplete_offers_every_role_when_the_servers_bank_cannot_be_read(
    embedded_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    def database_down() -> Core:
        raise ConnectionError("database down")

    handler = InteractionHandler(embedded_settings, database_down, reads_replies=False)
    caller = caller_from(p.autocomplete(""))
    ack = handler.acknowledge(Autocomplete(caller, "role", ""))
    assert ack.kind is AckKind.CHOICES and len(ack.choices) == 10  # the start checks again
    assert "autocomplete failed: ConnectionError" in caplog.text
