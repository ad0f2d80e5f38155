"""The question of the day on the web: each channel's history, participation per day and
opt-in leaderboard (the team page), and a person's own answers (their history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core.domain.qotd import QotdSchedule, week_start
from core.domain.qotd_figures import Leaderboard
from core.ports_qotd import MyAnswer, PostFigures
from core.services.deps import Deps
from core.services.qotd_leaderboard import board_of

HISTORY_POSTS = 30


@dataclass(frozen=True, slots=True)
class ChannelHistory:
    schedule: QotdSchedule
    posts: list[PostFigures]  # newest first
    participation: list[tuple[date, int]]  # answers per question day, oldest first
    board: Leaderboard  # this week's, opted-in people only


def team_qotd(
    deps: Deps, *, platform: str | None = None, tenant: str | None = None, days: int = 90
) -> list[ChannelHistory]:
    """Every question-of-the-day channel (of one workspace, when given): team-wide figures."""
    now = deps.clock.now()
    found = []
    with deps.uow() as uow:
        for schedule in uow.qotd.schedules_in(platform, tenant):
            today = schedule.local_day(now)
            since = today - timedelta(days=days)
            found.append(
                ChannelHistory(
                    schedule=schedule,
                    posts=uow.qotd.recent_posts(schedule.id, since=since, limit=HISTORY_POSTS),
                    participation=uow.qotd.participation(schedule.id, since=since),
                    board=board_of(uow, schedule, week_start(today), today=today),
                )
            )
    return found


def my_qotd_answers(deps: Deps, *, scope: list[int], limit: int = 20) -> list[MyAnswer]:
    """A person's own question-of-the-day answers (all their linked identities), newest first."""
    if not scope:
        return []
    with deps.uow() as uow:
        return uow.qotd.answers_of(scope, limit=limit)


def qotd_workspaces(deps: Deps) -> set[str]:
    """ "platform:tenant" of every workspace or server with a question of the day."""
    with deps.uow() as uow:
        return {
            f"{s.channel.platform}:{s.channel.tenant}" for s in uow.qotd.schedules_in(None, None)
        }
