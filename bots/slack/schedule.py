"""The local schedule of the long-running Slack app (Socket Mode or HTTP server): every
DUE_CHECK_SECONDS it runs the core's due jobs (core.services.schedule: reminders, …) with this
process's own Slack notifier. On AWS an EventBridge schedule runs the same jobs instead."""

from __future__ import annotations

from core.bootstrap import Core
from core.config import Settings
from core.services.schedule import ScheduleTimer, run_due


def start_schedule(core: Core, settings: Settings) -> ScheduleTimer | None:
    """Start the timer (None when Slack cannot send here: no bot token or installations)."""
    from bots.slack.notifier import make_notifier

    notifier = make_notifier(settings)
    if notifier is None:
        return None
    notifiers = {notifier.platform: notifier}
    timer = ScheduleTimer(
        lambda: run_due(core.deps, notifiers), every_seconds=settings.due_check_seconds
    )
    return timer.start()
