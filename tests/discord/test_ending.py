"""`/interview end` when the person practises on a linked surface too (the browser, here),
through the gateway bot and through the HTTP interactions endpoint."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from nacl.signing import SigningKey

from core import services
from core.adapters.sql.models import WebUser
from core.bootstrap import Core
from core.config import Settings
from core.domain.model import ConversationRef, Platform, Session, SessionStatus, UserRef
from tests.discord import payloads
from tests.discord.conftest import WEB, Gateway
from tests.discord.fake_discord import FakeDiscordApi, MockDiscordServer
from tests.discord.serverless import Serverless

ALICE = UserRef(Platform.DISCORD, payloads.GUILD_ID, payloads.ALICE)


def browser_interview_linked_to(core: Core, user: UserRef) -> Session:
    """Link `user` to a web account (with a one-time code, as people do) and start an
    interview in that account's browser, through the core."""
    account, deps = uuid.uuid4(), core.deps
    with core.session_factory() as db, db.begin():  # signs up on the web
        db.add(WebUser(id=account, email=f"{account.hex}@example.com", hashed_password="x"))
    services.scope_for_web_user(deps, web_user_id=str(account))  # the browser identity
    code = services.issue_link_code(deps, user=user)
    services.redeem_link_code(deps, code=code.code, web_user_id=str(account))
    browser = ConversationRef(
        Platform.WEB, "web", "browser", str(account), thread=f"web-{uuid.uuid4().hex}"
    )
    return services.start_session(deps, conversation=browser, role="frontend").session


def status_of(core: Core, session: Session) -> SessionStatus:
    with core.deps.uow() as uow:
        found = uow.sessions.get(session.id)
    assert found is not None
    return found.status


def assert_points_to_the_browser(text: str, browser: Session) -> None:
    assert "You have an interview in progress in the browser" in text
    assert f"{WEB}/practice/{browser.id}" in text
    assert "belongs to someone else" not in text


async def test_gateway_end_points_to_the_linked_browser_interview(
    gateway: Gateway, api: FakeDiscordApi
) -> None:
    browser = browser_interview_linked_to(gateway.core, ALICE)
    command = payloads.command("end")
    await gateway.interact(command)
    assert api.kinds(command["token"]) == ["callback", "edit-original"]
    assert_points_to_the_browser(
        api.of("edit-original", command["token"])[0].body["content"], browser
    )
    assert status_of(gateway.core, browser) is SessionStatus.ACTIVE


async def test_gateway_end_ends_the_discord_interview_even_when_a_browser_one_is_newer(
    gateway: Gateway, api: FakeDiscordApi
) -> None:
    await gateway.interact(payloads.command("start", {"role": "backend", "difficulty": "easy"}))
    (thread_id,) = api.threads
    browser = browser_interview_linked_to(gateway.core, ALICE)
    command = payloads.command("end")
    await gateway.interact(command)
    summary = api.of("post")[-1]
    assert summary.path == f"/channels/{thread_id}/messages"
    assert summary.body["embeds"][0]["title"] == "Interview summary"
    ended = api.of("edit-original", command["token"])[0].body["content"]
    assert f"the summary is in <#{thread_id}>" in ended
    assert status_of(gateway.core, browser) is SessionStatus.ACTIVE
    again = payloads.command("end")
    await gateway.interact(again)
    assert_points_to_the_browser(
        api.of("edit-original", again["token"])[0].body["content"], browser
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


def test_http_end_points_to_the_linked_browser_interview(
    lam: Serverless, api: FakeDiscordApi
) -> None:
    lam.send(payloads.command("quota"))  # the first deferred request builds the core
    core = lam.app.endpoint.handler._core
    assert core is not None
    browser = browser_interview_linked_to(core, ALICE)
    command = payloads.command("end")
    assert lam.send(command) == (200, {"type": 5, "data": {"flags": 64}})
    assert api.kinds(command["token"]) == ["edit-original"]
    assert_points_to_the_browser(
        api.of("edit-original", command["token"])[0].body["content"], browser
    )
    assert status_of(core, browser) is SessionStatus.ACTIVE
