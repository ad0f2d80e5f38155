"""`interviewbot slack`: Socket Mode when an app-level token is set, else the HTTP server."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest
from slack_bolt import App

from bots.slack import server
from core.config import ConfigError, Settings
from tests.slack import support as s
from tests.slack.mock_slack import MockSlack


def post(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_http_server_serves_signed_requests_and_refuses_the_rest(
    app: App, mock_slack: MockSlack
) -> None:
    http = server.make_http_server(app, host="127.0.0.1", port=0)
    threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    url = f"http://127.0.0.1:{http.server_address[1]}{server.EVENTS_PATH}"
    try:
        body = s.command("help", response_url=mock_slack.response_url())
        status, text = post(url, body, s.signed_headers(body))
        assert status == 200 and "How to use /interview" in text
        assert post(url, body, {"content-type": "application/x-www-form-urlencoded"})[0] == 401
        assert (
            post(url.replace("/slack/events", "/elsewhere"), body, s.signed_headers(body))[0] == 404
        )
    finally:
        http.shutdown()
        http.server_close()


@pytest.mark.parametrize(
    ("app_token", "force_http", "expected"),
    [("xapp-1-test", False, "socket"), (None, False, "http"), ("xapp-1-test", True, "http")],
)
def test_the_command_picks_socket_mode_when_an_app_token_is_set(
    settings: Settings, web_client, monkeypatch, app_token, force_http, expected
) -> None:  # type: ignore[no-untyped-def]
    chosen: list[str] = []
    monkeypatch.setattr(server, "_run_socket_mode", lambda app, cfg: chosen.append("socket") or 0)
    monkeypatch.setattr(server, "serve_http", lambda app, host, port: chosen.append("http") or 0)
    configured = settings.model_copy(update={"slack_app_token": app_token})
    ran = server.run(configured, force_http=force_http, host="127.0.0.1", port=0, client=web_client)
    assert ran == 0
    assert chosen == [expected]


def test_a_token_slack_refuses_is_a_clear_configuration_error(
    settings: Settings, web_client, mock_slack: MockSlack
) -> None:  # type: ignore[no-untyped-def]
    mock_slack.fail("auth.test", "invalid_auth")
    with pytest.raises(ConfigError, match="Slack refused SLACK_BOT_TOKEN"):
        server.run(settings, host="127.0.0.1", port=0, client=web_client)
