"""bots.slack.lambda_adapter: API Gateway's event shapes in, Bolt's dispatch, and the lazy
listeners' self-invocation with a Lambda client created on first use only."""

from __future__ import annotations

import base64
from typing import Any

from bots.slack import aws_lambda
from bots.slack.lambda_adapter import SlackLambdaHandler
from core.bootstrap import Core
from core.config import Settings
from tests.slack import support as s
from tests.slack.mock_slack import MockSlack


def handler_with(core: Core, settings: Settings, web_client: Any) -> SlackLambdaHandler:
    return aws_lambda.build_handler(settings, core_provider=lambda: core, client=web_client)


def test_the_lambda_client_is_created_by_the_first_lazy_listener_and_reused(
    core: Core, settings: Settings, web_client: Any, mock_slack: MockSlack
) -> None:
    handler = handler_with(core, settings, web_client)
    fake, created = s.FakeLambdaClient(), []
    handler.runner._factory = lambda: created.append(fake) or fake  # what boto3 would build
    help_body = s.command("help", response_url=mock_slack.response_url())
    assert handler.handle(s.lambda_event(help_body, s.signed_headers(help_body)), s.LAMBDA_CONTEXT)
    assert created == []  # answered in the ack: no lazy listener, no client
    for _ in range(2):
        body = s.command("backend medium", response_url=mock_slack.response_url())
        event = s.lambda_event(body, s.signed_headers(body))
        assert handler.handle(event, s.LAMBDA_CONTEXT)["statusCode"] == 200
    assert len(created) == 1 and len(fake.payloads) == 2
    invoked = fake.payloads[0]["headers"]
    assert invoked["x-slack-bolt-lazy-only"] == "1" and invoked["x-slack-bolt-lazy-function-name"]


def test_rest_api_events_and_base64_bodies_are_understood(
    core: Core, settings: Settings, web_client: Any, mock_slack: MockSlack
) -> None:
    handler = handler_with(core, settings, web_client)
    body = s.command("help", response_url=mock_slack.response_url())
    event = s.lambda_event(base64.b64encode(body.encode()).decode(), s.signed_headers(body))
    event |= {"isBase64Encoded": True, "requestContext": {"httpMethod": "POST"}}
    response = handler.handle(event, s.LAMBDA_CONTEXT)
    assert response["statusCode"] == 200 and "How to use /interview" in response["body"]


def test_a_forged_request_is_refused_and_other_methods_are_not_found(
    core: Core, settings: Settings, web_client: Any, mock_slack: MockSlack
) -> None:
    handler = handler_with(core, settings, web_client)
    body = s.command("help", response_url=mock_slack.response_url())
    forged = s.lambda_event(body, {"content-type": "application/x-www-form-urlencoded"})
    assert handler.handle(forged, s.LAMBDA_CONTEXT)["statusCode"] == 401
    other = s.lambda_event(body, s.signed_headers(body))
    other["requestContext"]["http"]["method"] = "PUT"
    assert handler.handle(other, s.LAMBDA_CONTEXT)["statusCode"] == 404
