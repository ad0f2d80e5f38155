"""A fake of the slice of Discord's REST API the bot uses, with two front doors:

- in process, for the gateway bot: `bot.http.request` and a recording AsyncWebhookAdapter
  (set in discord.py's `async_context`) both land here;
- over HTTP on 127.0.0.1, for the serverless endpoint (`MockDiscordServer`).

It records every call and answers like Discord (ids, message objects echoing what was sent),
so the transports run through their real serialisation and parsing code.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from discord.webhook.async_ import AsyncWebhookAdapter

from tests.discord import payloads


@dataclass
class Call:
    method: str
    path: str
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    at: float = field(default_factory=time.perf_counter)

    @property
    def kind(self) -> str:
        """A readable name for assertions: "callback", "edit-original", "follow-up", ..."""
        for name, (method, pattern) in ROUTES.items():
            if method == self.method and re.fullmatch(pattern, self.path):
                return name
        return f"{self.method} {self.path}"


ROUTES = {
    "callback": ("POST", r"/interactions/\d+/[^/]+/callback"),
    "edit-original": ("PATCH", r"/webhooks/\d+/[^/]+/messages/@original"),
    "delete-original": ("DELETE", r"/webhooks/\d+/[^/]+/messages/@original"),
    "follow-up": ("POST", r"/webhooks/\d+/[^/]+"),
    "open-thread": ("POST", r"/channels/\d+/threads"),
    "start-thread": ("POST", r"/channels/\d+/messages/\d+/threads"),
    "add-member": ("PUT", r"/channels/\d+/thread-members/\d+"),
    "post": ("POST", r"/channels/\d+/messages"),
    "edit-message": ("PATCH", r"/channels/\d+/messages/\d+"),
    "sync-commands": ("PUT", r"/applications/\d+(/guilds/\d+)?/commands"),
    "me": ("GET", r"/users/@me"),
    "open-dm": ("POST", r"/users/@me/channels"),
    "application": ("GET", r"/oauth2/applications/@me"),
}


class FakeDiscordApi:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self.threads: dict[str, dict[str, Any]] = {}
        # call kind -> HTTP status to answer instead (every time), or statuses to answer once each
        self.failures: dict[str, int | list[int]] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(700_000_000_000_000_000)

    # -- what tests read -------------------------------------------------------------

    def of(self, kind: str, token: str | None = None) -> list[Call]:
        return [
            c for c in self.calls if c.kind == kind and (token is None or f"/{token}" in c.path)
        ]

    def kinds(self, token: str | None = None) -> list[str]:
        return [c.kind for c in self.calls if token is None or f"/{token}" in c.path]

    def posted(self, channel_id: str) -> list[dict[str, Any]]:
        """Messages in a channel, in order (posts and follow-ups that landed there)."""
        return [m for m in self.messages.values() if m["channel_id"] == channel_id]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    # -- the API -----------------------------------------------------------------------

    def handle(
        self, method: str, path: str, body: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        call = Call(method, path, body, headers or {})
        with self._lock:
            self.calls.append(call)
            failure = self.failures.get(call.kind)
            if isinstance(failure, list) and failure:
                return failure.pop(0), {"message": "Service Unavailable", "code": 0}
            if isinstance(failure, int):
                return failure, {"message": "Missing Access", "code": 50001}
            return 200, self._answer(call)

    def _answer(self, call: Call) -> Any:
        kind, parts = call.kind, call.path.strip("/").split("/")
        if kind == "me":
            return payloads.user(payloads.BOT_ID, "interviewbot", bot=True)
        if kind == "application":
            return payloads.application()
        if kind == "callback":
            return {"interaction": {"id": parts[1], "type": 2}}
        if kind == "sync-commands":
            return [
                command | {"id": str(next(self._ids)), "application_id": parts[1], "version": "1"}
                for command in call.body
            ]
        if kind == "open-dm":  # one DM channel per person, as Discord keeps it
            return {"id": str(900_000_000_000_000_000 + int(call.body["recipient_id"]) % 10**12)}
        if kind == "open-thread":
            thread_id = str(next(self._ids))
            private = call.body.get("type") == 12
            self.threads[thread_id] = payloads.thread(thread_id, parent=parts[1], private=private)
            return self.threads[thread_id]
        if kind == "start-thread":  # a thread started on a message takes the message's id
            self.threads[parts[3]] = payloads.thread(parts[3], parent=parts[1])
            return self.threads[parts[3]]
        if kind == "post":
            return self._store(str(next(self._ids)), parts[1], call.body)
        if kind in ("follow-up", "edit-original"):
            # Webhook paths do not name the channel; tests place these messages themselves.
            return self._store(str(next(self._ids)), payloads.WEBHOOK_CHANNEL, call.body)
        if kind == "edit-message":
            merged = {**self.messages.get(parts[3], {}), **call.body}
            return self._store(parts[3], parts[1], merged)
        return None

    def _store(self, message_id: str, channel_id: str, body: dict[str, Any]) -> dict[str, Any]:
        message = payloads.message(
            message_id=message_id,
            channel_id=channel_id,
            author=payloads.user(payloads.BOT_ID, "interviewbot", bot=True),
            content=body.get("content") or "",
            embeds=body.get("embeds") or [],
            components=body.get("components") or [],
            flags=body.get("flags") or 0,
        )
        self.messages[message_id] = message
        return message

    # -- front door 1: inside the gateway bot's process -----------------------------------

    async def http_request(self, route: Any, **kwargs: Any) -> Any:
        """Stands in for discord.http.HTTPClient.request."""
        status, answer = self.handle(route.method, _path(route.url), kwargs.get("json"))
        if status >= 400:
            raise _http_error(status)
        return answer

    def webhook_adapter(self) -> AsyncWebhookAdapter:
        api = self

        class RecordingWebhookAdapter(AsyncWebhookAdapter):
            async def request(self, route: Any, session: Any, **kwargs: Any) -> Any:
                status, answer = api.handle(route.method, _path(route.url), kwargs.get("payload"))
                if status >= 400:
                    raise _http_error(status)
                return answer

        return RecordingWebhookAdapter()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls so far: {[c.kind for c in self.calls]}")
            await asyncio.sleep(0.005)


def _path(url: str) -> str:
    return re.sub(r"^(https?://[^/]+)?(/api/v\d+)?", "", url).split("?")[0]


def _http_error(status: int) -> Exception:
    import discord

    class _Response:
        reason = "refused by the fake"

        def __init__(self) -> None:
            self.status = status

    return discord.HTTPException(_Response(), {"message": "Missing Access", "code": 50001})  # type: ignore[arg-type]


# -- front door 2: a real HTTP server on 127.0.0.1 -------------------------------------------


class MockDiscordServer:
    """Discord's REST API on loopback, for the serverless endpoint's httpx calls."""

    def __init__(self, api: FakeDiscordApi) -> None:
        self.api = api
        handler = _handler_for(api)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/v10"

    def __enter__(self) -> MockDiscordServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler_for(api: FakeDiscordApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw or b"null")
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer = api.handle(self.command, _path(self.path), body, headers)
            data = b"" if answer is None else json.dumps(answer).encode()
            self.send_response(204 if answer is None and status == 200 else status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, *args: Any) -> None:  # quiet test output
            pass

    return Handler
