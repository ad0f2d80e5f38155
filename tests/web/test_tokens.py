"""Sign-ins are revocable: logout, a password change and a reset end them; guessing and mass
registration are limited per client network; a 429 says when to come back (Retry-After)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.bootstrap import AccessTokenRow, Core
from tests.web.conftest import Serving
from tests.web.helpers import (
    PASSWORD,
    browser_register,
    csrf_from,
    login_api,
    new_email,
    register_api,
)
from web import throttle
from web.auth_config import SESSION_COOKIE
from web.outbox import Outbox

NEW_PASSWORD = "a completely new passphrase"


def _me(client: TestClient, headers: dict[str, str] | None = None) -> int:
    """Who am I, with the browser's cookie, or with only `headers` (a bearer client)."""
    if headers is None:
        return client.get("/api/users/me").status_code
    kept = client.cookies
    client.cookies = {}  # type: ignore[assignment]
    try:
        return client.get("/api/users/me", headers=headers).status_code
    finally:
        client.cookies = kept


def _api_sign_in(client: TestClient, email: str) -> dict[str, str]:
    """A bearer sign-in of the same account, as another client would get it (no cookies)."""
    kept = client.cookies
    client.cookies = {}  # type: ignore[assignment]
    headers = login_api(client, email)
    client.cookies = kept
    return headers


def test_api_logout_revokes_the_bearer_token(client: TestClient) -> None:
    headers = register_api(client)
    other = login_api(client, client.get("/api/users/me", headers=headers).json()["email"])
    assert client.post("/api/auth/jwt/logout", headers=headers).status_code == 204
    assert _me(client, headers) == 401  # a stateless JWT would still pass here
    assert _me(client, other) == 200  # only that sign-in ended


def test_browser_logout_revokes_the_cookie_even_if_it_was_copied(client: TestClient) -> None:
    browser_register(client)
    copied = client.cookies[SESSION_COOKIE]
    token = csrf_from(client, "/")
    client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    client.cookies.delete(SESSION_COOKIE)
    client.cookies.set(SESSION_COOKIE, copied)  # someone kept the cookie
    assert _me(client) == 401
    assert client.get("/sessions", follow_redirects=False).status_code == 303


def test_a_password_change_ends_every_other_sign_in_but_keeps_this_browser(
    client: TestClient,
) -> None:
    email = browser_register(client)
    old_cookie = client.cookies[SESSION_COOKIE]
    bearer = _api_sign_in(client, email)
    token = csrf_from(client, "/account")
    changed = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert changed.headers["location"] == "/account?notice=password-changed"
    fresh = _cookie(changed)
    assert fresh and fresh != old_cookie  # this browser got a fresh cookie
    assert _me(client) == 200
    assert _me(client, bearer) == 401
    client.cookies.delete(SESSION_COOKIE)
    client.cookies.set(SESSION_COOKIE, old_cookie)
    assert _me(client) == 401


def _cookie(response) -> str:  # type: ignore[no-untyped-def]
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{SESSION_COOKIE}="):
            return str(header.split(";", 1)[0].split("=", 1)[1])
    return ""


def test_a_new_password_over_the_api_ends_every_sign_in(client: TestClient) -> None:
    email = new_email()
    headers = register_api(client, email)
    second = login_api(client, email)
    patched = client.patch("/api/users/me", json={"password": NEW_PASSWORD}, headers=headers)
    assert patched.status_code == 200
    assert _me(client, headers) == 401 and _me(client, second) == 401
    assert _me(client, login_api(client, email, NEW_PASSWORD)) == 200
    other_change = client.patch(
        "/api/users/me", json={"email": new_email()}, headers=login_api(client, email, NEW_PASSWORD)
    )
    assert other_change.status_code == 200  # no new password: sign-ins are left alone


