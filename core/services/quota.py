"""The daily quota, per person: one counter covers every identity linked to one web account.

The database is the source of truth for sessions started; Redis keeps a fast, atomic counter
of them. Whenever that counter is missing (Redis restarted without persistence or flushed, or
a link changed which identities it covers) the quota store rebuilds it from the sessions the
database recorded for the quota day, in the same atomic step that admits or refuses a start.

Rule: the sessions of all identities linked to one account (and the account's own browser
practice) count once against one daily limit; an identity that is not linked counts its own.
Linking or unlinking drops the counters involved, so the next start recounts them from the
database: linking never hands out a fresh quota and never counts a session twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from core.domain.errors import ServiceUnavailable
from core.domain.model import Platform, UserRef
from core.domain.results import QuotaStatus
from core.ports import IdentityRecord, QuotaDecision, UnitOfWork
from core.services.deps import Deps
from core.services.history import web_user_ref

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Counter:
    """Whose daily counter a start counts against."""

    user: UserRef
    account_id: str | None  # the web account whose counter covers this identity, if any

    @property
    def name(self) -> str:
        return f"account:{self.account_id}" if self.account_id else self.user.key


def counter_of(user: UserRef, identity: IdentityRecord | None) -> Counter:
    """The linked account's counter; a browser identity always practises as its own account."""
    account = identity.web_user_id if identity else None
    if account is None and user.platform == Platform.WEB:
        account = user.user
    return Counter(user, account)


def consume(deps: Deps, counter: Counter, *, day: str, resets_at: datetime) -> QuotaDecision:
    """Count one session on `day` (rebuilding a lost counter from the database first)."""
    return deps.quota.try_consume(
        [counter.name],
        day=day,
        limit=deps.rules.quota_per_day,
        expires_at=resets_at,
        recorded=recorded_sessions(deps, counter, day),
    )


def status(deps: Deps, counter: Counter, *, now: datetime) -> QuotaStatus:
    """Sessions used today, as the next start will count them (the database's if Redis lost it)."""
    day, resets_at = deps.rules.quota_window(now)
    used = deps.quota.used([counter.name], day=day, recorded=recorded_sessions(deps, counter, day))
    return QuotaStatus(limit=deps.rules.quota_per_day, used=used, resets_at=resets_at)


def refund_quietly(deps: Deps, counter: Counter, day: str) -> None:
    """Give back the session a failed start counted; never mask the original error."""
    try:
        deps.quota.refund([counter.name], day=day)
    except ServiceUnavailable:
        log.warning("quota refund failed: Redis unreachable (one session stays counted today)")


def forget(deps: Deps, counters: list[Counter], *, now: datetime) -> None:
    """Drop today's counters whose identities changed (a link): the next use recounts them."""
    day, _ = deps.rules.quota_window(now)
    deps.quota.forget(sorted({c.name for c in counters}), day=day)


def forget_quietly(deps: Deps, counters: list[Counter], *, now: datetime) -> None:
    try:
        forget(deps, counters, now=now)
    except ServiceUnavailable:
        log.warning("could not drop quota counters after a link change (Redis unreachable)")


def recorded_sessions(deps: Deps, counter: Counter, day: str) -> Callable[[], int]:
    """Counts, when called, the sessions the database recorded for this counter on `day`."""

    def count() -> int:
        since, until = day_bounds(deps, day)
        with deps.uow(read_only=True) as uow:
            identities = counted_identities(uow, counter)
            return uow.sessions.count_started(identities, since=since, until=until)

    return count


def counted_identities(uow: UnitOfWork, counter: Counter) -> list[int]:
    """Every identity whose sessions this counter covers."""
    own = uow.identities.find(counter.user)
    ids = {own.id} if own else set()
    if counter.account_id:
        ids |= {i.id for i in uow.identities.linked_to(counter.account_id)}
        browser = uow.identities.find(web_user_ref(counter.account_id))
        ids |= {browser.id} if browser else set()
    return sorted(ids)


def day_bounds(deps: Deps, day: str) -> tuple[datetime, datetime]:
    """[start, end) of a quota day in the configured zone."""
    start = datetime.combine(date.fromisoformat(day), time.min, tzinfo=deps.rules.timezone)
    _, end = deps.rules.quota_window(start)
    return start, end
