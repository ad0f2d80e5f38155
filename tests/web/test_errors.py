"""One status table: an error's category decides its HTTP status; its code is in the body."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from core.domain import errors
from core.domain.errors import ErrorCategory, InterviewError
from tests.web.helpers import answer_and_wait, csrf_from, register_api
from web.errors import STATUS_OF, error_body, status_for
from web.throttle import LINK_CODES, TooManyAttempts

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
EXPECTED = {
    ErrorCategory.INVALID: 422,
    ErrorCategory.CONFLICT: 409,
    ErrorCategory.NOT_FOUND: 404,
    ErrorCategory.FORBIDDEN: 403,
    ErrorCategory.LIMIT: 429,
    ErrorCategory.UNAVAILABLE: 503,
}
SAMPLES: list[InterviewError] = [
    errors.EmptyAnswer(),
    errors.InvalidLinkCode(),
    errors.StartInProgress(),
    errors.SessionFinished(),
    errors.NotAnsweredYet("moving on"),
    errors.EmptyQuestionPool(),
    errors.QuotaExceeded(3, NOW),
    errors.FollowUpLimitReached(1),
    errors.NoMoreHints(),
    errors.ServiceUnavailable("Redis"),
    errors.LinkCodeUnavailable(),
    TooManyAttempts(LINK_CODES, NOW, NOW),
]


def test_every_category_has_a_status() -> None:
    assert dict(STATUS_OF) == EXPECTED


@pytest.mark.parametrize("error", SAMPLES, ids=lambda e: type(e).__name__)
def test_the_status_follows_the_category_and_the_body_names_the_code(
    error: InterviewError,
) -> None:
    assert status_for(error) == EXPECTED[error.category]
    body = error_body(error)
    assert body["code"] == error.code and body["error"] == error.code
    assert body["message"] == error.message


def test_someone_elses_interview_is_not_found_like_a_missing_one() -> None:
    """The web never confirms that another account's session id exists."""
    for error in (errors.NotYourSession(), errors.NoActiveSession()):
        assert status_for(error) == 404
        assert error_body(error) == {
            "error": "not_found",
            "code": "not_found",
            "message": "Not found.",
        }


def test_a_conflict_is_409_with_its_code_and_the_page_shows_its_message(
    client: TestClient,
) -> None:
    headers = register_api(client)
    body = {"role": "backend", "questions": 2}
    sid = client.post("/api/practice", json=body, headers=headers).json()["session"]["id"]
    too_early = client.post(f"/api/practice/{sid}/next", json={"position": 1}, headers=headers)
    assert too_early.status_code == 409
    assert too_early.json()["code"] == "not_answered"
    assert too_early.json()["message"] == errors.NotAnsweredYet("moving on").message

    token = csrf_from(client, "/practice", headers=headers)
    page = client.post(
        f"/practice/{sid}/next", data={"position": "1", "csrf_token": token}, headers=headers
    )
    assert page.status_code == 409
    assert "Answer this question first (or skip it) before moving on." in page.text


def test_a_limit_is_429(client: TestClient) -> None:
    headers = register_api(client)
    body = {"role": "backend", "questions": 2}
    sid = client.post("/api/practice", json=body, headers=headers).json()["session"]["id"]
    base = f"/api/practice/{sid}"
    answer = {
        "text": "An index is a sorted B-tree of the indexed columns that speeds lookups up.",
        "position": 1,
        "delivery_id": "answer-0001",
    }
    answer_and_wait(client, sid, answer, headers)
    client.post(f"{base}/deeper", json={"position": 1}, headers=headers)
    answer_and_wait(client, sid, {**answer, "position": 2, "delivery_id": "answer-0002"}, headers)
    capped = client.post(f"{base}/deeper", json={"position": 2}, headers=headers)
    assert capped.status_code == 429 and capped.json()["code"] == "follow_up_limit"
