"""Practice in the browser and over the API: same core, same quota, idempotent submissions."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from markupsafe import escape

from core import services
from core.bootstrap import Core
from core.domain.errors import QuotaExceeded
from tests.web.conftest import EmbeddedSettings, Serving, wired_core
from tests.web.helpers import (
    answer_and_wait,
    browser_register,
    csrf_from,
    register_api,
    user_id,
    wait_for_evaluation,
)

ANSWER = (
    "An index is a separate B-tree structure kept sorted by the indexed columns, so lookups "
    "and range scans avoid reading the whole table; every write must also update the index."
)


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


def _start(client: TestClient, questions: int = 2) -> tuple[str, str]:
    form = client.get("/practice")
    token = _hidden(form.text, "csrf_token")
    fields = {
        "role": "backend",
        "difficulty": "easy",
        "questions": str(questions),
        "request_id": _hidden(form.text, "request_id"),
        "csrf_token": token,
    }
    started = client.post("/practice", data=fields, follow_redirects=False)
    assert started.status_code == 303, started.text
    again = client.post("/practice", data=fields, follow_redirects=False)  # a double click
    assert again.headers["location"] == started.headers["location"]
    return started.headers["location"], token


def test_a_browser_interview_runs_to_its_summary(shared_client: TestClient) -> None:
    client = shared_client  # accounts of its own only (tests/web/conftest.py)
    browser_register(client)
    url, token = _start(client, questions=2)
    assert (
        client.get("/api/dashboard").json()["quota"]["used"] == 1
    )  # the double click counted once

    page = client.get(url)
    assert "Question 1 of 2" in page.text and "Submit answer" in page.text
    answer = {
        "text": ANSWER,
        "position": _hidden(page.text, "position"),
        "delivery": _hidden(page.text, "delivery"),
        "csrf_token": token,
    }
    first = client.post(f"{url}/answer", data=answer)  # stored; evaluated in the background
    assert first.status_code == 200 and first.url.path == url
    session_id = int(url.rsplit("/", 1)[1])
    wait_for_evaluation(client, session_id, int(answer["position"]))
    assert 'data-testid="score"' in client.get(url).text
    twice = client.post(f"{url}/answer", data=answer)  # the same form sent again
    assert twice.status_code == 200 and 'data-testid="score"' in twice.text
    detail = client.get(f"/api/sessions/{session_id}").json()
    assert sum(e["attempt"] is not None for e in detail["entries"]) == 1

    hint = client.post(f"{url}/hint", data={"position": "3", "csrf_token": token})
    assert hint.status_code == 404  # no such question yet: the page explains instead
    assert "That question is not part of this interview." in hint.text

    nxt = client.post(f"{url}/next", data={"position": answer["position"], "csrf_token": token})
    assert "Question 2 of 2" in nxt.text
    skip = {"position": _hidden(nxt.text, "position"), "delivery": _hidden(nxt.text, "delivery")}
    summary = client.post(f"{url}/skip", data={**skip, "csrf_token": token})
    assert 'data-testid="summary"' in summary.text and "skipped 1" in summary.text
    assert client.get("/api/sessions").json()["items"][0]["status"] == "completed"


def test_empty_answers_and_hints_keep_the_draft_on_the_page(shared_client: TestClient) -> None:
    client = shared_client  # accounts of its own only (tests/web/conftest.py)
    browser_register(client)
    url, token = _start(client)
    page = client.get(url)
    fields = {"position": _hidden(page.text, "position"), "csrf_token": token}
    empty = client.post(f"{url}/answer", data={**fields, "text": "   ", "delivery": "d-empty-01"})
    assert empty.status_code == 422 and "Your answer is empty" in empty.text
    hinted = client.post(f"{url}/hint", data={**fields, "text": "my draft so far"})
    assert hinted.status_code == 200 and "Hint:" in hinted.text and "my draft so far" in hinted.text


def test_practice_over_the_api(shared_client: TestClient) -> None:
    client = shared_client  # accounts of its own only (tests/web/conftest.py)
    headers = register_api(client)
    started = client.post(
        "/api/practice",
        json={"role": "ml", "difficulty": "medium", "questions": 2, "request_id": "req-12345678"},
        headers=headers,
    )
    assert started.status_code == 201, started.text
    step = started.json()
    session_id = step["session"]["id"]
    assert step["kind"] == "question" and step["session"]["role"] == "machine-learning"
    assert step["question"]["label"] == "Question 1 of 2" and step["quota"]["used"] == 1
    same = client.post(
        "/api/practice", json={"role": "ml", "request_id": "req-12345678"}, headers=headers
    )
    assert same.json()["session"]["id"] == session_id

    base = f"/api/practice/{session_id}"
    hint = client.post(f"{base}/hint", json={"position": 1}, headers=headers).json()
    assert hint["hints_used"] == 1 and hint["hint"]
    body = {"text": ANSWER, "position": 1, "delivery_id": "answer-0001"}
    outcome = answer_and_wait(client, session_id, body, headers)
    assert outcome["status"] == "in_progress" and outcome["status_url"] == base
    assert outcome["step"] == "evaluated" and outcome["attempt"]["evaluation"]["feedback"]
    assert outcome["duplicate"] is False and outcome["has_next"] is True
    replay = client.post(f"{base}/answer", json=body, headers=headers)
    assert replay.status_code == 202 and replay.json()["duplicate"] is True
    assert replay.json()["status"] == "evaluated" and replay.json()["attempt"] == outcome["attempt"]

    deeper = client.post(f"{base}/deeper", json={"position": 1}, headers=headers).json()
    assert deeper["question"]["kind"] == "follow_up"
    assert deeper["question"]["label"] == "Follow-up on question 1 of 2"
    follow_up = {"text": ANSWER, "position": 2, "delivery_id": "answer-0002"}
    answer_and_wait(client, session_id, follow_up, headers)
    retry = client.post(f"{base}/retry", json={"position": 2}, headers=headers)
    assert retry.status_code == 202 and retry.json()["duplicate"] is True  # nothing failed

    second = client.post(f"{base}/next", json={"position": 2}, headers=headers).json()
    assert second["question"]["label"] == "Question 2 of 2"
    ended = client.post(f"{base}/end", headers=headers).json()
    assert ended["kind"] == "summary" and ended["summary"]["answered"] == 1  # main questions
    assert ended["summary"]["follow_ups"] == 1
    late = client.post(f"{base}/answer", json={**follow_up, "position": 3}, headers=headers)
    assert late.status_code == 409 and late.json()["error"] == "session_finished"


def test_the_daily_quota_is_shared_and_explained(
    embedded_settings: EmbeddedSettings, serving: Serving
) -> None:
    core: Core = wired_core(embedded_settings(quota_per_day=1))
    try:
        with serving(core) as client:
            headers = register_api(client)
            assert (
                client.post("/api/practice", json={"role": "backend"}, headers=headers).status_code
                == 201
            )
            refused = client.post("/api/practice", json={"role": "backend"}, headers=headers)
            assert refused.status_code == 429
            assert refused.json()["error"] == "quota_exceeded" and refused.json()["resets_at"]

            token = csrf_from(client, "/practice", headers=headers)
            page = client.post(
                "/practice",
                data={
                    "role": "backend",
                    "difficulty": "easy",
                    "request_id": "fresh-req-01",
                    "csrf_token": token,
                },
                headers=headers,
            )
            assert page.status_code == 429 and "used all 1 interview sessions" in page.text
            unknown = client.post("/api/practice", json={"role": "astrologer"}, headers=headers)
            assert unknown.status_code == 422 and "backend" in unknown.json()["message"]
    finally:
        core.close()


def test_request_ids_belong_to_their_account_and_may_be_64_characters(
    shared_client: TestClient,
) -> None:
    """Two clients choosing the same id get their own interviews; the longest id allowed still
    fits the thread column (64 characters on MariaDB)."""
    client = shared_client  # accounts of its own only (tests/web/conftest.py)
    longest = "r" * 64
    started = {}
    for name in ("ada", "bob"):
        headers = register_api(client)
        body = {"role": "backend", "request_id": longest}
        first = client.post("/api/practice", json=body, headers=headers)
        assert first.status_code == 201, first.text
        again = client.post("/api/practice", json=body, headers=headers).json()
        assert again["session"]["id"] == first.json()["session"]["id"]
        assert again["question"]["position"] == 1
        started[name] = first.json()["session"]["id"]
    assert started["ada"] != started["bob"]

    headers = register_api(client)
    for bad in ("short", "x" * 65, "spaces are not ok"):
        refused = client.post(
            "/api/practice", json={"role": "backend", "request_id": bad}, headers=headers
        )
        assert refused.status_code == 422, bad
        assert refused.json()["error"] == "invalid_request" and refused.json()["detail"]


def test_start_is_disabled_with_the_reason_when_no_sessions_are_left(
    embedded_settings: EmbeddedSettings, serving: Serving
) -> None:
    core: Core = wired_core(embedded_settings(quota_per_day=1))
    try:
        with serving(core) as client:
            headers = register_api(client)
            before = client.get("/practice", headers=headers).text
            assert _start_button(before) == "enabled"

            client.post("/api/practice", json={"role": "backend"}, headers=headers)
            status = services.quota_status(
                core.deps, user=services.web_user_ref(user_id(client, headers))
            )
            assert status.remaining == 0
            page = client.get("/practice", headers=headers).text
            assert _start_button(page) == "disabled"
            reason = QuotaExceeded(status.limit, status.resets_at).message
            assert str(escape(reason)) in page  # the core's wording, with the reset time
            assert 'aria-describedby="quota-reason"' in page
            board = re.sub(r"<[^>]+>", "", client.get("/", headers=headers).text)
            assert "0 of 1 left" in board and "1 used today" in board
    finally:
        core.close()


def _start_button(html: str) -> str:
    found = re.search(r"<button[^>]*>Start interview</button>", html)
    assert found, "no Start interview button"
    return "disabled" if " disabled" in found.group(0) else "enabled"
