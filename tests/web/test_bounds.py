"""Every id, page, day and string a request brings is bounded: a 422 that names the field (413
for a body past the cap), never a 500. The issue's findings: an id past 64 bits overflowed
SQLite (OverflowError), a huge page made MariaDB refuse its OFFSET (error 1064), a day near
year 9999 overflowed computing the next midnight. Run on SQLite and on MariaDB."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.helpers import PASSWORD, browser_register, csrf_from, new_email, register_api
from web.params import MAX_ID


@pytest.fixture
def client(shared_client: TestClient) -> TestClient:
    """Each test adds accounts of its own and reads what they see: the module shares one app
    (tests/web/conftest.py, `shared_client`)."""
    return shared_client


HUGE = "9223372036854775808"  # 2**63: past SQLite's INTEGER and MariaDB's BIGINT

API_GETS = [
    f"/api/sessions/{HUGE}",
    f"/api/practice/{HUGE}",
    f"/api/sessions?page={HUGE}",
    "/api/sessions?page=9223372036854775807",  # 1064 on MariaDB: OFFSET past 64 bits
    "/api/sessions?per_page=101",
    "/api/sessions?since=9999-12-31&until=9999-12-31",
    "/api/sessions?since=0001-01-01",
    "/api/sessions?page=0",
    f"/api/sessions/{MAX_ID + 1}",
    "/api/analytics?days=0",
    "/api/analytics?days=100000",
]
PAGE_GETS = [
    f"/sessions/{HUGE}",
    f"/practice/{HUGE}",
    f"/sessions?page={HUGE}",
    "/sessions?role=" + "x" * 100,
]


@pytest.mark.parametrize("path", API_GETS)
def test_out_of_range_values_in_the_api_are_a_422_naming_the_field(
    client: TestClient, path: str
) -> None:
    headers = register_api(client)
    answer = client.get(path, headers=headers)
    assert answer.status_code == 422, (path, answer.status_code, answer.text[:300])
    body = answer.json()
    assert body["code"] == "invalid_request" and body["detail"][0]["loc"][0] in {"path", "query"}


def test_out_of_range_ids_in_api_posts_and_deletes_are_a_422(client: TestClient) -> None:
    headers = register_api(client)
    position = {"position": 1}
    for method, path, body in [
        ("POST", f"/api/practice/{HUGE}/answer", {**position, "text": "x", "delivery_id": "d" * 8}),
        ("POST", f"/api/practice/{HUGE}/next", position),
        ("POST", f"/api/practice/{HUGE}/end", None),
        ("DELETE", f"/api/identities/{HUGE}", None),
        ("POST", "/api/practice/1/hint", {"position": 10**20}),
    ]:
        answer = client.request(method, path, json=body, headers=headers)
        assert answer.status_code == 422, (path, answer.text[:300])


@pytest.mark.parametrize("path", PAGE_GETS)
def test_out_of_range_values_on_pages_are_a_clear_page_not_a_500(
    client: TestClient, path: str
) -> None:
    browser_register(client)
    page = client.get(path)
    assert page.status_code == 422 and "not valid" in page.text


def test_page_filters_with_days_out_of_range_are_ignored(client: TestClient) -> None:
    browser_register(client)
    page = client.get("/sessions?since=9999-12-31&until=9999-12-31")
    assert page.status_code == 200  # a typed filter is lenient: the day is not used


def test_a_body_past_the_cap_is_refused_before_anything_reads_it(client: TestClient) -> None:
    ten_megabytes = "p" * 10_000_000
    declared = client.post(
        "/api/auth/register", json={"email": new_email(), "password": ten_megabytes}
    )
    assert declared.status_code == 413 and declared.json()["code"] == "too_large"
    assert "Nothing was recorded" in declared.json()["message"]

    def chunks() -> Any:  # no Content-Length: the cap still holds
        for _ in range(100):
            yield b"x" * 100_000

    streamed = client.post(
        "/api/auth/jwt/login",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert streamed.status_code == 413


def test_every_integer_parameter_of_the_api_has_a_maximum(client: TestClient) -> None:
    """The schema says the bounds, so clients (and the fuzzer) know them too."""
    schema = client.get("/api/openapi.json").json()
    unbounded = []
    # fastapi-users' superuser routes take a UUID as text and answer 404 to anything else.
    schema["paths"].pop("/api/users/{id}")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                kind = parameter["schema"]
                options = kind.get("anyOf", [kind])
                for option in options:
                    if option.get("type") == "integer" and "maximum" not in option:
                        unbounded.append(f"{method.upper()} {path} {parameter['name']}")
                    if option.get("type") == "string" and not (
                        "maxLength" in option or "enum" in option or option.get("format")
                    ):
                        unbounded.append(f"{method.upper()} {path} {parameter['name']}")
    assert unbounded == []


def test_within_the_bounds_the_api_answers_as_before(client: TestClient) -> None:
    headers = register_api(client)
    assert client.get(f"/api/sessions/{MAX_ID}", headers=headers).status_code == 404
    listing = client.get("/api/sessions?page=100000&per_page=100", headers=headers)
    assert listing.status_code == 200 and listing.json()["items"] == []
    days = client.get("/api/sessions?since=2000-01-01&until=2999-12-31", headers=headers)
    assert days.status_code == 200


def test_passwords_are_8_to_128_characters(client: TestClient) -> None:
    too_long = client.post("/api/auth/register", json={"email": new_email(), "password": "p" * 129})
    assert too_long.status_code == 400
    assert too_long.json()["message"] == "Use at most 128 characters for your password."
    fits = client.post("/api/auth/register", json={"email": new_email(), "password": "p" * 128})
    assert fits.status_code == 201
    token = csrf_from(client, "/register")
    page = client.post(
        "/register", data={"email": new_email(), "password": "q" * 500, "csrf_token": token}
    )
    assert page.status_code == 400 and "at most 128 characters" in page.text
    assert PASSWORD  # the helpers' password is within the bounds
