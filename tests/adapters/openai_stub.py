"""A stub of the chat-completions API on 127.0.0.1, answering as OpenAI, Ollama or vLLM do.

For the real `openai` client. It records every request (path, headers with the Authorization
value redacted, JSON body) and serves scripted replies whose shapes follow each server:

- OpenAI: `chatcmpl-…` ids, a dated model name, `system_fingerprint` "fp_…", `refusal` in the
  message, detailed usage, x-request-id and x-ratelimit headers; errors nested under "error"
  with type/param/code (rate_limit_exceeded with "try again in …", insufficient_quota).
- Ollama (/v1): `system_fingerprint` "fp_ollama", the model as requested, plain usage; errors
  nested under "error" with type "api_error" (404 for a model that was never pulled).
- vLLM: choices with `stop_reason`, `prompt_logprobs` and `kv_transfer_params` at the top;
  errors as a flat {"object": "error", "message", "type", "param", "code"} body.

`response_format` decides what the server does with a json_schema response format: "honour"
it, "ignore" it (the reply is whatever was scripted, prose included), or "reject" it with the
server's own 400. `api_key=None` is a local server that checks no key.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

__all__ = [
    "Flavour",
    "OpenAIStub",
    "RecordedRequest",
    "StubReply",
    "completion",
    "daily_limit_reply",
    "insufficient_quota_reply",
    "model_not_found_reply",
    "prose_wrapped",
    "rate_limited_reply",
    "server_error_reply",
    "slow",
    "unauthorized_reply",
]

Flavour = Literal["openai", "ollama", "vllm"]
REDACTED = "<redacted>"
OPENAI_SNAPSHOT = "gpt-4o-mini-2024-07-18"


@dataclass(frozen=True)
class StubReply:
    """One scripted HTTP reply; `body` may be a callable that builds it for the flavour."""

    status: int
    body: dict[str, Any] | str | Callable[[OpenAIStub, RecordedRequest], dict[str, Any]]
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names; Authorization replaced by REDACTED
    body: dict[str, Any]
    authorization: str  # the raw header, kept for assertions about the key

    @property
    def system_text(self) -> str:
        return "\n".join(
            m["content"] for m in self.body.get("messages", []) if m["role"] == "system"
        )

    @property
    def prompt_text(self) -> str:
        return "\n".join(m["content"] for m in self.body.get("messages", []) if m["role"] == "user")


@dataclass
class OpenAIStub:
    """Serve scripted replies on an ephemeral loopback port; use as a context manager."""

    flavour: Flavour = "openai"
    api_key: str | None = "sk-stub-0123456789abcdefXYZ"
    response_format: Literal["honour", "ignore", "reject"] = "honour"
    requests: list[RecordedRequest] = field(default_factory=list)
    responder: Callable[[RecordedRequest], StubReply] | None = None
    _replies: deque[StubReply] = field(default_factory=deque)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    def __enter__(self) -> OpenAIStub:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        """The address OPENAI_BASE_URL takes: the API root, with /v1."""
        assert self._server is not None, "start the stub first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, *replies: StubReply) -> None:
        """Queue replies, served in order; then the responder (or a 500) answers."""
        self._replies.extend(replies)

    def reply_to(self, request: RecordedRequest) -> StubReply:
        if self.api_key is not None and request.authorization != f"Bearer {self.api_key}":
            return unauthorized_reply()
        if "response_format" in request.body and self.response_format == "reject":
            return response_format_refusal()
        if self._replies:
            return self._replies.popleft()
        if self.responder is not None:
            return self.responder(request)
        return server_error_reply(500)

    def body_of(self, reply: StubReply, request: RecordedRequest) -> dict[str, Any] | str:
        return reply.body(self, request) if callable(reply.body) else reply.body


def _handler_for(stub: OpenAIStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            authorization = headers.get("authorization", "")
            if "authorization" in headers:
                headers["authorization"] = REDACTED
            request = RecordedRequest(
                "POST", self.path, headers, json.loads(raw or b"{}"), authorization
            )
            stub.requests.append(request)
            if self.path.rstrip("/") != "/v1/chat/completions":
                reply = StubReply(404, {"error": {"message": "not found", "type": "api_error"}})
            else:
                reply = stub.reply_to(request)
            if reply.delay_seconds:
                stub._stopping.wait(reply.delay_seconds)
            self._send(reply, stub.body_of(reply, request))

        def _send(self, reply: StubReply, body: dict[str, Any] | str) -> None:
            is_json = not isinstance(body, str)
            payload = (json.dumps(body) if is_json else str(body)).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json" if is_json else "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# ---------------------------------------------------------------- completions, per flavour


def completion(
    content: str | dict[str, Any] | None,
    *,
    finish_reason: str = "stop",
    prompt_tokens: int = 812,
    completion_tokens: int = 264,
    refusal: str | None = None,
) -> StubReply:
    """A 200 chat completion shaped like the stub's flavour; a dict content is sent as JSON."""
    text = json.dumps(content, indent=2) if isinstance(content, dict) else content

    def build(stub: OpenAIStub, request: RecordedRequest) -> dict[str, Any]:
        return _completion_body(
            stub.flavour, request, text, finish_reason, prompt_tokens, completion_tokens, refusal
        )

    return StubReply(200, build, headers={"x-request-id": "req_stub"})


def prose_wrapped(payload: dict[str, Any], *, fenced: bool = True) -> StubReply:
    """What a model says when the server ignored response_format: prose around (fenced) JSON."""
    inner = json.dumps(payload, indent=2)
    if fenced:
        inner = f"```json\n{inner}\n```"
    text = f"Sure! Here is my evaluation of the answer:\n\n{inner}\n\nLet me know if you need more."
    return completion(text)


