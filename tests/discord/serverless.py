"""Drives `bots.discord.aws_lambda` as Lambda would: signed HTTP API v2 events in, asynchronous
self-invocations captured by a fake lambda client and replayed, REST calls to a mock server."""

from __future__ import annotations

import base64
import json
import time
from types import SimpleNamespace
from typing import Any

from nacl.signing import SigningKey

from bots.discord.aws_lambda import LambdaApp, build_app
from core.config import Settings

CONTEXT = SimpleNamespace(
    function_name="interviewbot-discord",
    invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:interviewbot-discord",
)


class FakeLambdaClient:
    """boto3's lambda client, as far as the handler uses it: records `invoke` calls."""

    def __init__(self) -> None:
        self.invocations: list[dict[str, Any]] = []
        self.error: Exception | None = None

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        if self.error is not None:
            raise self.error
        self.invocations.append(kwargs)
        return {"StatusCode": 202}


def signed_event(
    body: dict[str, Any] | bytes,
    key: SigningKey,
    *,
    timestamp: str | None = None,
    base64_body: bool = False,
    method: str = "POST",
) -> dict[str, Any]:
    """An API Gateway HTTP API (v2) / Function URL event carrying a signed Discord request."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    stamp = timestamp if timestamp is not None else str(int(time.time()))
    signature = key.sign(stamp.encode() + raw).signature.hex()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "headers": {
            "content-type": "application/json",
            "X-Signature-Ed25519": signature,
            "X-Signature-Timestamp": stamp,
        },
        "requestContext": {"http": {"method": method, "path": "/"}},
        "body": base64.b64encode(raw).decode() if base64_body else raw.decode(),
        "isBase64Encoded": base64_body,
    }


class Serverless:
    """One Lambda container: the endpoint plus the replay of its own asynchronous invocations."""

    def __init__(self, settings: Settings, key: SigningKey) -> None:
        self.key = key
        self.lambda_client = FakeLambdaClient()
        self.app: LambdaApp = build_app(settings, lambda_client=self.lambda_client)

    def send(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Deliver like Discord, then run whatever was handed to an asynchronous invocation."""
        before = len(self.lambda_client.invocations)
        response = self.app.handle(signed_event(payload, self.key), CONTEXT)
        for invocation in self.lambda_client.invocations[before:]:
            self.replay(invocation)
        return response["statusCode"], json.loads(response["body"])

    def replay(self, invocation: dict[str, Any]) -> None:
        assert invocation["FunctionName"] == CONTEXT.invoked_function_arn
        assert invocation["InvocationType"] == "Event"
        self.app.handle(json.loads(invocation["Payload"]), CONTEXT)

    def close(self) -> None:
        core = self.app.endpoint.handler._core
        if core is not None:
            core.close()
