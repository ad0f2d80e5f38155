"""The opt-in leaderboard and streaks: only people who joined are ranked or named, the weekly
board goes out once per channel per week, a streak counts consecutive scheduled days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from core.bootstrap import Core
from core.domain.qotd_figures import MemberWeek, distribution, rank, streak
from core.domain.qotd_notices import QotdLeaderboardNotice, QotdQuestionNotice
from core.services.qotd_answers import submit_qotd_answer
from core.services.qotd_leaderboard import (
    join_leaderboard,
    leaderboard,
    leave_leaderboard,
    my_qotd,
)
from core.services.schedule import run_due
from tests.fakes import ScriptedEvaluator, ScriptedWriter
from tests.qotd.support import (
    ANSWER,
    CHANNEL,
    MORNING,
    RecordingNotifier,
    make_core,
    person,
    qotd_settings,
    set_up,
)


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def core(backend, notifier: RecordingNotifier) -> Iterator[Core]:  # type: ignore[no-untyped-def]
    # Scores that grow with the answer's length: the ranking below is about points.
    wired = make_core(qotd_settings(backend), notifier, llm=(ScriptedEvaluator(), ScriptedWriter()))
    set_up(wired, days="daily")
    yield wired
    wired.close()


def day_run(core: Core, offset_days: int, hours: float = 1.5) -> None:
    core.deps.clock.current = MORNING + timedelta(days=offset_days, hours=hours)  # type: ignore[attr-defined]
    run_due(core.deps, core.notifiers)


def answer_today(core: Core, notifier: RecordingNotifier, *people: int) -> None:
    post = [n for n in notifier.of(QotdQuestionNotice) if not n.replaces][-1].post
    for n in people:
        submit_qotd_answer(
            core.deps, post_id=post.id, actor=person(n), text=ANSWER, delivery_id=f"{post.id}-{n}"
        )


def test_only_members_are_ranked_and_streaks_count_consecutive_days(
    core: Core, notifier: RecordingNotifier
) -> None:
    join_leaderboard(core.deps, user=person(1), display_name="Ada")
    join_leaderboard(core.deps, user=person(2), display_name="Bob")
    assert not join_leaderboard(core.deps, user=person(1), display_name="Ada")  # already in
    day_run(core, 0)  # Thursday
    answer_today(core, notifier, 1, 2, 3)
    day_run(core, 1)  # Friday: Bob skips
    answer_today(core, notifier, 1, 3)
    board = leaderboard(core.deps, channel=CHANNEL)
    assert [e.name for e in board.entries] == ["Ada", "Bob"], board  # person 3 never joined
    ada, bob = board.entries
    # Friday is still open for Bob: his Thursday streak stands until the day is over.
    assert (ada.answered, ada.streak, bob.answered, bob.streak) == (2, 2, 1, 1)
    assert ada.points > bob.points and ada.rank == 1 and board.members == 2
    mine = my_qotd(core.deps, user=person(1))
    assert mine is not None and (mine.joined, mine.streak, mine.rank) == (True, 2, 1)
    assert leave_leaderboard(core.deps, user=person(1))
    assert [e.name for e in leaderboard(core.deps, channel=CHANNEL).entries] == ["Bob"]


def test_the_weekly_board_is_posted_once_on_monday(core: Core, notifier: RecordingNotifier) -> None:
    join_leaderboard(core.deps, user=person(1), display_name="Ada")
    day_run(core, 0)
    answer_today(core, notifier, 1)
    day_run(core, 3, hours=0.5)  # Sunday 08:30... and Monday before the post time: nothing
    day_run(core, 4, hours=0.5)
    assert notifier.of(QotdLeaderboardNotice) == []
    day_run(core, 4)  # Monday 09:30
    day_run(core, 4, hours=2)
    boards = notifier.of(QotdLeaderboardNotice)
    assert len(boards) == 1 and boards[0].channel == CHANNEL.channel
    assert [e.name for e in boards[0].board.entries] == ["Ada"]
    assert boards[0].board.first_day == (MORNING + timedelta(days=0)).date() - timedelta(days=3)


def test_streak_rules() -> None:
    days = [date(2026, 11, d) for d in (23, 24, 25, 26)]
    assert streak(days, {days[0], days[1], days[2], days[3]}, today=days[3]) == 4
    assert streak(days, {days[0], days[1], days[2]}, today=days[3]) == 3  # today still open
    assert streak(days, {days[0], days[1], days[3]}, today=days[3]) == 1  # a missed day breaks it


def test_ranking_and_distribution_rules() -> None:
    rows = [MemberWeek(1, "Ada", 2, 15.0), MemberWeek(2, "Bob", 2, 15.0), MemberWeek(3, "Cy", 1, 9)]
    board = rank("2026-W48", date(2026, 11, 23), rows, {1: 2}, members=5)
    assert [(e.rank, e.name) for e in board.entries] == [(1, "Ada"), (1, "Bob"), (3, "Cy")]
    counts = {b.band.name: b.count for b in distribution([9.1, 8.0, 6.5, 2.0])}
    assert counts == {"strong": 2, "good": 1, "fair": 0, "weak": 1}
