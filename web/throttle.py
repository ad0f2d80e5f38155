"""Attempt limits for guessable secrets: link codes per account, passwords per e-mail address.

A link code is 8 characters from 31 symbols and lives `Rules.link_code_minutes`; a password is whatever people
choose. Neither should be open to unlimited guessing. Each attempt takes one unit from a counter
in the core's QuotaStore (atomic, expiring, in Redis) for a fixed window; a success gives it back,
so only failures add up and a person who gets it right is never slowed down.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core import services
from core.domain.errors import ErrorCategory, InterviewError, ServiceUnavailable
from core.ports import IdentityRecord
from core.services.deps import Deps

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    attempts: int
    window: timedelta
    what: str  # for the refusal: "Too many {what}."


LINK_CODES = Limit("link-code", 10, timedelta(minutes=15), "wrong link codes")
LOGINS = Limit("login", 10, timedelta(minutes=15), "failed log-ins for this e-mail")


class TooManyAttempts(InterviewError):
    code = "too_many_attempts"
    category = ErrorCategory.LIMIT

    def __init__(self, limit: Limit, retry_at: datetime, now: datetime) -> None:
        minutes = max(1, math.ceil((retry_at - now).total_seconds() / 60))
        plural = "" if minutes == 1 else "s"
        super().__init__(f"Too many {limit.what}. Wait {minutes} minute{plural}, then try again.")
        self.retry_at = retry_at


@dataclass(frozen=True, slots=True)
class Ticket:
    """One counted attempt; `succeeded()` gives it back."""

    deps: Deps
    account: str
    window: str

    def succeeded(self) -> None:
        self.deps.quota.refund([self.account], day=self.window)


def take(deps: Deps, limit: Limit, subject: str) -> Ticket:
    """Count an attempt by `subject`, or raise TooManyAttempts when the window is used up."""
    now = deps.clock.now()
    size = int(limit.window.total_seconds())
    index = int(now.timestamp()) // size
    ends = datetime.fromtimestamp((index + 1) * size, UTC)
    account = f"{limit.name}:{subject}"
    decision = deps.quota.try_consume(
        [account], day=str(index), limit=limit.attempts, expires_at=ends
    )
    if not decision.allowed:
        log.warning("%s attempts limited for %s", limit.name, subject)
        raise TooManyAttempts(limit, ends, now)
    return Ticket(deps, account, str(index))


def redeem_link_code(deps: Deps, *, code: str, web_user_id: str) -> IdentityRecord:
    """The core's redeem_link_code behind the per-account attempt limit."""
    ticket = take(deps, LINK_CODES, web_user_id)
    linked = services.redeem_link_code(deps, code=code, web_user_id=web_user_id)
    ticket.succeeded()
    return linked


def take_login(deps: Deps, email: str) -> Ticket | None:
    """Count a log-in attempt for this e-mail; None (no limit) when Redis is unreachable, so an
    outage of the quota store never locks everyone out of their history."""
    subject = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    try:
        return take(deps, LOGINS, subject)
    except ServiceUnavailable:
        log.warning("log-in attempts not limited: Redis unreachable")
        return None
