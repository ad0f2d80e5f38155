"""The Mangum handler answers API Gateway HTTP API (v2) and Function URL events, cookies included."""

from __future__ import annotations

import base64
import json
import re
import time
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
from mangum import Mangum

import web.aws_lambda
from core.bootstrap import Core
from tests.web.conftest import LambdaServing
from tests.web.helpers import PASSWORD, new_email
from web.app import create_app

CONTEXT = SimpleNamespace(
    function_name="interviewbot-web",
    invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:interviewbot-web",
    aws_request_id="c6af9ac6-7b61-11e6-9a41-93e812345678",
)


def event(
    kind: str,
    method: str,
    path: str,
    *,
    query: str = "",
    cookies: list[str] | None = None,
    form: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An HTTP API payload 2.0 event, or the Function URL flavour of the same format."""
    domain = (
        "abcdefghij.lambda-url.eu-west-1.on.aws"
        if kind == "function-url"
        else "abcdefghij.execute-api.eu-west-1.amazonaws.com"
    )
    headers = {"host": domain, "user-agent": "pytest", "x-forwarded-proto": "https"}
    body, encoded = None, False
    if form is not None:
        headers["content-type"] = "application/x-www-form-urlencoded"
        body, encoded = base64.b64encode(urlencode(form).encode()).decode(), True
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "cookies": cookies or [],
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012" if kind == "http-api" else "anonymous",
            "apiId": "abcdefghij",
            "domainName": domain,
            "domainPrefix": "abcdefghij",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "pytest",
            },
            "requestId": "id",
            "routeKey": "$default",
            "stage": "$default",
            "time": "26/Nov/2026:12:00:00 +0000",
            "timeEpoch": int(time.time() * 1000),
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


def _cookie_pairs(response: dict[str, Any]) -> list[str]:
    return [cookie.split(";", 1)[0] for cookie in response.get("cookies", [])]


@pytest.mark.parametrize("kind", ["http-api", "function-url"])
def test_register_and_browse_through_lambda_events(
    kind: str, embedded_core: Core, on_lambda_handler: LambdaServing
) -> None:
    with on_lambda_handler(embedded_core) as handler:
        _register_and_browse(kind, handler)


def _register_and_browse(kind: str, handler: Mangum) -> None:
    health = handler(event(kind, "GET", "/healthz"), CONTEXT)
    assert health["statusCode"] == 200 and json.loads(health["body"])["database"] == "ok"

    form_page = handler(event(kind, "GET", "/register"), CONTEXT)
    assert form_page["statusCode"] == 200
    assert form_page["headers"]["content-type"].startswith("text/html")
    jar = _cookie_pairs(form_page)
    assert any(c.startswith("ib_csrf=") for c in jar)
    assert "set-cookie" not in form_page["headers"]  # v2 responses carry cookies separately
    token = re.search(r'name="csrf_token" value="(\w+)"', form_page["body"]).group(1)  # type: ignore[union-attr]

    email = new_email()
    registered = handler(
        event(
            kind,
            "POST",
            "/register",
            cookies=jar,
            form={"email": email, "password": PASSWORD, "csrf_token": token},
        ),
        CONTEXT,
    )
    assert registered["statusCode"] == 303
    session = [c for c in registered["cookies"] if c.startswith("ib_session=")]
    assert session and "HttpOnly" in session[0]
    jar += _cookie_pairs(registered)

    dashboard = handler(event(kind, "GET", "/", cookies=jar), CONTEXT)
    assert dashboard["statusCode"] == 200 and email in dashboard["body"]
    listed = handler(event(kind, "GET", "/api/sessions", query="page=1", cookies=jar), CONTEXT)
    assert json.loads(listed["body"])["total"] == 0


def test_the_module_handler_builds_everything_lazily(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'lambda.db'}")
    monkeypatch.setenv("REDIS_URL", "memory://lambda-test")
    monkeypatch.setenv("WEB_SECRET", "a-lambda-test-secret-that-is-long-enough")
    monkeypatch.setattr(web.aws_lambda, "_handler", None)

    app = create_app()
    assert not app.state.resources.core_ready  # creating the app touches no database

    response = web.aws_lambda.handler(event("function-url", "GET", "/healthz"), CONTEXT)
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"status": "ok", "database": "ok", "redis": "ok"}
    assert web.aws_lambda._handler is not None and web.aws_lambda._handler.lifespan == "off"