def _completion_body(
    flavour: Flavour,
    request: RecordedRequest,
    text: str | None,
    finish_reason: str,
    prompt_tokens: int,
    completion_tokens: int,
    refusal: str | None,
) -> dict[str, Any]:
    model = str(request.body.get("model", ""))
    created = int(time.time())
    usage: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    message: dict[str, Any] = {"role": "assistant", "content": text}
    choice: dict[str, Any] = {"index": 0, "message": message, "finish_reason": finish_reason}
    body: dict[str, Any] = {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [choice],
        "usage": usage,
    }
    if flavour == "openai":
        body["id"] = "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT"
        body["model"] = OPENAI_SNAPSHOT if model == "gpt-4o-mini" else model
        body["system_fingerprint"] = "fp_0aa8d3e20b"
        body["service_tier"] = "default"
        message.update(refusal=refusal, annotations=[])
        choice["logprobs"] = None
        usage["prompt_tokens_details"] = {"cached_tokens": 0, "audio_tokens": 0}
        usage["completion_tokens_details"] = {"reasoning_tokens": 0, "audio_tokens": 0}
    elif flavour == "ollama":
        body["id"] = "chatcmpl-328"
        body["system_fingerprint"] = "fp_ollama"
    else:  # vllm
        body["id"] = "chatcmpl-9f0c4be4d1a24c5e8e0f7a9c3b2d1e6f"
        message.update(reasoning_content=None, tool_calls=[])
        choice.update(logprobs=None, stop_reason=None)
        usage["prompt_tokens_details"] = None
        body.update(prompt_logprobs=None, kv_transfer_params=None)
    return body


def slow(reply: StubReply, seconds: float) -> StubReply:
    """The same reply, sent only after `seconds` (longer than the client timeout in tests)."""
    return StubReply(reply.status, reply.body, reply.headers, delay_seconds=seconds)


# ---------------------------------------------------------------- errors, per flavour


def _error(
    status: int, message: str, type_: str, *, param: str | None = None, code: Any = None
) -> Callable[[OpenAIStub, RecordedRequest], dict[str, Any]]:
    def build(stub: OpenAIStub, request: RecordedRequest) -> dict[str, Any]:
        if stub.flavour == "vllm":
            return {
                "object": "error",
                "message": message,
                "type": type_,
                "param": param,
                "code": status,
            }
        if stub.flavour == "ollama":
            return {"error": {"message": message, "type": "api_error", "param": None, "code": None}}
        return {"error": {"message": message, "type": type_, "param": param, "code": code}}

    return build


def rate_limited_reply(wait: str = "7s", *, header_seconds: str | None = None) -> StubReply:
    """OpenAI's per-minute 429: the wait in the message, and in retry-after when given."""
    message = (
        "Rate limit reached for gpt-4o-mini in organization org-stub on requests per min (RPM): "
        f"Limit 3, Used 3, Requested 1. Please try again in {wait}. Visit "
        "https://platform.openai.com/account/rate-limits to learn more."
    )
    headers = {"x-ratelimit-limit-requests": "3", "x-ratelimit-remaining-requests": "0"}
    if header_seconds is not None:
        headers["retry-after"] = header_seconds
    return StubReply(429, _error(429, message, "requests", code="rate_limit_exceeded"), headers)


def daily_limit_reply() -> StubReply:
    """OpenAI's 429 on the requests-per-day limit: it lasts until the day's window moves on."""
    message = (
        "Rate limit reached for gpt-4o-mini in organization org-stub on requests per day (RPD): "
        "Limit 200, Used 200, Requested 1. Please try again in 7m12s. Visit "
        "https://platform.openai.com/account/rate-limits to learn more."
    )
    return StubReply(429, _error(429, message, "requests", code="rate_limit_exceeded"))


def insufficient_quota_reply() -> StubReply:
    message = (
        "You exceeded your current quota, please check your plan and billing details. For more "
        "information on this error, read the docs: "
        "https://platform.openai.com/docs/guides/error-codes/api-errors."
    )
    return StubReply(429, _error(429, message, "insufficient_quota", code="insufficient_quota"))


def server_error_reply(status: int = 503) -> StubReply:
    """Ollama's 503 when its queue is full; OpenAI's 500/503 otherwise."""
    if status == 503:
        message = "server busy, please try again.  maximum pending requests exceeded"
    else:
        message = "The server had an error while processing your request. Sorry about that!"
    return StubReply(status, _error(status, message, "server_error"))


def unauthorized_reply() -> StubReply:
    message = "Incorrect API key provided: sk-stub-**********XYZ. You can find your API key at https://platform.openai.com/account/api-keys."
    return StubReply(401, _error(401, message, "invalid_request_error", code="invalid_api_key"))


def model_not_found_reply(model: str = "llama3.1:8b") -> StubReply:
    """Ollama's answer for a model that was never pulled (and OpenAI's for an unknown model)."""
    message = f'model "{model}" not found, try pulling it first'
    return StubReply(404, _error(404, message, "NotFoundError", code="model_not_found"))


def response_format_refusal() -> StubReply:
    """A server that does not know json_schema: OpenAI's older models, vLLM before 0.6."""

    def build(stub: OpenAIStub, request: RecordedRequest) -> dict[str, Any]:
        if stub.flavour == "vllm":
            message = (
                "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
                "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}]"
            )
            return {
                "object": "error",
                "message": message,
                "type": "BadRequestError",
                "param": None,
                "code": 400,
            }
        message = "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model."
        return {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": "response_format",
                "code": None,
            }
        }

    return StubReply(400, build)
