"""The practice page and `GET /api/practice/{id}` render what the core's Interview aggregate says.

Each rule (step, label, has_next, can_go_deeper, hints left) is changed on the aggregate here and
the page and the API must follow: a copy of the rule in web/ would not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core import services
from core.bootstrap import Core
from core.domain.interview import Interview, Step
from core.domain.model import ConversationRef, UserRef
from tests.fakes import FakeClock
from tests.web.helpers import answer_and_wait, link_chat_identity, register_api, user_id

ANSWER = (
    "An index is a separate B-tree structure kept sorted by the indexed columns, so lookups "
    "and range scans avoid reading the whole table; every write must also update the index."
)


def _start(client: TestClient, headers: dict[str, str], questions: int = 2) -> int:
    body = {"role": "backend", "difficulty": "easy", "questions": questions}
    started = client.post("/api/practice", json=body, headers=headers)
    assert started.status_code == 201, started.text
    return int(started.json()["session"]["id"])


def _answer(client: TestClient, headers: dict[str, str], sid: int, position: int) -> Any:
    body = {"text": ANSWER, "position": position, "delivery_id": f"answer-{sid}-{position}"}
    return answer_and_wait(client, sid, body, headers)


def test_the_api_returns_the_state_to_resume_from(shared_client: TestClient) -> None:
    client = shared_client  # accounts of its own only (tests/web/conftest.py)
    headers = register_api(client)
    sid = _start(client, headers, questions=2)

    state = client.get(f"/api/practice/{sid}", headers=headers)
    assert state.status_code == 200, state.text
    fresh = state.json()
    assert fresh["step"] == "answer" and fresh["step_label"] == Step.ANSWER.label
    assert fresh["question"]["label"] == "Question 1 of 2" and fresh["question"]["position"] == 1
    hint = {"hint"} if fresh["hints_left"] else set()
    assert set(fresh["actions"]) == {"answer", "skip", "end"} | hint
    assert fresh["has_next"] is True and fresh["attempt"] is None

    _answer(client, headers, sid, 1)
    evaluated = client.get(f"/api/practice/{sid}", headers=headers).json()
    assert evaluated["step"] == "evaluated" and evaluated["step_label"] == "Evaluated"
    assert set(evaluated["actions"]) == {"next", "deeper", "end"}
    assert evaluated["can_go_deeper"] is True and evaluated["follow_ups_left"] == 1
    assert evaluated["attempt"]["evaluation"]["band"] in {"strong", "good", "fair", "weak"}
    assert [q["question"]["label"] for q in evaluated["questions"]] == ["Question 1 of 2"]
    assert [q["step"] for q in evaluated["questions"]] == ["evaluated"]

    client.post(f"/api/practice/{sid}/deeper", json={"position": 1}, headers=headers)
    _answer(client, headers, sid, 2)
    deeper = client.get(f"/api/practice/{sid}", headers=headers).json()
    assert deeper["question"]["label"] == "Follow-up on question 1 of 2"
    assert set(deeper["actions"]) == {"next", "end"} and deeper["can_go_deeper"] is False

    client.post(f"/api/practice/{sid}/end", headers=headers)
    finished = client.get(f"/api/practice/{sid}", headers=headers).json()
    assert finished["step"] in {"finished", "evaluated"} and finished["actions"] == []
    assert finished["session"]["status"] == "ended" and finished["summary"]["answered"] == 1

    other = register_api(client)
    missing = client.get(f"/api/practice/{sid}", headers=other)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert client.get("/api/practice/999999", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("rule", "value", "absent", "present"),
    [
        ("can_go_deeper", False, "Go deeper", "Next question"),
        ("has_next", False, "Next question", "Finish and see summary"),
    ],
)
def test_the_evaluated_page_follows_the_aggregate(
    shared_client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    rule: str,
    value: bool,
    absent: str,
    present: str,
) -> None:
    client = shared_client  # accounts of its own only (tests/web/conftest.py)
    headers = register_api(client)
    sid = _start(client, headers, questions=3)
    _answer(client, headers, sid, 1)
    before = client.get(f"/practice/{sid}", headers=headers).text
    assert absent in before  # the real rule allows it here

    monkeypatch.setattr(Interview, rule, lambda self, position: value)
    page = client.get(f"/practice/{sid}", headers=headers).text
    assert absent not in page and present in page
    state = client.get(f"/api/practice/{sid}", headers=headers).json()
    assert state[rule] is value


def test_the_question_page_follows_the_aggregate(
    shared_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = shared_client  # accounts of its own only (tests/web/conftest.py)
    headers = register_api(client)
    sid = _start(client, headers, questions=3)
    monkeypatch.setattr(Interview, "label", lambda self, position: f"Round {position} (core)")
    monkeypatch.setattr(Interview, "hints_left", lambda self, position: 0)
    page = client.get(f"/practice/{sid}", headers=headers).text
    assert "Round 1 (core)" in page and "Question 1 of 3" not in page
    assert "Get a hint" not in page and "No hints for this question" in page
    state = client.get(f"/api/practice/{sid}", headers=headers).json()
    assert state["question"]["label"] == "Round 1 (core)" and "hint" not in state["actions"]

    monkeypatch.setattr(Interview, "step", property(lambda self: Step.FAILED))
    failed = client.get(f"/practice/{sid}", headers=headers).text
    assert "Retry evaluation" in failed and "Submit answer" not in failed
    assert client.get(f"/api/practice/{sid}", headers=headers).json()["actions"] == [
        "retry",
        "end",
    ]


def test_a_pending_evaluation_is_the_cores_evaluating_step(
    shared_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = shared_client  # accounts of its own only (tests/web/conftest.py)
    headers = register_api(client)
    sid = _start(client, headers)
    monkeypatch.setattr(Interview, "step", property(lambda self: Step.EVALUATING))
    page = client.get(f"/practice/{sid}", headers=headers)
    assert Step.EVALUATING.label in page.text and 'http-equiv="refresh"' in page.text
    assert "Submit answer" not in page.text


def test_the_resume_link_survives_a_newer_linked_slack_session(
    client: TestClient, core: Core
) -> None:
    """A Slack interview started after the browser one must not hide the browser's resume link."""
    headers = register_api(client)
    browser = _start(client, headers)
    slack = UserRef("slack", "T7", f"U-{user_id(client, headers)[:8]}")
    link_chat_identity(client, core, headers, slack)
    later = replace(core.deps, clock=FakeClock(datetime.now(UTC) + timedelta(minutes=5)))
    newer = services.start_session(
        later,
        conversation=ConversationRef("slack", "T7", "C1", slack.user, thread="1700000000.0001"),
        role="backend",
    )
    assert newer.session.id != browser

    board = client.get("/api/dashboard", headers=headers).json()
    assert board["active_practice"] is not None and board["active_practice"]["id"] == browser
    assert f'href="/practice/{browser}"' in client.get("/", headers=headers).text
    assert f'href="/practice/{browser}"' in client.get("/practice", headers=headers).text


def test_ending_with_no_answers_gives_the_cores_advice(client: TestClient, core: Core) -> None:
    headers = register_api(client)
    sid = _start(client, headers)
    ended = client.post(f"/api/practice/{sid}/end", headers=headers).json()
    advice = ended["summary"]["practice_next"]
    assert advice and "harder" not in " ".join(advice)
    page = client.get(f"/practice/{sid}", headers=headers).text
    assert "harder level" not in page
    assert advice[0] in page
    assert "You answered 0 questions" in page
