"""Configuring a channel's question of the day: set, pause, resume, show. Admins only.

Who is an admin is the platform's to say (Slack's is_admin/is_owner, Discord's Manage Server or
Administrator permission): the surface checks it with the platform and passes `is_admin`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.domain.model import UserRef
from core.domain.qotd import (
    ChannelRef,
    NotAnAdmin,
    QotdChange,
    QotdNotConfigured,
    QotdSchedule,
    QotdSettings,
)
from core.services.deps import Deps

PLACES = {"slack": "workspace", "discord": "server"}


@dataclass(frozen=True, slots=True)
class QotdStatus:
    """A channel's setting as people see it: the schedule and when the next question comes."""

    schedule: QotdSchedule
    next_post: datetime | None
    changed: bool = False  # this call changed it


def qotd_status(deps: Deps, *, channel: ChannelRef) -> QotdStatus:
    """The channel's setting; QotdNotConfigured when there is none."""
    with deps.uow() as uow:
        schedule = uow.qotd.schedule_at(channel)
    if schedule is None:
        raise QotdNotConfigured()
    return QotdStatus(schedule, schedule.next_post(deps.clock.now()))


def configure_qotd(
    deps: Deps, *, channel: ChannelRef, actor: UserRef, is_admin: bool, change: QotdChange
) -> QotdStatus:
    """Create or change the channel's schedule (an admin's; the rest is kept as it was)."""
    _require_admin(actor, is_admin)
    now = deps.clock.now()
    with deps.uow() as uow:
        current = uow.qotd.schedule_at(channel)
        base = current.settings if current else QotdSettings(timezone=deps.rules.timezone.key)
        settings = change.applied_to(base)
        schedule = uow.qotd.save_schedule(channel, settings, by=actor.user, at=now)
        uow.commit()
    return QotdStatus(schedule, schedule.next_post(now), changed=True)


def pause_qotd(
    deps: Deps, *, channel: ChannelRef, actor: UserRef, is_admin: bool, paused: bool = True
) -> QotdStatus:
    """Pause (or resume) the channel's question of the day."""
    _require_admin(actor, is_admin)
    now = deps.clock.now()
    with deps.uow() as uow:
        schedule = uow.qotd.schedule_at(channel)
        if schedule is None:
            raise QotdNotConfigured()
        uow.qotd.set_paused(schedule.id, paused, by=actor.user, at=now)
        uow.commit()
        schedule = uow.qotd.schedule_at(channel)
    assert schedule is not None
    return QotdStatus(schedule, schedule.next_post(now), changed=True)


def _require_admin(actor: UserRef, is_admin: bool) -> None:
    if not is_admin:
        raise NotAnAdmin(PLACES.get(actor.platform, "workspace"))
