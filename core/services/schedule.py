"""Work the core does on a clock: reminders, questions of the day, reveals.

The same `run_due` runs from an EventBridge schedule on AWS (core.jobs.due_handler) and from a
timer in the long-running bots locally (`ScheduleTimer`). A job is idempotent by itself — it
claims each occurrence with a unique key in the database before sending — so a schedule that
fires twice, or two runners at once, still deliver each message once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime

from core.ports import Notifier
from core.services.deps import Deps
from core.services.qotd_leaderboard import post_weekly_leaderboards
from core.services.qotd_posting import post_due_questions
from core.services.qotd_reveal import reveal_closed_questions
from core.services.reminders import send_review_reminders

log = logging.getLogger(__name__)

# A job sends what is due at `now` through the notifiers it finds for each platform, and
# returns counts for the log ("sent": 3, "skipped": 1, ...).
ScheduledJob = Callable[[Deps, Mapping[str, Notifier], datetime], Mapping[str, int]]

# Every scheduled job, in the order they run. A feature adds its job here.
JOBS: dict[str, ScheduledJob] = {
    "review_reminders": send_review_reminders,  # opt-in daily DMs when reviews are due
    # Question of the day (each claims its occurrence in the database before it sends).
    "qotd_post": post_due_questions,
    "qotd_reveal": reveal_closed_questions,
    "qotd_weekly_leaderboard": post_weekly_leaderboards,
}


def run_due(
    deps: Deps, notifiers: Mapping[str, Notifier], *, now: datetime | None = None
) -> dict[str, Mapping[str, int]]:
    """Run every job once for `now`; one failing job is logged and does not stop the others."""
    moment = now or deps.clock.now()
    results: dict[str, Mapping[str, int]] = {}
    for name, job in JOBS.items():
        try:
            results[name] = job(deps, notifiers, moment)
        except Exception:
            log.exception("scheduled job %s failed; the next run tries again", name)
            results[name] = {"failed": 1}
    return results


class ScheduleTimer:
    """Calls `run` every `every_seconds` on a daemon thread until stopped (the local schedule)."""

    def __init__(self, run: Callable[[], object], *, every_seconds: float = 60.0) -> None:
        self._run, self._every = run, every_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="interviewbot-schedule", daemon=True
        )

    def start(self) -> ScheduleTimer:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopped.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopped.is_set():
            try:
                self._run()
            except Exception:  # the timer outlives any one failed run
                log.exception("scheduled run failed")
            self._stopped.wait(self._every)