def test_a_password_reset_ends_every_sign_in(client: TestClient, outbox: Outbox) -> None:
    email = new_email()
    bearer = register_api(client, email)
    token = csrf_from(client, "/forgot-password")
    client.post("/forgot-password", data={"email": email, "csrf_token": token})
    reset_token = re.search(r"token=(\S+)", outbox.messages()[-1]).group(1)  # type: ignore[union-attr]
    done = client.post(
        "/reset-password",
        data={"token": reset_token, "password": NEW_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _me(client, bearer) == 401


def test_only_a_hash_of_each_token_is_stored(client: TestClient, core: Core) -> None:
    headers = register_api(client)
    raw = headers["Authorization"].removeprefix("Bearer ")
    with core.session_factory() as db:
        stored = list(db.scalars(select(AccessTokenRow.token_hash)))
    assert stored and raw not in stored and all(len(h) == 64 for h in stored)


def test_deleting_the_account_deletes_its_sign_ins(client: TestClient, core: Core) -> None:
    browser_register(client)
    token = csrf_from(client, "/account/delete")
    client.post(
        "/account/delete", data={"confirm": "DELETE", "delete_account": "1", "csrf_token": token}
    )
    with core.session_factory() as db:
        assert list(db.scalars(select(AccessTokenRow))) == []


def test_log_ins_are_limited_per_network_across_many_e_mails(
    client: TestClient, core: Core
) -> None:
    """One address trying many accounts once each (the per-e-mail limit never trips)."""
    email = new_email()
    register_api(client, email)
    core.settings.web_client_ip_header = "X-Viewer"  # as behind a CDN: tests pick the address
    for n in range(throttle.NETWORK_LOGINS.attempts):
        tried = client.post(
            "/api/auth/jwt/login", data={"username": f"guess{n}@example.com", "password": "nope!"}
        )
        assert tried.status_code == 400, n
    refused = client.post("/api/auth/jwt/login", data={"username": email, "password": PASSWORD})
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_attempts"
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    elsewhere = client.post(
        "/api/auth/jwt/login",
        data={"username": email, "password": PASSWORD},
        headers={"X-Viewer": "198.51.100.9"},
    )
    assert elsewhere.status_code == 200  # another network is not affected


def test_registrations_are_limited_per_network(client: TestClient) -> None:
    for n in range(throttle.REGISTRATIONS.attempts):
        created = client.post(
            "/api/auth/register", json={"email": new_email(), "password": PASSWORD}
        )
        assert created.status_code == 201, n
    refused = client.post("/api/auth/register", json={"email": new_email(), "password": PASSWORD})
    assert (
        refused.status_code == 429 and "new accounts from your network" in refused.json()["message"]
    )
    assert int(refused.headers["retry-after"]) > 0
    token = csrf_from(client, "/register")
    page = client.post(
        "/register", data={"email": new_email(), "password": PASSWORD, "csrf_token": token}
    )
    assert page.status_code == 429 and "retry-after" in page.headers


def test_the_viewer_address_header_is_used_behind_a_cdn(
    embedded_core: Core, serving: Serving
) -> None:
    embedded_core.settings.web_client_ip_header = "CloudFront-Viewer-Address"
    with serving(embedded_core) as cdn:
        for n in range(throttle.REGISTRATIONS.attempts):
            viewer = {"CloudFront-Viewer-Address": f"198.51.100.{n}:443"}
            body = {"email": new_email(), "password": PASSWORD}
            assert cdn.post("/api/auth/register", json=body, headers=viewer).status_code == 201
        same = {"CloudFront-Viewer-Address": "2001:db8::1:443"}
        for _ in range(throttle.REGISTRATIONS.attempts):
            body = {"email": new_email(), "password": PASSWORD}
            assert cdn.post("/api/auth/register", json=body, headers=same).status_code == 201
        neighbour = {"CloudFront-Viewer-Address": "2001:db8::beef:443"}  # the same /64
        body = {"email": new_email(), "password": PASSWORD}
        assert cdn.post("/api/auth/register", json=body, headers=neighbour).status_code == 429


def test_change_password_throttling_answers_429_with_retry_after(client: TestClient) -> None:
    browser_register(client)
    token = csrf_from(client, "/account")
    for _ in range(throttle.LOGINS.attempts):
        wrong = client.post(
            "/account/password",
            data={"current": "not my password", "password": NEW_PASSWORD, "csrf_token": token},
        )
        assert wrong.status_code == 400
    limited = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "csrf_token": token},
    )
    assert limited.status_code == 429 and "Too many failed log-ins" in limited.text
    assert int(limited.headers["retry-after"]) > 0
