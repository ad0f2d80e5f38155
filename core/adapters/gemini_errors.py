"""Sort everything that can go wrong in one Gemini call into a fault kind with a retry policy.

Kinds, whether this call retries, and `retryable` on the LlmUnavailable raised at the end
(`retryable` answers "is offering the candidate a retry in a minute worth it?"; the attempt itself
always stays saved and retryable in the core):

    kind          cause                                      retried here         retryable
    rate_limited  429, per-minute quota                      yes, RetryInfo/backoff  yes
    daily_quota   429, a PerDay quota in QuotaFailure        no                   no (until reset)
    server        5xx ServerError, other non-4xx APIError    yes, backoff         yes
    timeout       HTTP timeout, 408                          yes, backoff         yes
    network       connection refused/reset, protocol error   yes, backoff         yes
    malformed     .parsed None, off-schema or unusable JSON  once                 yes
    truncated     finish_reason MAX_TOKENS                   once, bigger budget  yes
    blocked       promptFeedback.blockReason, SAFETY finish  no                   no (same text)
    config        401/403/404, API_KEY_INVALID               no                   no (operator fix)
    bad_request   other 4xx (INVALID_ARGUMENT, ...)          no                   no
    unexpected    any other exception (a bug, most likely)   no                   yes
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from google.genai import errors as genai_errors

from core.domain.errors import LlmUnavailable

__all__ = ["Fault", "classify_exception", "fault", "parse_duration_seconds", "scrub"]

_TIMEOUT_ERRORS: tuple[type[BaseException], ...] = (TimeoutError, httpx.TimeoutException)
# After timeouts: connection refused or reset, protocol errors.
_NETWORK_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, httpx.TransportError)
try:  # the SDK's default HTTP backend: a fork of httpx with its own exception classes
    import httpx2

    _TIMEOUT_ERRORS += (httpx2.TimeoutException,)
    _NETWORK_ERRORS += (httpx2.TransportError,)
except ImportError:  # pragma: no cover - httpx2 is optional for google-genai
    pass

_MESSAGES = {
    "rate_limited": "The AI evaluator is receiving too many requests right now.",
    "daily_quota": (
        "The AI evaluator has used up its daily request quota. Your answer is saved and can be "
        "evaluated once the quota resets (midnight Pacific time)."
    ),
    "server": "The AI evaluator is temporarily unavailable.",
    "timeout": "The AI evaluator took too long to reply.",
    "network": "The AI evaluator could not be reached.",
    "malformed": "The AI evaluator returned an unreadable result.",
    "truncated": "The AI evaluator's reply was cut off before it was complete.",
    "blocked": (
        "The AI evaluator's safety filter declined to process this answer, so it was not scored. "
        "Please rephrase it or skip the question."
    ),
    "config": (
        "The AI evaluator is not configured correctly (API key or model name). "
        "Your answer is saved; please tell the administrator."
    ),
    "bad_request": (
        "The AI evaluator rejected the request. Your answer is saved; please tell the administrator."
    ),
}
_RETRY_LATER = " Your answer is saved — please try again in a minute."
_NOT_WORTH_RETRYING_SOON = {"daily_quota", "blocked", "config", "bad_request"}
_API_KEY_PATTERN = re.compile(r"AIza[0-9A-Za-z_\-]{20,}")


@dataclass(frozen=True, slots=True)
class Fault:
    """One failed try: what kind it was, and what Google told us about when to try again."""

    kind: str
    detail: str  # for logs only: status and a scrubbed, shortened API message
    retry_after_seconds: float | None = None  # from a RetryInfo detail

    @property
    def retryable(self) -> bool:
        return self.kind not in _NOT_WORTH_RETRYING_SOON

    def to_error(self) -> LlmUnavailable:
        """The user-facing error: a fixed sentence per kind, never the API's own text."""
        message = _MESSAGES.get(self.kind, _MESSAGES["server"])
        if self.retryable:
            message += _RETRY_LATER
        return LlmUnavailable(message, kind=self.kind, retryable=self.retryable)


def fault(kind: str, detail: str = "") -> Fault:
    return Fault(kind=kind, detail=detail or kind)


def classify_exception(exc: BaseException) -> Fault | None:
    """The fault an exception from generate_content stands for; None for programming errors."""
    if isinstance(exc, genai_errors.APIError):
        return _classify_api_error(exc)
    if isinstance(exc, _TIMEOUT_ERRORS):
        return fault("timeout", type(exc).__name__)
    if isinstance(exc, _NETWORK_ERRORS):
        return fault("network", type(exc).__name__)
    if isinstance(exc, genai_errors.UnknownApiResponseError):
        return fault("malformed", "response body was not JSON")
    return None


def _classify_api_error(exc: genai_errors.APIError) -> Fault:
    code = int(exc.code or 0)
    detail = f"{code} {exc.status}: {scrub(exc.message)}"
    if code == 429:
        return _classify_quota_error(_error_details(exc), detail)
    if code == 408:
        return fault("timeout", detail)
    if code in (401, 403, 404) or _has_error_reason(exc, "API_KEY_INVALID"):
        return fault("config", detail)
    if 400 <= code < 500:
        return fault("bad_request", detail)
    return fault("server", detail)  # 5xx, and anything else unexpected is treated as transient


def _classify_quota_error(details: list[dict[str, Any]], detail: str) -> Fault:
    """Per-day quota exhaustion lasts hours: no retry. Per-minute limits clear quickly."""
    for item in details:
        if item.get("@type", "").endswith("google.rpc.QuotaFailure"):
            for violation in item.get("violations") or []:
                names = f"{violation.get('quotaId', '')} {violation.get('quotaMetric', '')}"
                if re.search(r"per_?day", names, re.IGNORECASE):
                    return fault("daily_quota", detail)
    delay = None
    for item in details:
        if item.get("@type", "").endswith("google.rpc.RetryInfo"):
            delay = parse_duration_seconds(item.get("retryDelay"))
    return Fault("rate_limited", detail, retry_after_seconds=delay)


def _error_details(exc: genai_errors.APIError) -> list[dict[str, Any]]:
    """The google.rpc detail messages of an error body ({"error": {"details": [...]}})."""
    body = exc.details if isinstance(exc.details, dict) else {}
    error = body.get("error", body)
    details = error.get("details") if isinstance(error, dict) else None
    return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []


def _has_error_reason(exc: genai_errors.APIError, reason: str) -> bool:
    return any(d.get("reason") == reason for d in _error_details(exc))


def parse_duration_seconds(value: object) -> float | None:
    """Parse a protobuf Duration in JSON form ("7s", "20.04466179s"); None when absent or odd."""
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)s\s*", value)
    return float(match.group(1)) if match else None


def scrub(text: object, limit: int = 200) -> str:
    """Shorten an API message for a log line and blank anything shaped like a Google API key."""
    return _API_KEY_PATTERN.sub("[key]", str(text or ""))[:limit]
