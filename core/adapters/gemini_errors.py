"""Sort what can go wrong in one Gemini call into the shared fault kinds (core.adapters.llm_faults).

Gemini's own signals: a 429 carries google.rpc details, where a QuotaFailure on a PerDay quota
means the daily quota is gone (no retry until midnight Pacific time) and a RetryInfo says how
long to wait on a per-minute limit; 401/403/404 or the API_KEY_INVALID reason are configuration
faults; timeouts and transport errors come from the HTTP library, not as APIError.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from google.genai import errors as genai_errors

from core.adapters.llm_faults import Fault, fault, scrub

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

DAILY_RESET = " (midnight Pacific time)"


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
                    return Fault("daily_quota", detail, resets=DAILY_RESET)
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
