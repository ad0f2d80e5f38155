"""The clock-driven runner: every job runs, a failing one does not stop the others, the timer
repeats until stopped."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime

import pytest

from core.domain.notices import Notice
from core.services import schedule
from core.services.deps import Deps
from tests.fakes import make_deps


def test_every_job_runs_and_a_failing_one_is_contained(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def good(deps: Deps, notifiers: Mapping[str, object], now: datetime) -> Mapping[str, int]:
        seen.append(f"good at {now:%H:%M}")
        return {"sent": len(notifiers)}

    def broken(deps: Deps, notifiers: Mapping[str, object], now: datetime) -> Mapping[str, int]:
        raise RuntimeError("platform down")

    monkeypatch.setattr(schedule, "JOBS", {"broken": broken, "good": good})
    deps = make_deps()
    results = schedule.run_due(deps, {"slack": object()})  # type: ignore[dict-item]
    assert results == {"broken": {"failed": 1}, "good": {"sent": 1}}
    assert seen == [f"good at {deps.clock.now():%H:%M}"]


def test_the_timer_repeats_until_stopped() -> None:
    runs = threading.Semaphore(0)
    timer = schedule.ScheduleTimer(runs.release, every_seconds=0.01).start()
    assert all(runs.acquire(timeout=5) for _ in range(3))
    timer.stop()
    assert not timer._thread.is_alive()


def test_a_notice_goes_to_a_person_or_a_channel() -> None:
    assert Notice(platform="slack", tenant="T1", user="U1").user == "U1"
    with pytest.raises(ValueError):
        Notice(platform="slack", tenant="T1")
    with pytest.raises(ValueError):
        Notice(platform="slack", tenant="T1", user="U1", channel="C1")
