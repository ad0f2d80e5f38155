"""SnapStart hooks of the Slack function (core/snapstart.py explains the why).

Before the snapshot: build the Bolt handler (the 3-second ack path then needs nothing at
restore) with a core provider whose cores this module can find again, and import what the
listeners and the lazy listeners' core will need; nothing connects. After a restore: every core that provider built,
and the OAuth stores' engine (multi-workspace installs), get fresh connections.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any

from core import snapstart

if TYPE_CHECKING:
    from core.bootstrap import Core

ENTRY = "bots.slack.aws_lambda"


class TrackedCores:
    """A CoreProvider (bots.slack.runtime) that remembers the core it handed out."""

    def __init__(self, provider: Any) -> None:
        self._provider = provider
        self._lock = threading.Lock()
        self.built: list[Core] = []

    def __call__(self) -> Core:
        core = self._provider()
        if not self.built:
            with self._lock:
                if not self.built:
                    self.built.append(core)
        return core


_cores: TrackedCores | None = None


def register() -> bool:
    """Hook this surface into SnapStart (called once by bots.slack.aws_lambda at import)."""
    return snapstart.register(before_snapshot=warm, after_restore=refresh)


def warm() -> None:
    """Build the handler the first event would build, and import the lazy path's modules."""
    global _cores
    from bots.slack.listeners import FLOWS
    from bots.slack.runtime import lazy_core
    from core.config import load_settings

    entry = sys.modules[ENTRY]
    settings = load_settings()
    if entry._handler is None:
        _cores = TrackedCores(lazy_core(settings))
        entry._handler = entry.build_handler(settings, core_provider=_cores)
    # boto3: the lazy self-invocations; FLOWS: what the listeners import when they run.
    snapstart.warm_core_imports(settings, extra=("boto3", *FLOWS))


def refresh() -> None:
    """Fresh connections for what was built before the snapshot."""
    for core in _cores.built if _cores is not None else []:
        snapstart.refresh_core(core)
    handler = sys.modules[ENTRY]._handler
    store = None if handler is None else handler.app.installation_store
    engine = getattr(store, "engine", None)  # SQLAlchemyInstallationStore (OAuth installs)
    if engine is not None:
        snapstart.dispose_engine(engine)
