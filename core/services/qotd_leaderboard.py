"""The opt-in leaderboard and streaks: join and leave, this week's board of a channel, one's own
standing, and the weekly board each channel gets (posted once per week: a unique key)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta

from core.domain.model import UserRef
from core.domain.qotd import ChannelRef, QotdNotConfigured, QotdSchedule, week_of, week_start
from core.domain.qotd_figures import Leaderboard, MyQotd, rank, streak
from core.domain.qotd_notices import QotdLeaderboardNotice
from core.ports import Notifier, UnitOfWork
from core.services.deps import Deps

log = logging.getLogger(__name__)

STREAK_HORIZON = timedelta(days=120)  # streaks longer than this are shown as this long


def join_leaderboard(deps: Deps, *, user: UserRef, display_name: str | None = None) -> bool:
    """Opt in (per workspace/server identity); False when already in."""
    with deps.uow() as uow:
        identity = uow.identities.ensure(user, display_name=display_name)
        joined = uow.qotd.join(identity.id, at=deps.clock.now())
        uow.commit()
    return joined


def leave_leaderboard(deps: Deps, *, user: UserRef) -> bool:
    """Opt out: the person is no longer named or ranked anywhere; False when not in."""
    with deps.uow() as uow:
        identity = uow.identities.find(user)
        left = uow.qotd.leave(identity.id) if identity else False
        uow.commit()
    return left


def leaderboard(deps: Deps, *, channel: ChannelRef) -> Leaderboard:
    """This week's board of the channel (or of the workspace's only question-of-the-day
    channel, when asked elsewhere)."""
    now = deps.clock.now()
    with deps.uow() as uow:
        schedule = _schedule_for(uow, channel)
        return board_of(
            uow, schedule, week_start(schedule.local_day(now)), today=schedule.local_day(now)
        )


def my_qotd(deps: Deps, *, user: UserRef) -> MyQotd | None:
    """A person's own standing in their workspace's question of the day (None without one)."""
    now = deps.clock.now()
    with deps.uow() as uow:
        schedules = uow.qotd.schedules_in(user.platform, user.tenant)
        identity = uow.identities.find(user)
        if not schedules:
            return None
        if identity is None:
            return MyQotd(joined=False, streak=0, answered=0, rank=None)
        schedule, today = schedules[0], schedules[0].local_day(now)
        since = today - STREAK_HORIZON
        days = uow.qotd.answered_days(schedule.id, [identity.id], since=since).get(
            identity.id, set()
        )
        current = streak(uow.qotd.post_days(schedule.id, since=since), days, today=today)
        monday = week_start(today)
        board = board_of(uow, schedule, monday, today=today)
        joined = uow.qotd.is_member(identity.id)
    name = identity.display_name or user.user
    mine = next((e for e in board.entries if e.name == name), None) if joined else None
    return MyQotd(
        joined=joined,
        streak=current,
        answered=sum(1 for d in days if d >= monday),
        rank=mine.rank if mine else None,
    )


def post_weekly_leaderboards(
    deps: Deps, notifiers: Mapping[str, Notifier], now: datetime
) -> dict[str, int]:
    """The scheduled job: from Monday's post time on, each channel gets last week's board once."""
    counts = {"posted": 0, "failed": 0}
    with deps.uow() as uow:
        schedules = uow.qotd.active_schedules()
    for schedule in schedules:
        notifier = notifiers.get(schedule.channel.platform)
        today = schedule.local_day(now)
        monday = week_start(today)
        if notifier is None or now < _local(monday, schedule.settings.post_at, schedule):
            continue
        last_week = monday - timedelta(days=7)
        week = week_of(last_week)
        with deps.uow() as uow:
            if not _had_posts(uow, schedule, last_week):
                continue
            if not uow.qotd.claim_week(schedule.id, week, at=now):
                uow.rollback()
                continue
            uow.commit()
            board = board_of(uow, schedule, last_week, today=today)
        channel = schedule.channel
        notice = QotdLeaderboardNotice(
            platform=channel.platform, tenant=channel.tenant, channel=channel.channel, board=board
        )
        try:
            notifier.send(notice)
        except Exception as exc:
            log.warning("weekly leaderboard of %s not posted: %s", channel.key, exc)
            with deps.uow() as uow:
                uow.qotd.drop_week(schedule.id, week)
                uow.commit()
            counts["failed"] += 1
            continue
        counts["posted"] += 1
    return counts


def _had_posts(uow: UnitOfWork, schedule: QotdSchedule, monday: date) -> bool:
    days = uow.qotd.post_days(schedule.id, since=monday)
    return any(d < monday + timedelta(days=7) for d in days)


def board_of(uow: UnitOfWork, schedule: QotdSchedule, monday: date, *, today: date) -> Leaderboard:
    since = _local(monday, time.min, schedule)
    rows = uow.qotd.member_weeks(schedule.id, since=since, until=since + timedelta(days=7))
    horizon = today - STREAK_HORIZON
    post_days = uow.qotd.post_days(schedule.id, since=horizon)
    answered = uow.qotd.answered_days(schedule.id, [r.identity_id for r in rows], since=horizon)
    streaks = {
        r.identity_id: streak(post_days, answered.get(r.identity_id, set()), today=today)
        for r in rows
    }
    members = uow.qotd.member_count(schedule.channel.platform, schedule.channel.tenant)
    return rank(week_of(monday), monday, rows, streaks, members=members)


def _schedule_for(uow: UnitOfWork, channel: ChannelRef) -> QotdSchedule:
    found = uow.qotd.schedule_at(channel)
    if found is None:
        others = uow.qotd.schedules_in(channel.platform, channel.tenant)
        found = others[0] if len(others) == 1 else None
    if found is None:
        raise QotdNotConfigured()
    return found


def _local(day: date, moment: time, schedule: QotdSchedule) -> datetime:
    return datetime.combine(day, moment, tzinfo=schedule.zone).astimezone(UTC)
