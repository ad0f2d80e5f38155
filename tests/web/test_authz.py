"""Authorization: another person's data is a 404 everywhere; anonymous visitors get 401 or /login."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.bootstrap import Core
from core.domain.model import UserRef
from tests.web.helpers import answer_and_wait, csrf_from, link_chat_identity, register_api
from tests.web.seeding import play_session

BOB_SLACK = UserRef("slack", "T9", "U-bob")


@pytest.fixture
def bob(client: TestClient, core: Core) -> dict[str, Any]:
    """Bob's data: a linked Slack identity with a finished session, and a browser interview."""
    slack_session = play_session(core.deps, BOB_SLACK)
    headers = register_api(client)
    identity = link_chat_identity(client, core, headers, BOB_SLACK)
    started = client.post(
        "/api/practice", json={"role": "backend", "questions": 2}, headers=headers
    )
    practice = started.json()["session"]["id"]
    answer = {"text": "An index speeds up reads", "position": 1, "delivery_id": "bob-answer-1"}
    answer_and_wait(client, practice, answer, headers)
    return {
        "slack_session": slack_session,
        "practice": practice,
        "identity": identity,
        "headers": headers,
    }


ACTIONS = ("answer", "next", "deeper", "hint", "skip", "retry", "end")


def test_someone_elses_data_is_not_found_at_every_url(
    client: TestClient, bob: dict[str, Any]
) -> None:
    alice = register_api(client)
    for session_id in (bob["slack_session"], bob["practice"]):
        for url in (
            f"/api/sessions/{session_id}",
            f"/api/practice/{session_id}",
            f"/sessions/{session_id}",
            f"/practice/{session_id}",
        ):
            assert client.get(url, headers=alice).status_code == 404, url
        api = client.get(f"/api/sessions/{session_id}", headers=alice).json()
        assert api == {
            "error": "not_found",
            "code": "not_found",
            "message": "Not found.",
            "detail": "Not found.",
        }

    body = {"text": "mine now", "position": 1, "delivery_id": "alice-try-1"}
    for action in ACTIONS:
        url = f"/api/practice/{bob['practice']}/{action}"
        response = client.post(url, json=body, headers=alice)
        assert response.status_code == 404, (url, response.text)
        assert response.json()["error"] == "not_found"  # the same refusal as a missing session
        assert "index" not in response.text  # nothing of Bob's leaks into the refusal

    token = csrf_from(client, "/practice", headers=alice)
    form = {"text": "mine now", "position": "1", "delivery": "alice-form-1", "csrf_token": token}
    for action in ACTIONS:
        url = f"/practice/{bob['practice']}/{action}"
        assert client.post(url, data=form, headers=alice).status_code == 404, url

    gone = client.delete(f"/api/identities/{bob['identity']}", headers=alice)
    assert gone.status_code == 404 and gone.json()["error"] == "not_found"
    unlink = client.post(
        f"/link/{bob['identity']}/unlink", data={"csrf_token": token}, headers=alice
    )
    assert unlink.status_code == 404

    assert client.get("/api/sessions", headers=alice).json()["total"] == 0
    assert client.get("/api/export?format=json", headers=alice).json() == []
    assert client.get("/api/analytics", headers=alice).json()["sessions"] == 0


def test_the_owner_reaches_the_same_urls(client: TestClient, bob: dict[str, Any]) -> None:
    """The 404s above are about ownership, not about broken URLs."""
    register_api(client)  # another account changes nothing for Bob
    urls = (
        f"/api/sessions/{bob['slack_session']}",
        f"/sessions/{bob['practice']}",
        f"/practice/{bob['practice']}",
    )
    for url in urls:
        assert client.get(url, headers=bob["headers"]).status_code == 200, url


API_URLS = [
    ("GET", "/api/dashboard"),
    ("GET", "/api/sessions"),
    ("GET", "/api/sessions/1"),
    ("GET", "/api/analytics"),
    ("GET", "/api/team/analytics"),
    ("GET", "/api/identities"),
    ("POST", "/api/identities"),
    ("DELETE", "/api/identities/1"),
    ("GET", "/api/export"),
    ("DELETE", "/api/history"),
    ("POST", "/api/practice"),
    ("POST", "/api/practice/1/answer"),
    ("POST", "/api/practice/1/end"),
    ("GET", "/api/users/me"),
]
PAGE_URLS = [
    "/sessions",
    "/sessions/1",
    "/analytics",
    "/team",
    "/practice",
    "/practice/1",
    "/link",
    "/account",
    "/account/delete",
    "/export.csv",
    "/export.json",
]


def test_anonymous_requests_get_401_or_the_login_page(embedded_client: TestClient) -> None:
    for method, url in API_URLS:
        response = embedded_client.request(method, url, json={})
        assert response.status_code == 401, (method, url, response.status_code)
    for url in PAGE_URLS:
        response = embedded_client.get(url, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"] == f"/login?next={url}"
    assert embedded_client.get("/").status_code == 200  # the landing page is public
