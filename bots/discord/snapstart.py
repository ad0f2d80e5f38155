"""SnapStart hooks of the Discord interactions function (core/snapstart.py explains the why).

Before the snapshot: wire the endpoint (signature verifier, REST client, handler) and import
what the core will need; nothing connects. After a restore: a core built before the snapshot
gets fresh database and Redis connections and its own random sequence.
"""

from __future__ import annotations

import sys

from core import snapstart

ENTRY = "bots.discord.aws_lambda"


def register() -> bool:
    """Hook this surface into SnapStart (called once by bots.discord.aws_lambda at import)."""
    return snapstart.register(before_snapshot=warm, after_restore=refresh)


def warm() -> None:
    """Build the app the first interaction would build, and import the core's modules."""
    entry = sys.modules[ENTRY]
    if entry._app is None:
        entry._app = entry.build_app()
    snapstart.warm_core_imports(entry._app.endpoint.handler.settings)


def refresh() -> None:
    """Fresh connections for the core, if one was built before the snapshot."""
    app = sys.modules[ENTRY]._app
    core = None if app is None else getattr(app.endpoint.handler, "_core", None)
    if core is not None:
        snapstart.refresh_core(core)
