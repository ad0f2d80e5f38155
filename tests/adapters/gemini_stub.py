"""A stub of the Gemini API (generativelanguage v1beta) on 127.0.0.1 for the real google-genai SDK.

It records every request (path, headers with the API key value redacted, JSON body) and answers
with scripted replies shaped like Google's: generateContent bodies with candidates, finishReason,
usageMetadata and modelVersion, and google.rpc error bodies (QuotaFailure, RetryInfo, ErrorInfo).
A request carrying the wrong key gets the 400 API_KEY_INVALID body the real API sends.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "GeminiStub",
    "RecordedRequest",
    "StubReply",
    "bad_api_key_reply",
    "blocked_prompt_reply",
    "daily_quota_reply",
    "invalid_argument_reply",
    "json_reply",
    "malformed_reply",
    "model_not_found_reply",
    "permission_denied_reply",
    "rate_limited_reply",
    "safety_finish_reply",
    "server_error_reply",
    "slow",
    "truncated_reply",
]

MODEL_VERSION = "gemini-2.5-flash"
REDACTED = "<redacted>"


@dataclass(frozen=True)
class StubReply:
    """One scripted HTTP reply: a status, a JSON body (or raw text) and an optional delay."""

    status: int
    body: dict[str, Any] | str
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names; the x-goog-api-key value is replaced by REDACTED
    body: dict[str, Any]
    api_key_valid: bool

    @property
    def prompt_text(self) -> str:
        """All user-content text of a generateContent request, joined."""
        parts = [p.get("text", "") for c in self.body.get("contents", []) for p in c["parts"]]
        return "\n".join(parts)

    @property
    def system_text(self) -> str:
        instruction = self.body.get("systemInstruction") or {}
        return "\n".join(p.get("text", "") for p in instruction.get("parts", []))

    @property
    def generation_config(self) -> dict[str, Any]:
        config: dict[str, Any] = self.body.get("generationConfig", {})
        return config


@dataclass
class GeminiStub:
    """Serve scripted replies on an ephemeral loopback port; use as a context manager."""

    api_key: str = "stub-api-key"
    requests: list[RecordedRequest] = field(default_factory=list)
    _replies: deque[StubReply] = field(default_factory=deque)
    # Answers a request when nothing is scripted: a "model" that reads the prompt.
    responder: Callable[[RecordedRequest], StubReply] | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    def __enter__(self) -> GeminiStub:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def _serve(self) -> None:
        assert self._server is not None
        self._server.serve_forever(poll_interval=0.02)  # shutdown() waits up to one interval

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()  # wakes handlers sleeping on a slow reply
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the stub first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def script(self, *replies: StubReply) -> None:
        """Queue replies, served in order; when none is left the responder (or a 500) answers."""
        self._replies.extend(replies)

    def next_reply(self, request: RecordedRequest) -> StubReply:
        if self._replies:
            return self._replies.popleft()
        if self.responder is not None:
            return self.responder(request)
        return StubReply(500, _error_body(500, "INTERNAL", "gemini stub: no reply scripted"))

    def wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)


def _handler_for(stub: GeminiStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            supplied_key = self.headers.get("x-goog-api-key")
            headers = {k.lower(): v for k, v in self.headers.items()}
            if "x-goog-api-key" in headers:
                headers["x-goog-api-key"] = REDACTED
            request = RecordedRequest(
                method="POST",
                path=self.path,
                headers=headers,
                body=json.loads(raw or b"{}"),
                api_key_valid=supplied_key == stub.api_key,
            )
            stub.requests.append(request)
            reply = stub.next_reply(request) if request.api_key_valid else bad_api_key_reply()
            if reply.delay_seconds:
                stub.wait(reply.delay_seconds)
            self._send(reply)

        def _send(self, reply: StubReply) -> None:
            is_json = not isinstance(reply.body, str)
            payload = (json.dumps(reply.body) if is_json else str(reply.body)).encode()
            content_type = "application/json; charset=UTF-8" if is_json else "text/html"
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test): nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler


# ---------------------------------------------------------------- successful replies


def _usage(prompt_tokens: int, output_tokens: int, thoughts_tokens: int) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": output_tokens,
        "totalTokenCount": prompt_tokens + output_tokens + thoughts_tokens,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
    }
    if thoughts_tokens:
        usage["thoughtsTokenCount"] = thoughts_tokens
    return usage


def _generate_body(
    text: str | None,
    *,
    finish_reason: str,
    prompt_tokens: int,
    output_tokens: int,
    thoughts_tokens: int = 0,
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"finishReason": finish_reason, "index": 0}
    if text is not None:
        candidate["content"] = {"parts": [{"text": text}], "role": "model"}
    return {
        "candidates": [candidate],
        "usageMetadata": _usage(prompt_tokens, output_tokens, thoughts_tokens),
        "modelVersion": MODEL_VERSION,
        "responseId": "stub-" + format(abs(hash(text)) % 10**12, "x"),
    }


def json_reply(
    payload: dict[str, Any],
    *,
    prompt_tokens: int = 812,
    output_tokens: int = 264,
    thoughts_tokens: int = 0,
) -> StubReply:
    """A normal structured-output reply: the JSON text in candidates[0].content.parts[0]."""
    body = _generate_body(
        json.dumps(payload, indent=2),
        finish_reason="STOP",
        prompt_tokens=prompt_tokens,
        output_tokens=output_tokens,
        thoughts_tokens=thoughts_tokens,
    )
    return StubReply(200, body)


def truncated_reply(payload: dict[str, Any], *, keep_chars: int = 120) -> StubReply:
    """The output budget ran out mid-JSON (thinking tokens count against it on 2.5 models)."""
    text = json.dumps(payload, indent=2)[:keep_chars]
    body = _generate_body(
        text, finish_reason="MAX_TOKENS", prompt_tokens=812, output_tokens=40, thoughts_tokens=984
    )
    return StubReply(200, body)


def malformed_reply(
    text: str = 'Here is my evaluation:\n{"score": 7, "feedback": "Good',
) -> StubReply:
    """finishReason STOP but text that is not the requested JSON."""
    return StubReply(
        200, _generate_body(text, finish_reason="STOP", prompt_tokens=812, output_tokens=18)
    )


_SAFETY_RATINGS = [
    {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True},
]


def safety_finish_reply() -> StubReply:
    """The candidate was stopped by the safety filter: no content, finishReason SAFETY."""
    body = _generate_body(None, finish_reason="SAFETY", prompt_tokens=812, output_tokens=0)
    body["candidates"][0]["safetyRatings"] = _SAFETY_RATINGS
    return StubReply(200, body)


def blocked_prompt_reply(reason: str = "PROHIBITED_CONTENT") -> StubReply:
    """The prompt itself was blocked: no candidates, promptFeedback.blockReason."""
    body = {
        "promptFeedback": {"blockReason": reason},
        "usageMetadata": {"promptTokenCount": 812, "totalTokenCount": 812},
        "modelVersion": MODEL_VERSION,
        "responseId": "stub-blocked",
    }
    return StubReply(200, body)


def slow(reply: StubReply, seconds: float) -> StubReply:
    """The same reply, sent only after `seconds` (longer than the client timeout in tests)."""
    return StubReply(reply.status, reply.body, delay_seconds=seconds)


# ---------------------------------------------------------------- error replies (google.rpc.Status)


def _error_body(
    code: int, status: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    return {"error": error}


_QUOTA_HELP = {
    "@type": "type.googleapis.com/google.rpc.Help",
    "links": [
        {
            "description": "Learn more about Gemini API quotas",
            "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
        }
    ],
}


def _quota_violation(quota_id: str, limit: str) -> dict[str, Any]:
    return {
        "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
        "quotaId": quota_id,
        "quotaDimensions": {"location": "global", "model": MODEL_VERSION},
        "quotaValue": limit,
    }


def rate_limited_reply(retry_delay: str | None = "7s") -> StubReply:
    """429 for the per-minute request quota, with RetryInfo when retry_delay is given."""
    violation = _quota_violation("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "10")
    details = [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [violation]},
        _QUOTA_HELP,
    ]
    if retry_delay is not None:
        details.append(
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}
        )
    message = (
        "You exceeded your current quota, please check your plan and billing details. "
        "For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."
    )
    return StubReply(429, _error_body(429, "RESOURCE_EXHAUSTED", message, details))


def daily_quota_reply() -> StubReply:
    """429 for the per-day request quota: it does not clear until the quota resets."""
    violation = _quota_violation("GenerateRequestsPerDayPerProjectPerModel-FreeTier", "250")
    details = [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [violation]},
        _QUOTA_HELP,
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "43s"},
    ]
    message = (
        "You exceeded your current quota, please check your plan and billing details. "
        "* Quota exceeded for metric: generativelanguage.googleapis.com/"
        "generate_content_free_tier_requests, limit: 250, model: gemini-2.5-flash"
    )
    return StubReply(429, _error_body(429, "RESOURCE_EXHAUSTED", message, details))


def server_error_reply(code: int = 503) -> StubReply:
    """500 INTERNAL or 503 UNAVAILABLE (model overloaded), as the API words them."""
    if code == 503:
        message = "The model is overloaded. Please try again later."
        return StubReply(503, _error_body(503, "UNAVAILABLE", message))
    message = (
        "An internal error has occurred. Please retry or report in "
        "https://developers.generativeai.google/guide/troubleshooting"
    )
    return StubReply(code, _error_body(code, "INTERNAL", message))


def invalid_argument_reply() -> StubReply:
    message = (
        "Invalid JSON payload received. Unknown name \"responseSchema\" at 'generation_config': "
        "Cannot find field."
    )
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [
                {"field": "generation_config", "description": message},
            ],
        }
    ]
    return StubReply(400, _error_body(400, "INVALID_ARGUMENT", message, details))


def bad_api_key_reply() -> StubReply:
    message = "API key not valid. Please pass a valid API key."
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "API_KEY_INVALID",
            "domain": "googleapis.com",
            "metadata": {"service": "generativelanguage.googleapis.com"},
        },
        {
            "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
            "locale": "en-US",
            "message": message,
        },
    ]
    return StubReply(400, _error_body(400, "INVALID_ARGUMENT", message, details))


def permission_denied_reply() -> StubReply:
    message = "Your API key was reported as leaked. Please use another API key."
    return StubReply(403, _error_body(403, "PERMISSION_DENIED", message))


def model_not_found_reply(model: str = "gemini-9-ultra") -> StubReply:
    message = (
        f"models/{model} is not found for API version v1beta, or is not supported for "
        "generateContent. Call ListModels to see the list of available models and their "
        "supported methods."
    )
    return StubReply(404, _error_body(404, "NOT_FOUND", message))
