"""The serverless interactions endpoint: signatures, PING, deferral to an asynchronous
invocation, and completion through a mock Discord REST server on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import pytest
from nacl.signing import SigningKey

from bots.discord.aws_lambda import DEFERRED_KEY
from core.config import Settings
from tests.discord import payloads
from tests.discord.fake_discord import FakeDiscordApi, MockDiscordServer
from tests.discord.serverless import CONTEXT, Serverless, signed_event


@pytest.fixture
def server(api: FakeDiscordApi) -> Iterator[MockDiscordServer]:
    with MockDiscordServer(api) as running:
        yield running


@pytest.fixture
def lam(
    embedded_settings: Settings, signing_key: SigningKey, server: MockDiscordServer
) -> Iterator[Serverless]:
    settings = embedded_settings.model_copy(update={"discord_api_base_url": server.base_url})
    harness = Serverless(settings, signing_key)
    yield harness
    harness.close()


def respond(lam: Serverless, event: dict) -> tuple[int, dict]:
    response = lam.app.handle(event, CONTEXT)
    assert response["headers"]["content-type"] == "application/json"
    return response["statusCode"], json.loads(response["body"])


def test_ping_is_answered_with_pong_without_building_the_core(
    lam: Serverless, signing_key: SigningKey
) -> None:
    assert respond(lam, signed_event({"type": 1, "id": "1"}, signing_key)) == (200, {"type": 1})
    assert respond(lam, signed_event({"type": 1}, signing_key, base64_body=True))[0] == 200
    assert lam.app.endpoint.handler._core is None
    assert lam.lambda_client.invocations == []


@pytest.mark.parametrize(
    "tamper",
    ["other key", "other body", "stale", "future", "no headers", "not hex", "too short"],
)
def test_forged_or_stale_signatures_get_401(
    lam: Serverless, signing_key: SigningKey, tamper: str
) -> None:
    body = {"type": 1}
    key = SigningKey.generate() if tamper == "other key" else signing_key
    stamp = {"stale": time.time() - 301, "future": time.time() + 301}.get(tamper, time.time())
    event = signed_event(body, key, timestamp=str(int(stamp)))
    if tamper == "other body":
        event["body"] = json.dumps({"type": 2})
    if tamper == "no headers":
        event["headers"] = {"content-type": "application/json"}
    if tamper == "not hex":
        event["headers"]["X-Signature-Ed25519"] = "zz" * 64
    if tamper == "too short":
        event["headers"]["X-Signature-Ed25519"] = event["headers"]["X-Signature-Ed25519"][:62]
    assert respond(lam, event) == (401, {"error": "invalid request signature"})


@pytest.mark.parametrize("base64_body", [False, True])
def test_the_signature_covers_the_exact_bytes_sent(
    lam: Serverless, signing_key: SigningKey, base64_body: bool
) -> None:
    """Bytes as Discord sent them (spacing, raw UTF-8), whether API Gateway passes the body as
    text or base64-encoded; one changed byte is refused."""
    raw = '{"type":1,  "id":"1", "note":"déjà vu ✓"}'.encode()
    event = signed_event(raw, signing_key, base64_body=base64_body)
    assert respond(lam, event) == (200, {"type": 1})
    changed = raw.replace(b"vu", b"VU")
    event["body"] = base64.b64encode(changed).decode() if base64_body else changed.decode()
    assert respond(lam, event)[0] == 401


def test_only_post_and_json_are_accepted(lam: Serverless, signing_key: SigningKey) -> None:
    assert respond(lam, signed_event({"type": 1}, signing_key, method="GET"))[0] == 405
    assert respond(lam, signed_event(b"not json", signing_key))[0] == 400
    garbled = signed_event({"type": 1}, signing_key, base64_body=True) | {"body": "%%%"}
    assert respond(lam, garbled) == (400, {"error": "the body is not valid base64"})


def test_commands_defer_then_complete_through_the_webhook(
    lam: Serverless, api: FakeDiscordApi
) -> None:
    command = payloads.command("start", {"role": "backend", "difficulty": "easy"})
    status, ack = lam.send(command)
    assert (status, ack) == (200, {"type": 5, "data": {"flags": 64}})
    (invocation,) = lam.lambda_client.invocations
    assert json.loads(invocation["Payload"])[DEFERRED_KEY]["body"] == json.dumps(command)
    assert api.kinds() == ["open-thread", "add-member", "post", "edit-original"]
    opened, _, posted, edited = api.calls
    assert opened.headers["authorization"] == "Bot bot-token-for-tests"
    assert posted.headers["authorization"] == "Bot bot-token-for-tests"
    assert "authorization" not in edited.headers  # the interaction token is the credential
    assert edited.path == f"/webhooks/{payloads.APP_ID}/{command['token']}/messages/@original"
    assert "Your interview is ready in <#" in edited.body["content"]
    assert posted.body["embeds"][0]["title"] == "Question 1 of 5"


def test_help_and_modals_need_no_second_invocation(lam: Serverless, api: FakeDiscordApi) -> None:
    status, ack = lam.send(payloads.command("help"))
    assert status == 200 and ack["type"] == 4 and ack["data"]["flags"] == 64
    assert "To answer, press **Answer**" in ack["data"]["content"]  # no gateway: by modal
    _, modal = lam.send(
        payloads.press(
            f"ib:answer:1:1:{payloads.ALICE}",
            payloads.message(channel_id=payloads.CHANNEL_ID, author=payloads.user(payloads.BOT_ID)),
        )
    )
    assert modal["type"] == 9 and modal["data"]["custom_id"] == f"ib:submit:1:1:{payloads.ALICE}"
    _, choices = lam.send(payloads.autocomplete("sec"))
    assert choices == {"type": 8, "data": {"choices": [{"name": "Security", "value": "security"}]}}
    assert lam.lambda_client.invocations == [] and api.calls == []


def test_a_failed_hand_off_says_so_instead_of_thinking_forever(lam: Serverless) -> None:
    lam.lambda_client.error = RuntimeError("AccessDeniedException")
    status, ack = lam.send(payloads.command("quota"))
    assert status == 200 and ack["type"] == 4 and ack["data"]["flags"] == 64
    assert "try again" in ack["data"]["content"]


def test_the_deferred_half_is_verified_again_and_runs_once(
    lam: Serverless, api: FakeDiscordApi, signing_key: SigningKey
) -> None:
    command = payloads.command("quota")
    lam.send(command)
    (invocation,) = lam.lambda_client.invocations
    assert api.kinds() == ["edit-original"]
    lam.replay(invocation)  # Lambda delivers asynchronous events at least once
    assert api.kinds() == ["edit-original"]
    deferred = json.loads(invocation["Payload"])[DEFERRED_KEY]
    forged = deferred | {"body": deferred["body"].replace("quota", "link")}
    lam.app.handle({DEFERRED_KEY: forged}, CONTEXT)
    old = signed_event(payloads.command("link"), signing_key, timestamp=str(int(time.time()) - 901))
    headers = old["headers"]
    lam.app.handle(
        {
            DEFERRED_KEY: {
                "body": old["body"],
                "signature": headers["X-Signature-Ed25519"],
                "timestamp": headers["X-Signature-Timestamp"],
            }
        },
        CONTEXT,
    )
    assert api.kinds() == ["edit-original"]


def test_discords_hiccups_are_retried_and_a_used_message_costs_nothing(
    lam: Serverless, api: FakeDiscordApi
) -> None:
    slept: list[float] = []
    lam.app.endpoint.rest._sleep = slept.append
    api.failures["post"] = [503, 502]  # the first question, posted with the bot token
    lam.send(payloads.command("start", {"role": "backend", "difficulty": "easy"}))
    assert api.kinds() == ["open-thread", "add-member", "post", "post", "post", "edit-original"]
    assert slept == [0.5, 1.0]
    (thread_id,) = api.threads
    question = api.posted(thread_id)[0]
    where = {"channel": payloads.thread(thread_id)}
    skip = payloads.press(payloads.custom_ids(question)["Skip"], question, **where)
    api.failures["edit-original"] = 404  # the question message was deleted meanwhile
    lam.send(skip)
    assert api.kinds(skip["token"]) == ["follow-up", "edit-original"]
    assert api.of("follow-up", skip["token"])[0].body["embeds"][0]["title"] == "Question 2 of 5"


def test_an_unreachable_core_ends_in_a_message_not_endless_thinking(
    lam: Serverless, api: FakeDiscordApi
) -> None:
    def broken() -> None:
        raise RuntimeError("could not connect to the database")

    lam.app.endpoint.handler._build_core = broken  # type: ignore[assignment]
    command = payloads.command("quota")
    assert lam.send(command)[1] == {"type": 5, "data": {"flags": 64}}
    (edited,) = api.of("edit-original", command["token"])
    assert edited.body["content"].startswith("⚠️ Something went wrong on our side.")


def test_a_refused_thread_ends_the_session_with_a_clear_message(
    lam: Serverless, api: FakeDiscordApi
) -> None:
    api.failures["open-thread"] = 403
    lam.send(payloads.command("start", {"role": "backend", "difficulty": "easy"}))
    assert api.kinds() == ["open-thread", "edit-original"]
    assert "could not open a thread" in api.calls[-1].body["content"]
    lam.send(payloads.command("end"))
    assert "no interview in progress" in api.calls[-1].body["content"]


def test_an_interaction_without_an_application_id_completes_with_the_configured_one(
    lam: Serverless, api: FakeDiscordApi
) -> None:
    command = payloads.command("quota")
    del command["application_id"]
    assert lam.send(command) == (200, {"type": 5, "data": {"flags": 64}})
    (edited,) = api.of("edit-original", command["token"])
    assert edited.path == f"/webhooks/{payloads.APP_ID}/{command['token']}/messages/@original"
    assert "interview sessions today" in edited.body["content"]


def test_an_unexpected_error_in_a_press_ends_in_a_message_not_endless_thinking(
    lam: Serverless, api: FakeDiscordApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core import services

    lam.send(payloads.command("start", {"role": "backend", "difficulty": "easy"}))
    (thread_id,) = api.threads
    question = api.posted(thread_id)[0]

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "skip_question", crash)
    skip = payloads.press(
        payloads.custom_ids(question)["Skip"], question, channel=payloads.thread(thread_id)
    )
    assert lam.send(skip) == (200, {"type": 6})
    (told,) = api.of("follow-up", skip["token"])
    assert told.body["flags"] == 64 and "Something went wrong on our side" in told.body["content"]
