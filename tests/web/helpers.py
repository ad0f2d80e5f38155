"""Small steps the web tests share: accounts, tokens, CSRF tokens, linked chat history."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from fastapi.testclient import TestClient

from core import services
from core.bootstrap import Core
from core.domain.model import UserRef

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def new_email(name: str = "user") -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


def csrf_from(client: TestClient, path: str = "/login", **kwargs: object) -> str:
    """The token a page embeds in its forms (the CSRF cookie lands in the client's jar)."""
    page = client.get(path, **kwargs)  # type: ignore[arg-type]
    found = _TOKEN.search(page.text)
    assert found, f"no CSRF token on {path} ({page.status_code})"
    return found.group(1)


def register_api(client: TestClient, email: str | None = None) -> dict[str, str]:
    """A new account through the JSON API; returns its bearer Authorization header."""
    email = email or new_email()
    created = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert created.status_code == 201, created.text
    return login_api(client, email)


def login_api(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/auth/jwt/login", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def user_id(client: TestClient, headers: dict[str, str]) -> str:
    return str(client.get("/api/users/me", headers=headers).json()["id"])


def browser_register(client: TestClient, email: str | None = None) -> str:
    """Register through the HTML form; the session cookie stays in the client's jar."""
    email = email or new_email()
    token = csrf_from(client, "/register")
    response = client.post(
        "/register",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return email


def link_chat_identity(
    client: TestClient, core: Core, headers: dict[str, str], user: UserRef
) -> int:
    """Link a chat identity to the account the way a person does: code from chat, typed on the web."""
    code = services.issue_link_code(core.deps, user=user).code
    linked = client.post("/api/identities", json={"code": code}, headers=headers)
    assert linked.status_code == 201, linked.text
    return int(linked.json()["id"])


def wait_for_evaluation(
    client: TestClient,
    session_id: int,
    position: int,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> dict[str, Any]:
    """Ask `GET /api/practice/{id}` (as the page does) until the question at `position` is no
    longer being evaluated in the background; returns that question's entry."""
    deadline = time.monotonic() + timeout
    while True:
        state = client.get(f"/api/practice/{session_id}", headers=headers)
        assert state.status_code == 200, state.text
        entry = next(e for e in state.json()["questions"] if e["question"]["position"] == position)
        if entry["step"] != "evaluating":
            return dict(entry)
        assert time.monotonic() < deadline, f"still evaluating after {timeout} s"
        time.sleep(0.05)


def answer_and_wait(
    client: TestClient, session_id: int, body: dict[str, Any], headers: dict[str, str] | None
) -> dict[str, Any]:
    """Post an answer over the API (stored at once: 202) and wait for its evaluation; returns
    the answer's response with the attempt as the evaluation left it."""
    posted = client.post(f"/api/practice/{session_id}/answer", json=body, headers=headers)
    assert posted.status_code == 202, posted.text
    entry = wait_for_evaluation(client, session_id, body["position"], headers)
    return {**posted.json(), "attempt": entry["attempt"], "step": entry["step"]}
