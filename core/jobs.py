"""Scheduled maintenance (an EventBridge-scheduled Lambda, or `interviewbot maintenance`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from core import services
from core.bootstrap import Core, build_core

log = logging.getLogger(__name__)
_core: Core | None = None


def run_maintenance(
    core: Core, *, seconds_left: Callable[[], float] | None = None
) -> dict[str, Any]:
    """Close abandoned sessions and evaluate answers whose evaluation failed or stalled."""
    expired = services.expire_idle_sessions(core.deps)
    retried = services.retry_failed_evaluations(core.deps, seconds_left=seconds_left)
    return {"expired_sessions": expired, "retried_evaluations": retried}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point; the core is built on the first invocation and reused while warm."""
    global _core
    if _core is None:
        _core = build_core()
    result = run_maintenance(
        _core, seconds_left=lambda: context.get_remaining_time_in_millis() / 1000
    )
    log.info("maintenance: %s", result)
    return result
