"""The Bolt app factory: one app for Socket Mode, the HTTP server and Lambda.

Listeners only acknowledge; all database and LLM work runs in lazy listeners. With
`lambda_mode` the app processes before responding (Lambda freezes after the response) and
each lazy listener runs in a fresh invocation of the same function.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.lazy_listener import LazyListenerRunner, ThreadLazyListenerRunner
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.web import WebClient

from bots.slack.installation import is_multi_workspace, oauth_settings
from bots.slack.listeners import (
    ack_only,
    actions,
    commands,
    home,
    messages,
    qotd,
    review,
    views,
)
from bots.slack.runtime import CoreProvider, SlackRuntime
from core.config import ConfigError, Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

APP_NAME = "interviewbot"
LAZY_WORKERS = 16  # concurrent evaluations per process outside Lambda


def build_slack_app(
    core_provider: CoreProvider,
    settings: Settings,
    *,
    client: WebClient | None = None,
    lambda_mode: bool = False,
    socket_mode: bool = False,
    lazy_runner: LazyListenerRunner | None = None,
    installation_engine: Engine | None = None,
) -> App:
    """Build the Slack app on the core's use cases.

    `core_provider` is called only by lazy listeners (see runtime.lazy_core). `client` replaces
    the Web API client (tests point it at a local mock; in single-workspace mode it must carry
    the bot token). `lazy_runner` replaces how lazy listeners run (tests run them inline)."""
    app = App(
        name=APP_NAME,
        signing_secret=_signing_secret(settings, required=not socket_mode),
        process_before_response=lambda_mode,
        logger=logging.getLogger("bots.slack.bolt"),
        **_authorization(settings, client, lambda_mode, installation_engine),
    )
    _retry_when_rate_limited(app.client)
    if lazy_runner is not None:
        app.listener_runner.lazy_listener_runner = lazy_runner
    elif not lambda_mode:
        # Outside Lambda, Bolt runs acks and lazy work on one 5-thread pool: a few slow
        # evaluations would then hold up acks past Slack's 3 seconds. Lazy work gets its own.
        app.listener_runner.lazy_listener_runner = ThreadLazyListenerRunner(
            app.logger,
            ThreadPoolExecutor(max_workers=LAZY_WORKERS, thread_name_prefix="slack-lazy"),
        )
    runtime = SlackRuntime(core_provider, settings)
    for module in (commands, messages, actions, views, home, review, qotd):
        module.register(app, runtime)
    if app.installation_store is not None:
        app.enable_token_revocation_listeners()  # forget a workspace's tokens on uninstall
    # Last: acknowledge every other subscribed event, or Slack would retry it after a 404.
    app.event(re.compile(".*"))(ack_only)
    return app


def _retry_when_rate_limited(client: WebClient) -> None:
    """Slack answers bursts with 429 and Retry-After (chat.postMessage allows about one message
    a second per channel): wait and send again rather than lose a card the core already paid
    for. Each request's client copies these handlers from the app's client."""
    if not any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers):
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))


def _signing_secret(settings: Settings, *, required: bool) -> str:
    secret = settings.slack_signing_secret
    if secret is None and required:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is required (Slack app → Basic Information → Signing Secret)"
        )
    return secret.get_secret_value() if secret else ""


def _authorization(
    settings: Settings, client: WebClient | None, lambda_mode: bool, engine: Engine | None
) -> dict[str, Any]:
    if is_multi_workspace(settings):
        extra: dict[str, Any] = {"client": client} if client is not None else {}
        return extra | {"oauth_settings": oauth_settings(settings, engine)}
    if client is not None:
        credentials: dict[str, Any] = {"client": client}
    elif settings.slack_bot_token is not None:
        credentials = {"token": settings.slack_bot_token.get_secret_value()}
    else:
        raise ConfigError(
            "Set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "(installable in many workspaces)"
        )
    # On Lambda, skip the eager auth.test: cold starts stay free of network calls, and Bolt
    # runs auth.test once per container on the first request instead.
    return credentials | {"token_verification_enabled": not lambda_mode}
