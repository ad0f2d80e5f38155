"""AWS Lambda entry point: `bots.slack.aws_lambda.handler` (the name template.yaml refers to).

Importing this module is cheap: Bolt, the settings and the app are built on the first call.
The core (database, Redis, evaluator — google-genai when configured) is built later still, by
the first lazy listener, so the ack path needs neither a database nor an LLM client. Lazy
listeners re-invoke this same function (InvocationType=Event): the function's role needs
lambda:InvokeFunction on itself. boto3 is imported by the first such invocation
(bots.slack.lambda_adapter), not by the cold start.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from bots.slack import snapstart

if TYPE_CHECKING:
    from slack_sdk.web import WebClient

    from bots.slack.lambda_adapter import SlackLambdaHandler
    from bots.slack.runtime import CoreProvider
    from core.config import Settings

_handler: SlackLambdaHandler | None = None
_lock = threading.Lock()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Slack events, slash commands and interactivity (HTTP API v2 or REST API v1 events), and
    the schedule's "what is due" check (reminders, questions of the day) for Slack."""
    if event.get("detail-type") == "Scheduled Event":  # EventBridge: nothing to import first
        from core.jobs import due_for_platform

        return due_for_platform("slack")
    return _get_handler().handle(event, context)


def _get_handler() -> SlackLambdaHandler:
    global _handler
    if _handler is None:
        with _lock:
            if _handler is None:
                _handler = build_handler()
    return _handler


def build_handler(
    settings: Settings | None = None,
    *,
    core_provider: CoreProvider | None = None,
    client: WebClient | None = None,
    lambda_client: Any = None,
) -> SlackLambdaHandler:
    """The Lambda adapter around our app; tests and benchmarks pass their own parts.

    `lambda_client` replaces boto3's (tests record and replay the self-invocations)."""
    from bots.slack.app import build_slack_app
    from bots.slack.lambda_adapter import SlackLambdaHandler
    from bots.slack.runtime import lazy_core
    from core.config import load_settings

    settings = settings or load_settings()
    app = build_slack_app(
        core_provider or lazy_core(settings), settings, client=client, lambda_mode=True
    )
    slack_handler = SlackLambdaHandler(app)  # lazy listeners re-invoke this function
    if lambda_client is not None:
        slack_handler.runner.lambda_client = lambda_client
    return slack_handler


# Lambda SnapStart: warm up before the snapshot, fresh connections after a restore.
snapstart.register()
