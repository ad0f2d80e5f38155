"""The question of the day's rules on plain values: what admins type, when a question is due
and open, and the Slack command words (pure, so the ack can refuse mistakes at once)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bots.slack.command_text import Kind, parse_command
from core.bootstrap import evaluation_queue
from core.domain.qotd import ChannelRef, QotdSchedule, QotdSettings
from core.domain.qotd_errors import InvalidQotdSetting
from core.domain.qotd_parsing import change_from, options_from_words, parse_clock, parse_weekdays
from core.domain.roles import Difficulty, Role
from core.services.qotd_queue import InlineEvaluations


def test_what_admins_type() -> None:
    assert parse_clock("9:30") == time(9, 30) and parse_clock("17h") == time(17, 0)
    assert parse_clock("5pm") == time(17, 0) and parse_clock("12am") == time(0, 0)
    assert parse_weekdays("mon-fri") == frozenset(range(5))
    assert parse_weekdays("fri-mon") == {4, 5, 6, 0}
    assert parse_weekdays("Mon, Wed,fri") == {0, 2, 4} and parse_weekdays("daily") == set(range(7))
    for bad in ("25:00", "9:75", "noon"):
        with pytest.raises(InvalidQotdSetting):
            parse_clock(bad)
    with pytest.raises(InvalidQotdSetting, match="weekdays"):
        parse_weekdays("someday")
    change = change_from(options_from_words(["at", "8:15", "roles=ml,sre", "difficulty", "senior"]))
    assert change.post_at == time(8, 15) and change.roles == (
        Role.MACHINE_LEARNING,
        Role.DEVOPS_SRE,
    )
    assert change.difficulty is Difficulty.HARD and change.timezone is None
    with pytest.raises(InvalidQotdSetting, match="Unknown setting 'colour'"):
        change_from({"colour": "blue"})
    with pytest.raises(InvalidQotdSetting, match="Unknown time zone"):
        change_from({"tz": "Mars/Olympus"})
    with pytest.raises(InvalidQotdSetting, match="must end after"):
        change_from({"until": "08:00"}).applied_to(QotdSettings())


def test_when_a_question_is_due_in_its_own_time_zone() -> None:
    settings = QotdSettings(post_at=time(9), closes_at=time(17), timezone="Asia/Tokyo")
    schedule = QotdSchedule(1, ChannelRef("slack", "T", "C"), settings)
    thursday_0930_tokyo = datetime(2026, 11, 26, 0, 30, tzinfo=UTC)
    assert schedule.due_day(thursday_0930_tokyo) == date(2026, 11, 26)
    assert schedule.due_day(datetime(2026, 11, 26, 8, 30, tzinfo=UTC)) is None  # 17:30 there
    assert schedule.due_day(datetime(2026, 11, 28, 0, 30, tzinfo=UTC)) is None  # Saturday
    opens, closes = schedule.window(date(2026, 11, 26))
    assert (opens.hour, closes.hour) == (0, 8)
    paused = QotdSchedule(1, schedule.channel, settings, paused=True)
    assert (
        paused.due_day(thursday_0930_tokyo) is None
        and paused.next_post(thursday_0930_tokyo) is None
    )


def test_slack_command_words() -> None:
    shown = parse_command("qotd", max_questions=10)
    assert (shown.kind, shown.action) == (Kind.QOTD, "show")
    set_ = parse_command("qotd set at 09:30 until 17:00 days mon-fri", max_questions=10)
    assert set_.kind is Kind.QOTD and set_.change is not None and set_.change.closes_at == time(17)
    wrong = parse_command("qotd set at 25:00", max_questions=10)
    assert wrong.kind is Kind.INVALID and "not a time of day" in wrong.error
    assert parse_command("leaderboard join", max_questions=10).action == "join"
    assert parse_command("leaderboard sideways", max_questions=10).kind is Kind.INVALID


def test_on_lambda_without_a_queue_evaluations_run_in_the_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from types import SimpleNamespace

    from core.config import Settings

    core = SimpleNamespace(settings=Settings(_env_file=None), deps=None, notifiers={})
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "interviewbot-slack")
    assert isinstance(evaluation_queue(core), InlineEvaluations)  # type: ignore[arg-type]
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME")
    assert not isinstance(evaluation_queue(core), InlineEvaluations)  # type: ignore[arg-type]


def test_the_worker_pool_runs_every_job_and_brings_busy_ones_back() -> None:
    import threading

    from core.services.qotd_evaluation import QotdRun
    from core.services.qotd_queue import WorkerPool

    seen: list[int] = []
    busy_once = {3}
    threads: set[str] = set()
    lock = threading.Lock()

    def run(answer_id: int) -> QotdRun:
        with lock:
            threads.add(threading.current_thread().name)
            if answer_id in busy_once:
                busy_once.discard(answer_id)
                return QotdRun("busy", retry_after=0.05)
            seen.append(answer_id)
        if answer_id == 5:
            raise RuntimeError("a bug in one job")  # the pool goes on
        return QotdRun("evaluated")

    pool = WorkerPool(run, workers=2)
    try:
        for answer_id in range(1, 9):
            pool.submit(answer_id)
        assert pool.drain(timeout=5)
    finally:
        pool.stop()
    assert sorted(seen) == list(range(1, 9))  # 3 came back after its wait
    assert len(threads) <= 2  # bounded


@pytest.mark.parametrize("platform", ["slack", "discord"])
def test_the_long_running_bots_run_the_due_check_on_a_timer(
    platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib
    import threading
    from types import SimpleNamespace

    module = importlib.import_module(f"bots.{platform}.schedule")
    notifier_module = importlib.import_module(f"bots.{platform}.notifier")
    ran = threading.Semaphore(0)
    seen: list[object] = []

    def fake_run_due(deps: object, notifiers: object) -> dict[str, object]:
        seen.append((deps, notifiers))
        ran.release()
        return {}

    mine = SimpleNamespace(platform=platform)
    monkeypatch.setattr(module, "run_due", fake_run_due)
    monkeypatch.setattr(notifier_module, "make_notifier", lambda settings: mine)
    core = SimpleNamespace(deps="the deps")
    settings = SimpleNamespace(due_check_seconds=0.01)
    timer = module.start_schedule(core, settings)
    assert timer is not None
    try:
        assert ran.acquire(timeout=5) and ran.acquire(timeout=5)
    finally:
        timer.stop()
    assert seen[0] == ("the deps", {platform: mine})  # this process's own platform only
