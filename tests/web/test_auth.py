"""Accounts: registration, login, logout, password reset, cookies, CSRF and the secret rules."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.config import ConfigError
from tests.web.conftest import EmbeddedSettings, web_settings
from tests.web.helpers import (
    PASSWORD,
    browser_register,
    csrf_from,
    login_api,
    new_email,
    register_api,
)
from web import throttle
from web.app import create_app
from web.outbox import Outbox


def _set_cookies(response) -> list[str]:  # type: ignore[no-untyped-def]
    return response.headers.get_list("set-cookie")


def test_register_log_out_and_log_in_with_the_browser_forms(shared_client: TestClient) -> None:
    client = shared_client  # accounts of its own only (tests/web/conftest.py)
    email = browser_register(client)
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert "Your progress" in dashboard.text and email in dashboard.text

    token = csrf_from(client, "/")
    logged_out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert logged_out.headers["location"] == "/login?notice=logged-out"
    assert client.get("/sessions", follow_redirects=False).headers["location"] == (
        "/login?next=/sessions"
    )

    token = csrf_from(client, "/login")
    wrong = client.post(
        "/login", data={"email": email, "password": "not it at all", "csrf_token": token}
    )
    assert wrong.status_code == 400
    assert "do not match" in wrong.text
    right = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": "/sessions", "csrf_token": token},
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/sessions"
    assert client.get("/sessions").status_code == 200


def test_registration_form_explains_its_refusals(shared_client: TestClient) -> None:
    client = shared_client  # accounts of its own only (tests/web/conftest.py)
    email = browser_register(client)
    client.cookies.clear()
    token = csrf_from(client, "/register")
    for fields, message in [
        ({"email": email, "password": PASSWORD}, "already exists"),
        ({"email": new_email(), "password": "short"}, "at least 8 characters"),
        ({"email": "not-an-email", "password": PASSWORD}, "valid e-mail"),
    ]:
        refused = client.post("/register", data={**fields, "csrf_token": token})
        assert refused.status_code == 400 and message in refused.text


def test_api_registration_and_bearer_tokens(shared_client: TestClient) -> None:
    client = shared_client  # accounts of its own only (tests/web/conftest.py)
    email = new_email()
    headers = register_api(client, email)
    me = client.get("/api/users/me", headers=headers)
    assert me.status_code == 200 and me.json()["email"] == email
    again = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert again.status_code == 400 and again.json()["detail"] == "REGISTER_USER_ALREADY_EXISTS"
    assert again.json()["message"] == "An account with this e-mail already exists."
    bad = client.post("/api/auth/jwt/login", data={"username": email, "password": "nope-nope"})
    assert bad.status_code == 400 and bad.json()["error"] == "bad_request"
    assert bad.json()["message"].startswith("That e-mail and password do not match")
    assert client.get("/api/users/me").status_code == 401
    broken = {"Authorization": "Bearer not.a.token"}
    assert client.get("/api/dashboard", headers=broken).status_code == 401


def test_cookies_are_http_only_and_same_site_and_local_ones_not_secure(
    shared_embedded_client: TestClient,
) -> None:
    embedded_client = shared_embedded_client  # accounts of its own only
    token = csrf_from(embedded_client, "/register")
    response = embedded_client.post(
        "/register",
        data={"email": new_email(), "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    session = next(c for c in _set_cookies(response) if c.startswith("ib_session="))
    assert "HttpOnly" in session and "SameSite=lax" in session and "Secure" not in session


def test_production_cookies_are_secure_and_pages_send_security_headers(
    embedded_settings: EmbeddedSettings,
) -> None:
    # An app of its own: the cookie flags and headers are set when an app is built.
    settings = embedded_settings(
        environment="production", web_base_url="https://interviews.example.com"
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        page = client.get("/register")
        # __Host-: browsers refuse the cookie from a sibling subdomain (no planted nonce).
        csrf_cookie = next(c for c in _set_cookies(page) if c.startswith("__Host-ib_csrf="))
        assert "Secure" in csrf_cookie and "HttpOnly" in csrf_cookie and "Path=/" in csrf_cookie
        assert "Domain" not in csrf_cookie
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["cache-control"] == "no-store"
        token = re.search(r'name="csrf_token" value="(\w+)"', page.text).group(1)  # type: ignore[union-attr]
        registered = client.post(
            "/register",
            data={"email": new_email(), "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        session = next(c for c in _set_cookies(registered) if c.startswith("ib_session="))
        assert "Secure" in session and "HttpOnly" in session


def test_the_secret_is_required_in_production_and_must_be_long(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    database, redis = f"sqlite:///{tmp_path / 's.db'}", "memory://secret"
    with pytest.raises(ConfigError, match="WEB_SECRET is required"):
        create_app(web_settings(database, redis, environment="production", web_secret=None))
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        create_app(web_settings(database, redis, web_secret="too-short"))
    with caplog.at_level(logging.WARNING, logger="web.auth"):
        create_app(web_settings(database, redis, web_secret=None))
    assert "random secret" in caplog.text


def test_form_posts_need_the_page_token_and_cookie_api_calls_need_the_header(
    shared_embedded_client: TestClient,
) -> None:
    embedded_client = shared_embedded_client  # accounts of its own only
    client = embedded_client
    no_token = client.post("/login", data={"email": "a@example.com", "password": PASSWORD})
    assert no_token.status_code == 403 and "expired" in no_token.text
    forged = client.post(
        "/login", data={"email": "a@example.com", "password": PASSWORD, "csrf_token": "0" * 64}
    )
    assert forged.status_code == 403

    browser_register(client)  # the session cookie is now in the jar
    token = csrf_from(client, "/")
    without = client.post("/api/identities", json={"code": "ABCD-EFGH"})
    assert without.status_code == 403
    with_header = client.post(
        "/api/identities", json={"code": "ABCD-EFGH"}, headers={"X-CSRF-Token": token}
    )
    assert with_header.status_code == 422  # past the CSRF check: the code itself is wrong

    client.cookies.clear()  # a bearer client has no cookies and needs no token
    bearer = register_api(client)
    assert client.post("/api/identities", json={"code": "x"}, headers=bearer).status_code == 422


def test_password_reset_link_goes_to_the_local_outbox_never_a_log_and_works_once(
    client: TestClient, outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    email = new_email()
    register_api(client, email)
    token = csrf_from(client, "/forgot-password")
    with caplog.at_level(logging.DEBUG):
        sent = client.post("/forgot-password", data={"email": email, "csrf_token": token})
    assert sent.status_code == 200 and "on its way" in sent.text
    (message,) = outbox.messages()
    assert f"To: {email}" in message
    reset_token = re.search(r"/reset-password\?token=(\S+)", message).group(1)  # type: ignore[union-attr]
    assert reset_token not in caplog.text and "written to" in caplog.text

    form = client.get(f"/reset-password?token={reset_token}")
    assert 'name="token"' in form.text
    new_password = "a brand new passphrase"
    done = client.post(
        "/reset-password",
        data={"token": reset_token, "password": new_password, "csrf_token": token},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/login?notice=password-reset"
    login_api(client, email, new_password)
    reused = client.post(
        "/reset-password",
        data={"token": reset_token, "password": "yet another passphrase", "csrf_token": token},
    )
    assert reused.status_code == 400 and "invalid or has expired" in reused.text


def test_reset_requests_do_not_reveal_who_has_an_account(
    embedded_client: TestClient, outbox: Outbox
) -> None:
    token = csrf_from(embedded_client, "/forgot-password")
    answer = embedded_client.post(
        "/forgot-password", data={"email": "nobody@example.com", "csrf_token": token}
    )
    assert answer.status_code == 200 and "If an account exists" in answer.text
    assert outbox.messages() == []


def test_reset_tokens_are_never_logged_in_production(
    embedded_settings: EmbeddedSettings, caplog: pytest.LogCaptureFixture
) -> None:
    settings = embedded_settings(environment="production")
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        email = new_email()
        register_api(client, email)
        token = csrf_from(client, "/forgot-password")
        with caplog.at_level(logging.INFO):
            client.post("/forgot-password", data={"email": email, "csrf_token": token})
    assert "no mail is configured" in caplog.text
    assert "token=" not in caplog.text


def test_login_redirects_only_within_the_site(shared_embedded_client: TestClient) -> None:
    embedded_client = shared_embedded_client  # accounts of its own only
    email = browser_register(embedded_client)
    embedded_client.cookies.clear()
    token = csrf_from(embedded_client, "/login")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = embedded_client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "next": target, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"


def test_email_verification_link_goes_to_the_outbox_and_verifies(
    embedded_client: TestClient, outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    client = embedded_client
    browser_register(client)
    token = csrf_from(client, "/account")
    with caplog.at_level(logging.DEBUG):
        sent = client.post("/account/verify", data={"csrf_token": token}, follow_redirects=False)
    assert sent.headers["location"] == "/account?notice=verify-sent"
    link = re.search(r"/verify\?token=(\S+)", outbox.messages()[-1]).group(1)  # type: ignore[union-attr]
    assert link not in caplog.text
    assert client.get("/verify?token=not-a-token").status_code == 400
    verified = client.get(f"/verify?token={link}", follow_redirects=False)
    assert verified.headers["location"] == "/account?notice=verified"
    assert client.get("/api/users/me").json()["is_verified"] is True
    assert "Verified" in client.get("/account").text


def test_password_guessing_is_limited_per_email_on_every_login_path(
    shared_client: TestClient,
) -> None:
    client = shared_client  # accounts of its own only (tests/web/conftest.py)
    email = new_email()
    register_api(client, email)
    login_api(client, email)  # a right password does not count against the limit

    def api_login(password: str) -> Any:
        return client.post("/api/auth/jwt/login", data={"username": email, "password": password})

    for _ in range(throttle.LOGINS.attempts):
        assert api_login("wrong guess!").status_code == 400
    refused = api_login(PASSWORD)  # the right one waits too, or guessing would go on
    assert refused.status_code == 429 and refused.json()["error"] == "too_many_attempts"

    token = csrf_from(client, "/login")
    page = client.post(
        "/login", data={"email": email.upper(), "password": PASSWORD, "csrf_token": token}
    )
    assert page.status_code == 429 and "Too many failed log-ins" in page.text

    other = new_email()  # other people's accounts are not affected
    register_api(client, other)
    login_api(client, other)
