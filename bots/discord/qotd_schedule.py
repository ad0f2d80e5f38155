"""The local schedule of `interviewbot discord`: every minute, what is due (questions of the
day, reveals, weekly leaderboards) — the same run_due AWS runs from EventBridge. Each job claims
its occurrences in the database, so this timer and any other runner never send anything twice.
(Issue 12 adds bots/discord/schedule.py for reminders: the two are to be unified.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.services.schedule import ScheduleTimer, run_due

if TYPE_CHECKING:
    from core.bootstrap import Core

EVERY_SECONDS = 60.0


def start_schedule(core: Core, *, every_seconds: float = EVERY_SECONDS) -> ScheduleTimer:
    """Start the timer (a daemon thread); stop it when the process shuts down."""
    return ScheduleTimer(
        lambda: run_due(core.deps, core.notifiers), every_seconds=every_seconds
    ).start()
