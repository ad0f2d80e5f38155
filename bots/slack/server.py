"""Long-running entry points: Socket Mode (local use, no public URL) or an HTTP server."""

from __future__ import annotations

import logging
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk.web import WebClient

from bots.slack.app import build_slack_app
from core.config import ConfigError, Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    # One thread per request: an ack that opens a modal must not wait behind another request.
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


def run(
    settings: Settings,
    *,
    force_http: bool = False,
    host: str,
    port: int,
    client: WebClient | None = None,
) -> int:
    """Build the core eagerly (fail fast on bad configuration), then serve until interrupted.

    `client` replaces the Web API client (tests point it at a local mock)."""
    from core.bootstrap import build_core

    core = build_core(settings)
    socket_mode = settings.slack_app_token is not None and not force_http
    try:
        app = build_slack_app(
            lambda: core,
            settings,
            client=client,
            socket_mode=socket_mode,
            installation_engine=core.engine,
        )
    except BoltError:
        core.close()
        # Bolt checks the bot token with auth.test at start-up; its message quotes the whole
        # API response, so say plainly what to fix instead.
        raise ConfigError(
            "Slack refused SLACK_BOT_TOKEN (auth.test failed): check the token, and that the "
            "app is installed in the workspace"
        ) from None
    except OSError as exc:  # no network, DNS, TLS: Slack cannot be reached at all
        core.close()
        raise ConfigError(f"Could not reach Slack to check SLACK_BOT_TOKEN ({exc}).") from None
    from bots.slack.qotd_schedule import start_schedule

    timer = start_schedule(core)  # questions of the day, reveals, weekly leaderboards
    try:
        if socket_mode:
            return _run_socket_mode(app, settings)
        return serve_http(app, host=host, port=port)
    finally:
        timer.stop()
        core.close()


def _run_socket_mode(app: App, settings: Settings) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    assert settings.slack_app_token is not None
    print("Slack app connected over Socket Mode — press Ctrl+C to stop.", flush=True)
    try:
        SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    except OSError as exc:
        raise ConfigError(f"Could not open the Socket Mode connection to Slack ({exc}).") from None
    return 0


def serve_http(app: App, *, host: str, port: int) -> int:
    """Serve Slack's requests at /slack/events (and /slack/install with OAuth) on host:port."""
    with make_http_server(app, host=host, port=port) as server:
        bound = server.server_address[1]
        print(
            f"Slack app listening on http://{host}:{bound}{EVENTS_PATH} — Ctrl+C to stop.",
            flush=True,
        )
        server.serve_forever()
    return 0


def make_http_server(app: App, *, host: str, port: int) -> WSGIServer:
    """A threaded WSGI server around Bolt's WSGI adapter (port 0 picks a free port)."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    wsgi = SlackRequestHandler(app, path=EVENTS_PATH)
    return make_server(
        host, port, wsgi, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
