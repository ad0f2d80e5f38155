"""Signed Slack requests, Lambda events and the fakes the Slack tests drive the app with."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.lazy_listener import LazyListenerRunner
from slack_sdk.signature import SignatureVerifier

SECRET = "test-signing-secret-0123456789abcdef"
TEAM = "T0TEAM"
ALICE, BOB = "U0ALICE", "U0BOB"
BOT = "U0BOT"  # the bot user the mock's auth.test names: it starts every interview thread
CHANNEL = "C0GENERAL"
LAMBDA_CONTEXT = SimpleNamespace(
    function_name="interviewbot-slack",
    invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:interviewbot-slack",
)


def signed_headers(
    body: str, *, timestamp: int | None = None, secret: str = SECRET, retry: int | None = None
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    content_type = (
        "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
    )
    headers = {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body),
    }
    if retry is not None:
        headers |= {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"}
    return headers


def bolt_request(body: str, headers: dict[str, str] | None = None) -> BoltRequest:
    return BoltRequest(
        body=body, headers={k: [v] for k, v in (headers or signed_headers(body)).items()}
    )


# ------------------------------------------------------------------ payloads


def command(
    text: str,
    *,
    response_url: str,
    user: str = ALICE,
    channel: str = CHANNEL,
    trigger: str = "",
) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "mock",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/interview",
            "text": text,
            "api_app_id": "A0APP",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger or f"trigger-{time.monotonic_ns()}",
        }
    )


def event(inner: dict[str, Any], *, event_id: str | None = None) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id or f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": "U0BOT", "is_bot": True}],
            "event": inner,
        }
    )


def reply(
    text: str,
    *,
    thread: str,
    ts: str,
    user: str = ALICE,
    channel: str = CHANNEL,
    parent_user: str = BOT,
) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": thread,
        "parent_user_id": parent_user,
        "event_ts": ts,
        "channel_type": "channel",
    }


def edit(text: str, *, thread: str, ts: str, before: str, user: str = ALICE) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": CHANNEL,
        "hidden": True,
        "ts": f"{ts}9",
        "event_ts": f"{ts}9",
        "channel_type": "channel",
        "message": {
            "type": "message",
            "user": user,
            "text": text,
            "ts": ts,
            "thread_ts": thread,
            "parent_user_id": BOT,
            "edited": {"user": user, "ts": f"{ts}8"},
        },
        "previous_message": {
            "type": "message",
            "user": user,
            "text": before,
            "ts": ts,
            "thread_ts": thread,
        },
    }


def action(
    action_id: str,
    value: str,
    *,
    message: dict[str, Any],
    response_url: str,
    user: str = ALICE,
    channel: str = CHANNEL,
    action_ts: str | None = None,
) -> str:
    payload = {
        "type": "block_actions",
        "api_app_id": "A0APP",
        "token": "legacy",
        "user": {"id": user, "team_id": TEAM, "username": user.lower()},
        "team": {"id": TEAM, "domain": "mock"},
        "channel": {"id": channel},
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
        "message": message,
        "response_url": response_url,
        "trigger_id": "trigger-action",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b",
                "value": value,
                "action_ts": action_ts or f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def view_submission(
    *,
    role: str,
    difficulty: str,
    questions: int,
    channel: str | None,
    view_id: str = "V0MODAL",
    user: str = ALICE,
) -> str:
    from bots.slack import ids

    def selected(value: str) -> dict[str, Any]:
        return {"type": "static_select", "selected_option": {"value": value}}

    payload = {
        "type": "view_submission",
        "api_app_id": "A0APP",
        "token": "legacy",
        "team": {"id": TEAM, "domain": "mock"},
        "user": {"id": user, "team_id": TEAM, "username": user.lower()},
        "view": {
            "id": view_id,
            "type": "modal",
            "callback_id": ids.START_MODAL,
            "hash": "h",
            "private_metadata": json.dumps({"channel": channel}),
            "state": {
                "values": {
                    ids.ROLE_BLOCK: {ids.ROLE_INPUT: selected(role)},
                    ids.DIFFICULTY_BLOCK: {ids.DIFFICULTY_INPUT: selected(difficulty)},
                    ids.COUNT_BLOCK: {ids.COUNT_INPUT: selected(str(questions))},
                }
            },
        },
    }
    return urlencode({"payload": json.dumps(payload)})


# ------------------------------------------------------------------ running lazy listeners


class InlineLazyRunner(LazyListenerRunner):
    """Runs lazy listeners in the dispatching thread, so a dispatch returns with the work done."""

    def __init__(self, logger: Any) -> None:
        self.logger = logger

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        self.run(function, request)


@dataclass
class FakeLambdaClient:
    """Stands in for boto3's lambda client: records the self-invocations for replay."""

    payloads: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def invoke(self, *, FunctionName: str, InvocationType: str, Payload: str) -> dict[str, Any]:
        assert InvocationType == "Event" and FunctionName == LAMBDA_CONTEXT.invoked_function_arn
        with self.lock:
            self.payloads.append(json.loads(Payload))
        return {"StatusCode": 202}

    def drain(self) -> list[dict[str, Any]]:
        with self.lock:
            taken, self.payloads = self.payloads, []
        return taken


