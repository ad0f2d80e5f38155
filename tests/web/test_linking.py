"""Linking a chat identity with the one-time code from `/interview link`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from core import services
from core.bootstrap import Core
from core.domain.model import UserRef
from tests.fakes import FakeClock
from tests.web.helpers import csrf_from, link_chat_identity, register_api
from tests.web.seeding import play_session
from web import throttle

SLACK = UserRef("slack", "T024", "U-ada")
DISCORD = UserRef("discord", "G42", "D-ada")


def test_a_code_from_chat_links_the_identity_and_merges_its_history(
    client: TestClient, core: Core
) -> None:
    slack_session = play_session(core.deps, SLACK, role="backend")
    discord_session = play_session(core.deps, DISCORD, role="frontend")
    headers = register_api(client)
    assert client.get("/api/sessions", headers=headers).json()["total"] == 0

    link_chat_identity(client, core, headers, SLACK)
    link_chat_identity(client, core, headers, DISCORD)

    listed = client.get("/api/sessions", headers=headers).json()
    assert {item["id"] for item in listed["items"]} == {slack_session, discord_session}
    identities = client.get("/api/identities", headers=headers).json()
    assert {(i["platform"], i["tenant"]) for i in identities} == {
        ("slack", "T024"),
        ("discord", "G42"),
    }
    assert "workspace T024" in next(i["label"] for i in identities if i["platform"] == "slack")
    page = client.get("/link", headers=headers)
    assert "server G42" in page.text and "Unlink" in page.text


def test_expired_reused_and_wrong_codes_are_refused(client: TestClient, core: Core) -> None:
    headers = register_api(client)
    eleven_minutes_ago = datetime.now(UTC) - timedelta(minutes=11)
    expired = services.issue_link_code(
        replace(core.deps, clock=FakeClock(eleven_minutes_ago)), user=SLACK
    ).code
    fresh = services.issue_link_code(core.deps, user=SLACK).code

    for code in (expired, "ZZZZ-ZZZZ", "abc", ""):
        refused = client.post("/api/identities", json={"code": code}, headers=headers)
        assert refused.status_code == 422, code
        assert refused.json()["error"] == "invalid_link_code"
        assert f"{core.deps.rules.link_code_minutes} minutes" in refused.json()["message"]

    assert (
        client.post("/api/identities", json={"code": fresh.lower()}, headers=headers).status_code
        == 201
    )
    reused = client.post("/api/identities", json={"code": fresh}, headers=headers)
    assert reused.status_code == 422

    token = csrf_from(client, "/link", headers=headers)
    page = client.post("/link", data={"code": fresh, "csrf_token": token}, headers=headers)
    assert page.status_code == 422 and "not valid" in page.text


def test_unlinking_removes_the_chat_history_from_the_account(
    client: TestClient, core: Core
) -> None:
    play_session(core.deps, SLACK)
    headers = register_api(client)
    identity = link_chat_identity(client, core, headers, SLACK)
    assert client.get("/api/sessions", headers=headers).json()["total"] == 1

    assert client.delete(f"/api/identities/{identity}", headers=headers).status_code == 204
    assert client.get("/api/sessions", headers=headers).json()["total"] == 0
    assert client.delete(f"/api/identities/{identity}", headers=headers).status_code == 404

    link_chat_identity(client, core, headers, SLACK)  # a new code links it again
    token = csrf_from(client, "/link", headers=headers)
    unlinked = client.post(
        f"/link/{identity}/unlink",
        data={"csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )
    assert unlinked.headers["location"] == "/link?notice=unlinked"
    assert client.get("/api/identities", headers=headers).json() == []


def test_wrong_codes_are_limited_per_account_and_right_ones_do_not_count(
    client: TestClient, core: Core
) -> None:
    """8 characters from 31 symbols for 10 minutes is only safe if guessing is slow."""
    headers = register_api(client)
    allowed = throttle.LINK_CODES.attempts

    def send(code: str, who: dict[str, str] = headers) -> Any:
        return client.post("/api/identities", json={"code": code}, headers=who)

    for _ in range(allowed - 1):
        assert send("ZZZZ-ZZZZ").status_code == 422
    right = services.issue_link_code(core.deps, user=SLACK).code
    assert send(right).status_code == 201  # a success gives its attempt back
    assert send("ZZZZ-ZZZZ").status_code == 422  # the last wrong one the window allows

    fresh = services.issue_link_code(core.deps, user=DISCORD).code
    refused = send(fresh)  # even a valid code waits now: guessing cannot go on
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_attempts" and refused.json()["retry_at"]
    assert "Too many wrong link codes" in refused.json()["message"]
    token = csrf_from(client, "/link", headers=headers)
    page = client.post("/link", data={"code": fresh, "csrf_token": token}, headers=headers)
    assert page.status_code == 429 and "Too many wrong link codes" in page.text

    other = register_api(client)  # the limit is per account
    assert send(fresh, other).status_code == 201
