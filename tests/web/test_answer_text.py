"""Text that is not text, sent as an answer: a clear 422 that says nothing was recorded, never a
500 or a 400 about "parsing the body"; nothing is stored and no quota unit is used."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.helpers import browser_register, csrf_from, register_api, wait_for_evaluation

NOT_TEXT = "nothing was recorded"


def _interview(client: TestClient, headers: dict[str, str] | None = None) -> int:
    body = {"role": "backend", "questions": 2}
    return int(client.post("/api/practice", json=body, headers=headers).json()["session"]["id"])


def _nothing_stored(client: TestClient, sid: int, headers: dict[str, str] | None = None) -> None:
    state = client.get(f"/api/practice/{sid}", headers=headers).json()
    assert state["step"] == "answer" and state["attempt"] is None
    used = client.get("/api/dashboard", headers=headers).json()["quota"]["used"]
    assert used == 1  # the interview's own start, nothing more


@pytest.mark.parametrize(
    "raw",
    [
        b'{"text": "Indexes \\ud800 speed reads", "position": 1, "delivery_id": "text-0001"}',
        b'{"text": "Indexes \\u0000\\u0007 speed reads", "position": 1, "delivery_id": "text-0002"}',
    ],
    ids=["lone surrogate", "control characters"],
)
def test_escaped_text_that_is_not_text_is_the_core_s_422(client: TestClient, raw: bytes) -> None:
    headers = register_api(client)
    sid = _interview(client, headers)
    answer = client.post(
        f"/api/practice/{sid}/answer",
        content=raw,
        headers={**headers, "content-type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid_answer_text" and NOT_TEXT in answer.json()["message"]
    _nothing_stored(client, sid, headers)


def test_bytes_that_are_not_utf8_are_a_422_saying_so(client: TestClient) -> None:
    headers = register_api(client)
    sid = _interview(client, headers)
    raw = b'{"text": "Indexes \xff\xfe speed reads", "position": 1, "delivery_id": "text-0003"}'
    answer = client.post(
        f"/api/practice/{sid}/answer",
        content=raw,
        headers={**headers, "content-type": "application/json"},
    )
    assert answer.status_code == 422, answer.text  # was 400 "error parsing the body"
    body = answer.json()
    assert body["code"] == "invalid_text" and "not valid UTF-8" in body["message"]
    assert NOT_TEXT in body["message"]
    _nothing_stored(client, sid, headers)


def test_a_form_answer_with_broken_bytes_is_stored_as_replacement_characters(
    client: TestClient,
) -> None:
    """Browsers always send UTF-8; a tool that does not gets its bytes replaced (U+FFFD), the
    way the form parser reads them, and the answer is taken: never a 500."""
    browser_register(client)
    sid = _interview(client, {"X-CSRF-Token": csrf_from(client, "/")})
    token = csrf_from(client, f"/practice/{sid}")
    form = f"text=Indexes+%FF+speed+reads&position=1&delivery=form-text-01&csrf_token={token}"
    page = client.post(
        f"/practice/{sid}/answer",
        content=form.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 200
    stored = wait_for_evaluation(client, sid, 1)["attempt"]["answer"]
    assert stored == "Indexes \ufffd speed reads"
