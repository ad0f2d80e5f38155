"""What the listeners share: the settings, and the core, built on first use.

The core (database engine, Redis client, evaluator) is only needed by lazy listeners, so on
Lambda the ack path never builds it: `lazy_core` defers `build_core` to the first call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.config import Settings

if TYPE_CHECKING:  # core.bootstrap imports SQLAlchemy: keep it off the ack path
    from core.bootstrap import Core
    from core.services.deps import Deps

CoreProvider = Callable[[], "Core"]


def lazy_core(settings: Settings) -> CoreProvider:
    """A provider that wires the core once per process, on first use, thread-safely."""
    built: list[Core] = []
    lock = threading.Lock()

    def provide() -> Core:
        if not built:
            with lock:
                if not built:
                    from core.bootstrap import build_core

                    built.append(build_core(settings))
        return built[0]

    return provide


@dataclass(frozen=True)
class SlackRuntime:
    core_provider: CoreProvider
    settings: Settings

    @property
    def deps(self) -> Deps:
        return self.core_provider().deps

    @property
    def web_base_url(self) -> str:
        return self.settings.web_base_url
