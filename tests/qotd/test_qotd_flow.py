"""The question of the day in the core, on SQLite + the stand-in and on MariaDB + Redis:
configure (admins only), post once per day, answer once per person, private evaluation,
reveal once, and the daily limit apart from the interview quota."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from core import services
from core.bootstrap import Core
from core.domain.qotd import (
    NotAnAdmin,
    QotdAlreadyAnswered,
    QotdAlreadyPosted,
    QotdChange,
    QotdClosed,
    QotdLimitReached,
    QotdNotConfigured,
)
from core.domain.qotd_notices import QotdEvaluationNotice, QotdQuestionNotice, QotdRevealNotice
from core.services.qotd_answers import submit_qotd_answer
from core.services.qotd_leaderboard import join_leaderboard
from core.services.qotd_posting import post_question_now
from core.services.qotd_settings import configure_qotd, pause_qotd, qotd_status
from core.services.schedule import run_due
from tests.fakes import make_bank
from tests.qotd.support import (
    ADMIN,
    ANSWER,
    CHANNEL,
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
    wired = make_core(qotd_settings(backend), notifier)
    yield wired
    wired.close()


def at(core: Core, hours: float) -> None:
    """Move the clock to MORNING (08:00 UTC) + hours."""
    from tests.qotd.support import MORNING

    core.deps.clock.current = MORNING + timedelta(hours=hours)  # type: ignore[attr-defined]


def post_today(core: Core, notifier: RecordingNotifier) -> QotdQuestionNotice:
    at(core, 1.5)  # 09:30
    run_due(core.deps, core.notifiers)
    return notifier.of(QotdQuestionNotice)[-1]


def test_only_admins_configure_and_anyone_sees_the_setting(core: Core) -> None:
    with pytest.raises(QotdNotConfigured):
        qotd_status(core.deps, channel=CHANNEL)
    with pytest.raises(NotAnAdmin, match="workspace admins"):
        configure_qotd(
            core.deps, channel=CHANNEL, actor=person(1), is_admin=False, change=QotdChange()
        )
    set_up(core, at="09:30", until="16:00", tz="Europe/Paris", days="mon,wed,fri")
    status = qotd_status(core.deps, channel=CHANNEL)
    settings = status.schedule.settings
    assert (settings.post_at.hour, settings.closes_at.hour, settings.timezone) == (
        9,
        16,
        "Europe/Paris",
    )
    assert settings.weekdays == {0, 2, 4}
    assert status.next_post is not None and status.next_post.weekday() == 4  # tomorrow, Friday
    paused = pause_qotd(core.deps, channel=CHANNEL, actor=ADMIN, is_admin=True)
    assert paused.schedule.paused and paused.next_post is None


def test_the_question_is_posted_once_at_its_time(core: Core, notifier: RecordingNotifier) -> None:
    set_up(core)
    run_due(core.deps, core.notifiers)  # 08:00: not yet
    assert notifier.of(QotdQuestionNotice) == []
    posted = post_today(core, notifier)
    run_due(core.deps, core.notifiers)  # the schedule fires again
    assert len(notifier.of(QotdQuestionNotice)) == 1
    assert posted.channel == CHANNEL.channel and posted.post.question.text
    with pytest.raises(QotdAlreadyPosted):
        post_question_now(core.deps, core.notifiers, channel=CHANNEL, actor=ADMIN, is_admin=True)


def test_no_question_repeats_in_a_channel_until_the_pool_is_exhausted(
    core: Core, notifier: RecordingNotifier
) -> None:
    core.deps.bank = make_bank(per_pool=3)
    set_up(core, days="daily")
    for day in range(4):
        at(core, 1.5 + 24 * day)
        run_due(core.deps, core.notifiers)
    posted = [n for n in notifier.of(QotdQuestionNotice) if not n.replaces]
    texts = [n.post.question.bank_id for n in posted]
    assert len(texts) == 4 and len(set(texts[:3])) == 3 and texts[3] in texts[:3]


def test_an_answer_is_evaluated_privately_once_and_not_against_the_quota(
    core: Core, notifier: RecordingNotifier
) -> None:
    set_up(core)
    post = post_today(core, notifier).post
    alice = person(1)
    received = submit_qotd_answer(
        core.deps, post_id=post.id, actor=alice, text=ANSWER, delivery_id="view-1"
    )
    assert not received.duplicate
    private = notifier.of(QotdEvaluationNotice)
    assert len(private) == 1 and private[0].user == alice.user and private[0].channel is None
    # A redelivered submission is recognised; a second answer is refused with a reason.
    again = submit_qotd_answer(
        core.deps, post_id=post.id, actor=alice, text=ANSWER, delivery_id="view-1"
    )
    assert again.duplicate and len(notifier.of(QotdEvaluationNotice)) == 1
    with pytest.raises(QotdAlreadyAnswered):
        submit_qotd_answer(
            core.deps, post_id=post.id, actor=alice, text="another", delivery_id="view-2"
        )
    assert services.quota_status(core.deps, user=alice).used == 0  # interviews: untouched


def test_the_evaluation_the_person_gets_is_the_stored_graded_one(
    core: Core, notifier: RecordingNotifier
) -> None:
    set_up(core)
    post = post_today(core, notifier).post
    submit_qotd_answer(core.deps, post_id=post.id, actor=person(1), text=ANSWER, delivery_id="d")
    notice = notifier.of(QotdEvaluationNotice)[0]
    with core.deps.uow() as uow:
        stored = uow.qotd.answer_by(post.id, notice.answer.identity_id)
    assert stored is not None and stored.evaluation is not None
    assert stored.delivered_at is not None
    assert notice.answer.evaluation == stored.evaluation
    assert stored.evaluation.graded_by == "offline heuristic scorer"


def test_a_daily_limit_of_its_own(backend, notifier: RecordingNotifier) -> None:  # type: ignore[no-untyped-def]
    core = make_core(qotd_settings(backend, qotd_answers_per_day=2), notifier)
    try:
        for _n, channel in enumerate(("C1", "C2", "C3")):
            set_up(core, channel=CHANNEL.__class__("slack", "T1", channel))
        at(core, 1.5)
        run_due(core.deps, core.notifiers)
        posts = [n.post for n in notifier.of(QotdQuestionNotice)]
        alice = person(1)
        for post in posts[:2]:
            submit_qotd_answer(
                core.deps, post_id=post.id, actor=alice, text=ANSWER, delivery_id=f"d{post.id}"
            )
        with pytest.raises(QotdLimitReached, match="2 questions of the day"):
            submit_qotd_answer(
                core.deps, post_id=posts[2].id, actor=alice, text=ANSWER, delivery_id="d3"
            )
        # Refused before anything was stored.
        with core.deps.uow() as uow:
            assert uow.qotd.pending_count(posts[2].id) == 0
    finally:
        core.close()


def test_answers_after_the_window_are_refused_and_the_reveal_goes_out_once(
    core: Core, notifier: RecordingNotifier
) -> None:
    set_up(core)
    question = post_today(core, notifier)
    post = question.post
    join_leaderboard(core.deps, user=person(2), display_name="Bea")
    for n, text in (
        (1, ANSWER),
        (2, ANSWER + " Covering indexes avoid the table."),
        (3, "no idea"),
    ):
        submit_qotd_answer(
            core.deps, post_id=post.id, actor=person(n), text=text, delivery_id=f"d{n}"
        )
    assert len(notifier.of(QotdEvaluationNotice)) == 3  # each told privately
    at(core, 9.5)  # 17:30: closed
    with pytest.raises(QotdClosed):
        submit_qotd_answer(
            core.deps, post_id=post.id, actor=person(4), text=ANSWER, delivery_id="x"
        )
    run_due(core.deps, core.notifiers)
    run_due(core.deps, core.notifiers)
    reveals = notifier.of(QotdRevealNotice)
    assert len(reveals) == 1
    summary = reveals[0].summary
    assert reveals[0].thread == "m1"  # in the thread of the card (the first message sent)
    assert summary.answered == 3 and summary.pending == 0
    assert sum(b.count for b in summary.distribution) == 3
    assert [a.name for a in summary.top] == ["Bea"]  # only people who opted in are named
    edits = [n for n in notifier.of(QotdQuestionNotice) if n.replaces]
    assert len(edits) == 1 and edits[0].closed and edits[0].answered == 3
