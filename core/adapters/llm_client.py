"""A provider's SDK client built on first use, so that building the core imports no LLM SDK.

google-genai and openai each take about half a second to import. A web page, a health check or
a Slack ack builds the core without ever calling a model, so the Gemini and OpenAI ports hold
an `OnDemand` client and import their SDK (and build the client) the first time they send a
request. SnapStart's warm-up imports the SDKs before the snapshot (core.snapstart).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

C = TypeVar("C")


class OnDemand(Generic[C]):
    """The client `build` returns, built once, by whichever caller needs it first."""

    def __init__(self, build: Callable[[], C]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._client: C | None = None

    @property
    def built(self) -> bool:
        return self._client is not None

    def get(self) -> C:
        if self._client is None:
            with self._lock:  # one client for the evaluator and the writer that share it
                if self._client is None:
                    self._client = self._build()
        return self._client


def resolve(client: C | OnDemand[C]) -> C:
    """The client itself, whether it was handed over built or on demand."""
    return client.get() if isinstance(client, OnDemand) else client
