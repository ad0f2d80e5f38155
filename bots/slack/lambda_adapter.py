"""The Bolt app behind API Gateway on Lambda, without importing boto3 until a lazy listener runs.

Bolt's own adapter (slack_bolt.adapter.aws_lambda) imports boto3 when it is imported: about a
fifth of a cold start's budget, paid by every container even though only the self-invocation
of a lazy listener needs it. This is the same translation on Bolt's public request API
(BoltRequest in, App.dispatch, BoltResponse out), with the same events and the same
self-invocation protocol (the `x-slack-bolt-lazy-only` headers Bolt's dispatch understands),
and boto3's Lambda client created on the first lazy invocation. Behaviour is pinned by
tests/slack (every Slack test drives this handler), not by Bolt's adapter.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.lazy_listener import LazyListenerRunner

log = logging.getLogger(__name__)


class SelfInvokingRunner(LazyListenerRunner):
    """Runs a lazy listener in a fresh, asynchronous invocation of this same function."""

    def __init__(self, logger: logging.Logger, client_factory: Callable[[], Any] | None = None):
        self.logger = logger
        self.lambda_client: Any = None  # tests put a recording fake here
        self._factory = client_factory or _boto_lambda
        self._lock = threading.Lock()

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        event: dict[str, Any] = request.context["lambda_request"]
        headers = event["headers"]
        headers["x-slack-bolt-lazy-only"] = "1"
        headers["x-slack-bolt-lazy-function-name"] = request.lazy_function_name
        self.client().invoke(
            FunctionName=request.context["aws_lambda_invoked_function_arn"],
            InvocationType="Event",
            Payload=json.dumps(event),
        )

    def client(self) -> Any:
        if self.lambda_client is None:
            with self._lock:
                if self.lambda_client is None:
                    self.lambda_client = self._factory()
        return self.lambda_client


class SlackLambdaHandler:
    """API Gateway (HTTP API v2 or REST API v1) events in, Bolt's responses out."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.runner = SelfInvokingRunner(app.logger)
        app.listener_runner.lazy_listener_runner = self.runner
        if app.oauth_flow is not None:  # the install page links relative to where it is served
            app.oauth_flow.settings.redirect_uri_page_renderer.install_path = "?"

    def handle(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        request_context = event.get("requestContext") or {}
        method = (request_context.get("http") or {}).get("method") or request_context.get(
            "httpMethod"
        )
        if method == "GET" and self.app.oauth_flow is not None:
            return self._oauth(to_bolt_request(event))
        if method == "POST":
            request = to_bolt_request(event)
            request.context["aws_lambda_function_name"] = context.function_name
            request.context["aws_lambda_invoked_function_arn"] = context.invoked_function_arn
            request.context["lambda_request"] = event
            return to_aws_response(self.app.dispatch(request))
        return {"statusCode": 404, "body": "Not Found", "headers": {}}

    def _oauth(self, request: BoltRequest) -> dict[str, Any]:
        """The install page, or Slack's redirect back to it (code and state, or an error)."""
        flow = self.app.oauth_flow
        assert flow is not None
        query = request.query or {}
        callback = ("code" in query and "state" in query) or "error" in query
        response = flow.handle_callback(request) if callback else flow.handle_installation(request)
        return to_aws_response(response)


def to_bolt_request(event: dict[str, Any]) -> BoltRequest:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8")
    cookies = event.get("cookies") or []
    if not cookies:  # payload format 1.0 carries them as a header
        multi = event.get("multiValueHeaders") or {}
        cookies = multi.get("cookie") or multi.get("Cookie") or []
    headers = dict(event.get("headers") or {})
    headers["cookie"] = cookies
    return BoltRequest(body=body, query=event.get("queryStringParameters") or {}, headers=headers)


def to_aws_response(response: BoltResponse) -> dict[str, Any]:
    return {
        "statusCode": response.status,
        "body": response.body,
        "headers": response.first_headers(),
    }


def _boto_lambda() -> Any:
    import boto3  # in every Lambda Python runtime; imported by the first lazy listener only

    return boto3.client("lambda")
