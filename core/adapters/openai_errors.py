"""Sort what can go wrong in one chat-completions call into the shared fault kinds (llm_faults).

The same table for OpenAI, Ollama, vLLM and other OpenAI-compatible servers:

- 429 on a per-day limit ("requests per day (RPD)", "tokens per day (TPD)") or an account
  without credit (`insufficient_quota`) is daily_quota: no retry. Any other 429 is rate_limited,
  with the wait the server asks for (retry-after-ms, retry-after, or "try again in 1m20s").
- 5xx and 409 are server faults; 408 and the client's own timeout are timeouts; a refused or
  dropped connection is a network fault.
- 401/403/404 are configuration: key, permission or a model the server does not have (Ollama
  answers 404 for a model that was never pulled).
- A 400 naming a content filter (Azure OpenAI's `content_filter`) is blocked; other 4xx are
  bad requests. A 400 about `response_format` never gets here: the caller drops the schema.
- A reply cut at the budget (finish_reason "length") is truncated; one stopped by a content
  filter, or a refusal, is blocked. See openai_call for the replies themselves.
"""

from __future__ import annotations

import re
from typing import Any

import openai

from core.adapters.llm_faults import Fault, fault, scrub

__all__ = ["classify_exception", "error_field", "parse_wait_seconds", "rejects_parameter"]

_PER_DAY = re.compile(r"per[ _-]?day|\b(?:RPD|TPD)\b|daily", re.I)
_NO_CREDIT = frozenset({"insufficient_quota", "billing_hard_limit_reached"})
_CONTENT_FILTER = frozenset({"content_filter", "content_policy_violation"})
NO_CREDIT_RESET = " or the provider account has credit again"


def classify_exception(exc: BaseException) -> Fault | None:
    """The fault an exception from chat.completions.create stands for; None for bugs."""
    # APITimeoutError is an APIConnectionError: the order matters.
    if isinstance(exc, openai.APITimeoutError):
        return fault("timeout", "client timeout")
    if isinstance(exc, openai.APIConnectionError):
        return fault("network", type(exc.__cause__ or exc).__name__)
    if isinstance(exc, openai.APIResponseValidationError):
        return fault("malformed", "response body was not a chat completion")
    if isinstance(exc, openai.APIStatusError):
        return _classify_status(exc)
    return None


def _classify_status(exc: openai.APIStatusError) -> Fault:
    status = exc.status_code
    message = error_field(exc, "message") or exc.message
    code = error_field(exc, "code")
    detail = f"{status} {code or exc.type or ''}: {scrub(message)}"
    if status == 429:
        if code in _NO_CREDIT or error_field(exc, "type") in _NO_CREDIT:
            return Fault("daily_quota", detail, resets=NO_CREDIT_RESET)
        if _PER_DAY.search(message):
            return fault("daily_quota", detail)
        return Fault("rate_limited", detail, retry_after_seconds=_server_wait(exc, message))
    if status == 408:
        return fault("timeout", detail)
    if status in (401, 403, 404):
        return fault("config", detail)
    if code in _CONTENT_FILTER or "content management policy" in message.lower():
        return fault("blocked", detail)
    if 400 <= status < 500 and status != 409:
        return fault("bad_request", detail)
    return fault("server", detail)


def error_field(exc: openai.APIStatusError, name: str) -> str:
    """A field of the error body as text: OpenAI nests it under "error", vLLM does not."""
    body: Any = exc.body
    if isinstance(body, dict):
        value = body.get(name)
        if value is None and isinstance(body.get("error"), dict):
            value = body["error"].get(name)
        return "" if value is None else str(value)
    return str(body or "") if name == "message" else ""


def rejects_parameter(exc: BaseException, parameter: str) -> bool:
    """Whether a 400/422 refuses `parameter` itself (unknown, unsupported, wrong type)."""
    if not isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError):
        return False
    if error_field(exc, "param") == parameter:
        return True
    message = error_field(exc, "message") or exc.message
    return parameter in message


def _server_wait(exc: openai.APIStatusError, message: str) -> float | None:
    """Seconds the server asked us to wait: headers first, then the wording of the message."""
    headers = exc.response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                continue  # an HTTP date: rare for these APIs; fall back to the message
    match = re.search(r"try again in ((?:\d+(?:\.\d+)?(?:ms|h|m|s))+)", message)
    return parse_wait_seconds(match.group(1)) if match else None


def parse_wait_seconds(text: str) -> float | None:
    """ "20s", "1m30.5s", "120ms", "1h2m" as seconds; None when it is none of these."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        return None
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(number) * scale[unit] for number, unit in parts)