def lambda_event(body: str, headers: dict[str, str]) -> dict[str, Any]:
    """An API Gateway HTTP API (payload v2) event, as Lambda receives Slack's POST."""
    return {
        "version": "2.0",
        "routeKey": "POST /slack/events",
        "rawPath": "/slack/events",
        "rawQueryString": "",
        "headers": dict(headers),
        "isBase64Encoded": False,
        "body": body,
        "requestContext": {
            "http": {"method": "POST", "path": "/slack/events", "sourceIp": "127.0.0.1"},
            "stage": "$default",
        },
    }


class LambdaHarness:
    """Drives `bots.slack.aws_lambda.handler` like Lambda would: the request, then the replay of
    every self-invocation it made (the lazy listeners)."""

    def __init__(
        self, entry: Callable[[dict[str, Any], Any], dict[str, Any]], lam: FakeLambdaClient
    ) -> None:
        self.entry, self.lam = entry, lam

    def send(self, body: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        return self.entry(lambda_event(body, headers or signed_headers(body)), LAMBDA_CONTEXT)

    def replay(self, *, concurrently: bool = False) -> int:
        """Run the recorded lazy invocations (until none are left); how many ran."""
        ran = 0
        while invocations := self.lam.drain():
            if concurrently:
                with ThreadPoolExecutor(max_workers=len(invocations)) as pool:
                    list(pool.map(lambda e: self.entry(e, LAMBDA_CONTEXT), invocations))
            else:
                for invocation in invocations:
                    self.entry(invocation, LAMBDA_CONTEXT)
            ran += len(invocations)
        return ran

    def deliver(self, body: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = self.send(body, headers)
        self.replay()
        return response


def status(response: BoltResponse | dict[str, Any]) -> int:
    return response["statusCode"] if isinstance(response, dict) else response.status


def buttons(call: Any) -> dict[str, str]:
    """action_id -> value of every button in a posted or updated message (a mock_slack Call)."""
    return {
        element["action_id"]: element.get("value", "")
        for block in call.params.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
    }


def qotd_submission(post_id: str | int, text: str, *, user: str, view_id: str) -> str:
    """The question of the day's answer modal, submitted (a view_submission payload)."""
    from bots.slack import ids

    payload = {
        "type": "view_submission",
        "api_app_id": "A0APP",
        "token": "legacy",
        "team": {"id": TEAM, "domain": "mock"},
        "user": {"id": user, "team_id": TEAM, "username": user.lower(), "name": user.lower()},
        "view": {
            "id": view_id,
            "type": "modal",
            "callback_id": ids.QOTD_MODAL,
            "hash": "h",
            "private_metadata": json.dumps({"post": str(post_id), "channel": CHANNEL}),
            "state": {
                "values": {
                    ids.QOTD_ANSWER_BLOCK: {
                        ids.QOTD_ANSWER_INPUT: {"type": "plain_text_input", "value": text}
                    }
                }
            },
        },
    }
    return urlencode({"payload": json.dumps(payload)})
