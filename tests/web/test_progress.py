"""The learning loop in the browser: the progress page (due items, mastery chart data, review
history), the Review button, and the adaptive checkbox."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from core import services
from core.bootstrap import Core
from core.domain.model import SessionKind, UserRef
from tests.web.helpers import browser_register
from tests.web.seeding import past, play_session

SLACK = UserRef("slack", "T1", "U-progress")


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


def _login_cookie(client: TestClient) -> str:
    """Signed in with the browser's cookie; the account's id."""
    browser_register(client)
    return str(client.get("/api/users/me").json()["id"])


def test_nothing_due_says_so_and_the_review_button_explains(client: TestClient, core: Core) -> None:
    _login_cookie(client)
    page = client.get("/progress")
    assert page.status_code == 200 and 'data-testid="due-today">0<' in page.text
    started = client.post(
        "/progress/review",
        data={"request_id": _hidden(page.text, "request_id"),
              "csrf_token": _hidden(page.text, "csrf_token")},
        follow_redirects=False,
    )  # fmt: skip
    assert started.status_code == 404 and "Nothing is due for review right now" in started.text


def test_linked_weak_answers_are_due_charted_and_reviewed_in_the_browser(
    client: TestClient, core: Core
) -> None:
    account = _login_cookie(client)
    for days in (6, 4, 2):  # weak answers on Slack, days ago
        play_session(core.deps, SLACK, difficulty="easy", quality=0.05, at=past(days))
    code = services.issue_link_code(core.deps, user=SLACK).code
    services.redeem_link_code(core.deps, code=code, web_user_id=account)
    page = client.get("/progress")
    due = int(re.search(r'data-testid="due-today">(\d+)<', page.text).group(1))  # type: ignore[union-attr]
    assert (
        due >= 2 and "Review history" in page.text and 'data-testid="review-history"' in page.text
    )
    chart = json.loads(re.search(r'id="chart-data">(.*?)</script>', page.text).group(1))  # type: ignore[union-attr]
    mastery = chart["mastery"]
    assert mastery["series"] and len(mastery["labels"]) == len(mastery["series"][0]["values"])
    assert "due-review" in client.get("/").text  # the dashboard shows it too

    started = client.post(
        "/progress/review",
        data={"request_id": _hidden(page.text, "request_id"),
              "csrf_token": _hidden(page.text, "csrf_token")},
        follow_redirects=False,
    )  # fmt: skip
    assert started.status_code == 303 and started.headers["location"].startswith("/practice/")
    session_id = int(started.headers["location"].rsplit("/", 1)[1])
    interview = client.get(started.headers["location"])
    assert "Review · Backend · Easy" in interview.text
    me = UserRef("web", "web", account)
    session = services.interview_of(core.deps, session_id=session_id, actor=me).session
    assert session.kind is SessionKind.REVIEW and len(session.plan) >= 2


def test_the_adaptive_checkbox_starts_an_adaptive_interview(client: TestClient, core: Core) -> None:
    account = _login_cookie(client)
    form = client.get("/practice")
    assert 'name="adaptive"' in form.text
    started = client.post(
        "/practice",
        data={"role": "backend", "difficulty": "easy", "questions": "2", "adaptive": "true",
              "request_id": _hidden(form.text, "request_id"),
              "csrf_token": _hidden(form.text, "csrf_token")},
        follow_redirects=False,
    )  # fmt: skip
    assert started.status_code == 303
    me = UserRef("web", "web", account)
    session = services.latest_active_session(core.deps, user=me)
    assert session is not None and session.adaptive
