"""A cap on request bodies: a 10 MB "password" or answer is refused before anything parses it."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

BASE_BODY_BYTES = 64 * 1024  # forms, JSON envelopes, e-mails, passwords, link codes
# An answer may be sent percent-encoded (a form) or \u-escaped (JSON): up to 12 bytes for one
# character of text, whatever the encoding.
BYTES_PER_ANSWER_CHARACTER = 12
# An administrator's question-bank upload (/banks): a file of hundreds of questions.
BANK_UPLOAD_BYTES = 2 * 1024 * 1024
LARGER_BODIES = {"/banks": BANK_UPLOAD_BYTES + BASE_BODY_BYTES}  # path -> its own cap


def body_limit(max_answer_chars: int) -> int:
    """The largest body any route needs: the longest answer the core accepts, encoded."""
    return BASE_BODY_BYTES + max_answer_chars * BYTES_PER_ANSWER_CHARACTER


class BodyLimitMiddleware:
    """413 for a body over `max_bytes`: at once when Content-Length says so, else once the
    streamed body passes the cap (it is read up front, so the app never sees part of it)."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, larger: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = LARGER_BODIES if larger is None else larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = max(self.max_bytes, self.larger.get(scope.get("path", ""), 0))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(limit, send)
            return
        if declared is not None:  # the server stops at the declared length
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > limit:
                await self._refuse(limit, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, limit: int, send: Send) -> None:
        limit_kb = limit // 1024
        message = f"The request is too large: at most {limit_kb} KB. Nothing was recorded."
        body = json.dumps({"error": "too_large", "code": "too_large", "message": message})
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
