"""`bots.discord.aws_lambda.handler`: Discord's interactions endpoint on AWS Lambda.

Events come from an API Gateway HTTP API (payload v2) or a Function URL. Discord wants an
answer within 3 seconds, and Lambda freezes the function the moment the handler returns, so no
background thread could finish slow work (an evaluation) afterwards. The handler therefore
answers at once (PONG, a message, the modal, or a deferral) and, for deferred work, invokes this
same function asynchronously (InvocationType=Event) with the signed request, as Slack's lazy
listeners do. That second invocation verifies the signature again and completes the response
through the interaction webhook, which stays valid for 15 minutes. The function needs
lambda:InvokeFunction on itself (template.yaml grants it).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from bots.discord import errors, snapstart
from bots.discord.http_endpoint import (
    DiscordRest,
    InteractionEndpoint,
    SignatureVerifier,
    SignedBody,
)
from bots.discord.interactions import InteractionHandler
from bots.discord.model import Ack, AckKind
from core.config import ConfigError, Settings, load_settings

log = logging.getLogger(__name__)

DEFERRED_KEY = "interviewbot_discord_deferred"


class LambdaApp:
    def __init__(self, endpoint: InteractionEndpoint, lambda_client: Callable[[], Any]) -> None:
        self.endpoint = endpoint
        self._lambda_client = lambda_client  # a factory: boto3 is imported only when needed

    def handle(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        if DEFERRED_KEY in event:  # our own asynchronous invocation: the slow half
            self.endpoint.complete(SignedBody.from_dict(event[DEFERRED_KEY]))
            return {"completed": True}
        method = event.get("requestContext", {}).get("http", {}).get("method", "POST")
        if method != "POST":
            return _http(405, {"error": "Discord sends interactions with POST"})
        try:
            raw = _body_bytes(event)
        except ValueError:
            return _http(400, {"error": "the body is not valid base64"})
        result = self.endpoint.acknowledge(event.get("headers") or {}, raw)
        if result.deferred is None:
            return _http(result.status, result.body)
        try:
            self._lambda_client().invoke(
                FunctionName=context.invoked_function_arn,
                InvocationType="Event",
                Payload=json.dumps({DEFERRED_KEY: result.deferred.to_dict()}).encode("utf-8"),
            )
        except Exception:
            # Deferring now would leave "thinking…" forever: say so instead, while we still can.
            log.exception("could not hand the interaction to an asynchronous invocation")
            return _http(200, Ack(AckKind.MESSAGE, reply=errors.unexpected()).payload())
        return _http(result.status, result.body)


def _body_bytes(event: Mapping[str, Any]) -> bytes:
    """The body exactly as Discord sent it: the signature covers these bytes."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body, validate=True)
    return str(body).encode("utf-8")  # API Gateway passes a text body as the str it decoded


def _http(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
    }


@cache
def _boto_lambda() -> Any:
    import boto3  # in every Lambda Python runtime; kept off the import path of PING

    return boto3.client("lambda")


def build_app(settings: Settings | None = None, *, lambda_client: Any = None) -> LambdaApp:
    """Wire the endpoint from settings; the core itself is built on the first deferred job."""
    settings = settings or load_settings()
    if not settings.discord_public_key:
        raise ConfigError("DISCORD_PUBLIC_KEY is required for the Discord interactions endpoint")
    chosen = settings

    def build() -> Any:
        from core.bootstrap import build_core

        return build_core(chosen)

    handler = InteractionHandler(settings, build, reads_replies=False)
    token = settings.discord_token.get_secret_value() if settings.discord_token else None
    if token is None:
        log.warning("DISCORD_TOKEN is not set: /interview start cannot open threads")
    endpoint = InteractionEndpoint(
        handler,
        SignatureVerifier(settings.discord_public_key),
        DiscordRest(settings.discord_api_base_url, token),
    )
    return LambdaApp(endpoint, (lambda: lambda_client) if lambda_client else _boto_lambda)


_app: LambdaApp | None = None


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point (template.yaml: bots.discord.aws_lambda.handler): interactions,
    and the schedule's "what is due" check (reminders, questions of the day) for Discord."""
    if event.get("detail-type") == "Scheduled Event":
        from core.jobs import due_for_platform

        return due_for_platform("discord")
    global _app
    if _app is None:  # once per container: warm invocations reuse clients and the core
        _app = build_app()
    return _app.handle(event, context)


# Lambda SnapStart: warm up before the snapshot, fresh connections after a restore.
snapstart.register()
