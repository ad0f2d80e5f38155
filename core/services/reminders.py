"""Opt-in daily review reminders: set or turn off, and the scheduled job that sends them.

Exactly once per person and local day: before sending, the job claims (person, day) with a
unique key in the database, so a schedule that fires twice or two runners at once send one
message; a refused message gives its claim back for the next run to try again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from core.domain.learning import ReviewQueue
from core.domain.model import UserRef
from core.domain.reminders import (
    ReminderChoice,
    ReviewReminder,
    local_day,
    next_occurrence,
    occurrence_on,
    parse_reminder,
    person_key,
)
from core.ports import DuplicateKey, Notifier, ReminderRecord
from core.services.deps import Deps
from core.services.learning import status_of

log = logging.getLogger(__name__)

BATCH = 500  # reminders handled per run; the rest are due still and go on the next run


def set_reminder(
    deps: Deps, *, user: UserRef, text: str | None, display_name: str | None = None
) -> ReminderChoice:
    """`daily 09:00 Europe/Paris` (a DM on days with reviews due) or `off`; InvalidReminder
    says what was wrong. The zone defaults to the configured one."""
    choice = parse_reminder(text, default_zone=deps.rules.timezone.key)
    with deps.uow() as uow:
        identity = uow.identities.ensure(user, display_name=display_name)
        if choice.at is None:
            uow.reminders.clear(identity.id)
        else:
            first = next_occurrence(choice.at, choice.zone, deps.clock.now())
            uow.reminders.set(identity.id, at=choice.at, zone=choice.zone, next_at=first)
        uow.commit()
    return choice


def reminder_of(deps: Deps, *, user: UserRef) -> ReminderChoice | None:
    """This identity's reminder (None when it never set one or turned it off)."""
    with deps.uow() as uow:
        identity = uow.identities.find(user)
        found = uow.reminders.get(identity.id) if identity else None
    return ReminderChoice(found.at, found.zone) if found else None


def send_review_reminders(
    deps: Deps, notifiers: Mapping[str, Notifier], now: datetime
) -> dict[str, int]:
    """The scheduled job: each reminder whose time has come, on a platform this runner can
    send to, as one DM when items are due today; counts by outcome, for the log."""
    if not notifiers:
        return {}
    with deps.uow() as uow:
        due = uow.reminders.due(now=now, platforms=list(notifiers), limit=BATCH)
    counts: Counter[str] = Counter()
    for reminder in due:
        notifier = notifiers[reminder.identity.user.platform]
        counts[_remind(deps, notifier, reminder, now)] += 1
    return dict(counts)


def _remind(deps: Deps, notifier: Notifier, reminder: ReminderRecord, now: datetime) -> str:
    identity, zone = reminder.identity, reminder.zone
    day = local_day(now, zone)
    today_at = occurrence_on(day, reminder.at, zone)
    if today_at > now:  # the runner missed an earlier day: no reminder a day late
        _advance(deps, reminder, now)
        return "missed"
    with deps.uow() as uow:
        cards = uow.reviews.latest(identity.id)
    status = status_of(ReviewQueue(tuple(cards.values())), now=now, zone=ZoneInfo(zone))
    if not status.due_today:
        _advance(deps, reminder, now)
        return "nothing_due"
    person = person_key(identity.id, identity.web_user_id)
    try:
        with deps.uow() as uow:
            uow.reminders.claim(person=person, day=day, identity_id=identity.id, at=now)
            uow.commit()
    except DuplicateKey:  # another runner (or an earlier run) has this day's reminder
        _advance(deps, reminder, now)
        return "already_sent"
    user = identity.user
    notice = ReviewReminder(
        platform=user.platform,
        tenant=user.tenant,
        user=user.user,
        due=len(status.due_today),
        summary=status.summary,
    )
    try:
        notifier.send(notice)
    except Exception:  # refused or unreachable: give the day back, the next run tries again
        log.warning("review reminder to %s not delivered; retrying next run", user.key)
        with deps.uow() as uow:
            uow.reminders.release(person=person, day=day)
            uow.commit()
        return "failed"
    _advance(deps, reminder, now)
    return "sent"


def _advance(deps: Deps, reminder: ReminderRecord, now: datetime) -> None:
    following = next_occurrence(reminder.at, reminder.zone, now)
    with deps.uow() as uow:
        uow.reminders.advance(reminder.identity.id, next_at=following)
        uow.commit()
