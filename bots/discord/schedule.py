"""The local schedule of the Discord gateway bot: every DUE_CHECK_SECONDS it runs the core's due
jobs (core.services.schedule: reminders, …) with this process's own Discord notifier (REST,
so the jobs never touch the gateway's event loop). On AWS an EventBridge schedule runs the same
jobs instead."""

from __future__ import annotations

from core.bootstrap import Core
from core.config import Settings
from core.services.schedule import ScheduleTimer, run_due


def start_schedule(core: Core, settings: Settings) -> ScheduleTimer | None:
    """Start the timer (None when Discord cannot send here: no bot token)."""
    from bots.discord.notifier import make_notifier

    notifier = make_notifier(settings)
    if notifier is None:
        return None
    notifiers = {notifier.platform: notifier}
    timer = ScheduleTimer(
        lambda: run_due(core.deps, notifiers), every_seconds=settings.due_check_seconds
    )
    return timer.start()
