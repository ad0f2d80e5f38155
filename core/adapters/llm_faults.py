"""The fault table every LLM provider shares: what went wrong in one call, and what people see.

Each provider's own module (gemini_errors, openai_errors) sorts its SDK's exceptions and replies
into these kinds; the retry loop (llm_retry) and the candidate's message are the same for all:

    kind          cause                                        retried here           retryable
    rate_limited  429, per-minute limit                        yes, server delay/backoff  yes
    daily_quota   429 on a per-day quota, or no credit left    no                     no (until reset)
    server        5xx, 409                                     yes, backoff           yes
    timeout       HTTP timeout, 408                            yes, backoff           yes
    network       connection refused/reset, protocol error     yes, backoff           yes
    malformed     no JSON, off-schema or unusable JSON         once                   yes
    truncated     cut at the output budget                     once, bigger budget    yes
    blocked       safety filter, refusal, content filter       no                     no (same text)
    config        401/403/404: key, permission or model name   no                     no (operator fix)
    bad_request   other 4xx                                    no                     no
    unexpected    any other exception (a bug, most likely)     no                     yes

`retryable` on the LlmUnavailable raised at the end answers "is offering the candidate a retry in
a minute worth it?"; the attempt itself always stays saved and retryable in the core.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.domain.errors import LlmUnavailable

__all__ = ["Failed", "Fault", "fault", "scrub"]

_MESSAGES = {
    "rate_limited": "The AI evaluator is receiving too many requests right now.",
    "daily_quota": (
        "The AI evaluator has used up its daily request quota. Your answer is saved and can be "
        "evaluated once the quota resets{resets}."
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
# Shapes of secrets that may appear in an API's error text: Google API keys, OpenAI-style keys,
# bearer tokens. Blanked before anything reaches a log line.
_SECRET_PATTERNS = (
    re.compile(r"AIza[0-9A-Za-z_\-]{20,}"),
    re.compile(r"\bsk-[0-9A-Za-z_\-]{16,}"),
    re.compile(r"(?i)\bbearer\s+[0-9A-Za-z._\-]{8,}"),
)


@dataclass(frozen=True, slots=True)
class Fault:
    """One failed try: its kind, a log-only detail, and when the server said to try again."""

    kind: str
    detail: str  # for logs only: status and a scrubbed, shortened API message
    retry_after_seconds: float | None = None
    resets: str = ""  # daily_quota only: when it resets, as a phrase (" (midnight Pacific time)")

    @property
    def retryable(self) -> bool:
        return self.kind not in _NOT_WORTH_RETRYING_SOON

    def to_error(self) -> LlmUnavailable:
        """The user-facing error: a fixed sentence per kind, never the API's own text."""
        message = _MESSAGES.get(self.kind, _MESSAGES["server"]).format(resets=self.resets)
        if self.retryable:
            message += _RETRY_LATER
        return LlmUnavailable(message, kind=self.kind, retryable=self.retryable)


class Failed(Exception):
    """Raised by one try of a call: the fault that ended it (the retry loop decides what next)."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.kind)
        self.fault = fault


def fault(kind: str, detail: str = "") -> Fault:
    return Fault(kind=kind, detail=detail or kind)


def scrub(text: object, limit: int = 200) -> str:
    """Shorten an API message for a log line and blank anything shaped like a key or token."""
    cleaned = str(text or "")
    for pattern in _SECRET_PATTERNS:
        cleaned = pattern.sub("[key]", cleaned)
    return cleaned[:limit]
