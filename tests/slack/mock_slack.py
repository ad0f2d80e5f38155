"""A small mock of Slack's Web API on 127.0.0.1 that records every call, as bolt-python's tests do.

Point `WebClient(base_url=server.url)` at it (the trailing slash matters). Answers carry the
fields the app reads (ts, channel, view id, auth.test ids); `fail()` makes a method refuse.
`rate_limit()` answers HTTP 429 with Retry-After, as Slack does to a burst. `response_url` posts
(the `respond()` of commands and buttons) land here too.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TEAM = "T0TEAM"
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    response: dict[str, Any]

    @property
    def ts(self) -> str:
        """The ts of the message this call posted or changed."""
        return str(self.response.get("ts") or self.params.get("ts") or "")

    def text(self) -> str:
        """Everything a person would read: the fallback text plus every text in the blocks."""
        parts = [str(self.params.get("text") or "")]
        parts += _texts(self.params.get("blocks"))
        parts += _texts(self.params.get("view"))
        return "\n".join(p for p in parts if p)


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


class MockSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._failures: dict[str, Callable[[dict[str, Any]], str | None]] = {}
        self._rate_limited: dict[str, int] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        # users.info answers: user id -> flags such as {"is_admin": True} (others: members)
        self.users: dict[str, dict[str, Any]] = {}
        self._opened_views: set[str] = set()  # external ids of the views opened so far
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}response/{name}"

    def start(self) -> MockSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(
        self, method: str, error: str, when: Callable[[dict[str, Any]], bool] | None = None
    ) -> None:
        """Make `method` answer {"ok": false, "error": error} (for the params `when` accepts)."""
        self._failures[method] = lambda params: error if when is None or when(params) else None

    def rate_limit(self, method: str, times: int = 1) -> None:
        """Answer the next `times` calls to `method` with 429 and `Retry-After: 0`."""
        self._rate_limited[method] = times

    def to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 3.0) -> list[Call]:
        """The calls to `method` once there are `count` of them (work done after an ack runs
        on Bolt's thread pool outside Lambda, so it may land just after dispatch returns)."""
        deadline = time.monotonic() + timeout
        while len(calls := self.to(method)) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return calls

    def methods(self) -> list[str]:
        with self._lock:
            return [c.method for c in self.calls]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # ------------------------------------------------------------ the server side

    def _limited(self, method: str, params: dict[str, Any]) -> bool:
        with self._lock:
            if self._rate_limited.get(method, 0) <= 0:
                return False
            self._rate_limited[method] -= 1
            self.calls.append(Call(method, params, {"ok": False, "error": "ratelimited"}))
            return True

    def _record(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        n = next(self._ids)
        failure = self._failures.get(method)
        error = failure(params) if failure else self._view_error(method, params)
        response = (
            {"ok": False, "error": error}
            if error
            else {"ok": True, **self._answer(method, params, n)}
        )
        with self._lock:
            self.calls.append(Call(method, params, response))
        return response

    def _view_error(self, method: str, params: dict[str, Any]) -> str | None:
        """As Slack: views.update by external id finds only a view opened before it."""
        view = params.get("view")
        with self._lock:
            if method == "views.open" and isinstance(view, dict) and view.get("external_id"):
                self._opened_views.add(str(view["external_id"]))
            elif method == "views.update" and params.get("external_id"):
                return None if params["external_id"] in self._opened_views else "not_found"
        return None

    def _answer(self, method: str, params: dict[str, Any], n: int) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        if channel.startswith("U"):  # posting to a user id lands in the bot's DM with them
            channel = "D" + channel[1:]
        ts = f"{1_700_000_000 + n}.{n:06d}"
        if method == "auth.test":
            return {
                "url": "https://mock.slack.test/",
                "team": "Mock",
                "user": "interviewbot",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
            }
        if method == "oauth.v2.access":  # an install into TEAM, as Slack answers it
            return {
                "app_id": "A0APP",
                "authed_user": {"id": "U0ALICE"},
                "token_type": "bot",
                "scope": "commands,chat:write",
                "access_token": "xoxb-installed-token",
                "bot_user_id": BOT_USER,
                "team": {"id": TEAM, "name": "Mock"},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            return {"channel": channel, "ts": ts, "message": {"text": params.get("text"), "ts": ts}}
        if method in ("chat.update", "chat.delete"):
            return {"channel": channel, "ts": params.get("ts"), "text": params.get("text")}
        if method == "chat.postEphemeral":
            return {"message_ts": ts}
        if method == "users.info":
            user = str(params.get("user") or "")
            flags = {"is_admin": False, "is_owner": False, "is_primary_owner": False}
            return {
                "user": {
                    "id": user,
                    "team_id": TEAM,
                    "name": user.lower(),
                    **flags,
                    **self.users.get(user, {}),
                }
            }
        if method == "conversations.open":
            return {"channel": {"id": "D" + str(params.get("users", "X"))[1:]}}
        if method.startswith("views."):
            return {"view": {"id": f"V{n:05d}", **(params.get("view") or {})}}
        return {}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        mock = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
                path = self.path.split("?")[0].strip("/")
                if path.startswith("response/"):
                    method = "response_url"
                else:
                    method = path.removeprefix("api/")
                params = _parse(raw, self.headers.get("content-type") or "")
                if mock._limited(method, params):
                    body = b'{"ok": false, "error": "ratelimited"}'
                    self.send_response(429)
                    self.send_header("retry-after", "0")
                else:
                    body = json.dumps(mock._record(method, params)).encode()
                    self.send_response(200)
                self.send_header("content-type", "application/json; charset=utf-8")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return json.loads(raw or "{}")
    params: dict[str, Any] = dict(parse_qsl(raw))
    for key in ("blocks", "view", "attachments"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


@contextmanager
def running_mock() -> Iterator[MockSlack]:
    server = MockSlack().start()
    try:
        yield server
    finally:
        server.stop()
