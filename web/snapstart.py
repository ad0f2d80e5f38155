"""SnapStart hooks of the web function (core/snapstart.py explains the why).

Before the snapshot: create the app (routes, templates, fastapi-users) and import what the
core will need, so a restored instance serves its first request without importing anything.
Nothing connects yet: the core and the async engine are built on first use. After a restore:
whatever was built before the snapshot gets fresh connections and randomness.
"""

from __future__ import annotations

import sys
from typing import Any

from core import snapstart

ENTRY = "web.aws_lambda"


def register() -> bool:
    """Hook this surface into SnapStart (called once by web.aws_lambda at import)."""
    return snapstart.register(before_snapshot=warm, after_restore=refresh)


def warm() -> None:
    """Build the handler the first request would build, and import the core's modules."""
    entry = sys.modules[ENTRY]
    if entry._handler is None:
        from web.app import create_app

        entry._handler = entry.build_handler(create_app())
    snapstart.warm_core_imports(_resources(entry).settings, extra=("aiomysql",))


def refresh() -> None:
    """Fresh pools for the core and the async engine, if either was built before the snapshot."""
    resources = _resources(sys.modules[ENTRY])
    if resources is None:
        return
    if resources.core_ready:
        snapstart.refresh_core(resources.core)
    engine = getattr(resources, "_engine", None)  # built on first use: None means nothing to do
    if engine is not None:
        snapstart.dispose_engine(engine)


def _resources(entry: Any) -> Any:
    handler = entry._handler
    return None if handler is None else handler.app.state.resources
