"""Attempt limits: link codes per account; passwords per e-mail address and per client network;
new accounts per client network.

A link code is 8 characters from 31 symbols and lives `Rules.link_code_minutes`; a password is whatever people
choose. Neither should be open to unlimited guessing. Each attempt takes one unit from a counter
in the core's QuotaStore (atomic, expiring, in Redis) for a fixed window; a success gives it back,
so only failures add up and a person who gets it right is never slowed down.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fastapi import Request

from core import services
from core.config import Settings
from core.domain.errors import ErrorCategory, InterviewError, ServiceUnavailable

if TYPE_CHECKING:  # annotations only: the error handlers import this module for its error
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
# Per client network: one address trying many e-mails once each, and mass registration.
NETWORK_LOGINS = Limit("login-net", 30, timedelta(minutes=15), "failed log-ins from your network")
REGISTRATIONS = Limit("register-net", 10, timedelta(hours=1), "new accounts from your network")


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


def take_login(deps: Deps, email: str, client: str) -> list[Ticket]:
    """Count a log-in attempt for this e-mail and for this client network. No limit (an empty
    list) when Redis is unreachable, so an outage of the quota store never locks everyone out
    of their history."""
    subject = hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
    tickets = []
    try:
        tickets.append(take(deps, NETWORK_LOGINS, client))
        tickets.append(take(deps, LOGINS, subject))
    except ServiceUnavailable:
        log.warning("log-in attempts not limited: Redis unreachable")
        return []
    except TooManyAttempts:
        for ticket in tickets:  # refused: the attempt that was counted did not happen
            _give_back(ticket)
        raise
    return tickets


def take_registration(deps: Deps, client: str) -> None:
    """Count a registration from this client network (never given back: each one is an account)."""
    try:
        take(deps, REGISTRATIONS, client)
    except ServiceUnavailable:
        log.warning("registrations not limited: Redis unreachable")


def _give_back(ticket: Ticket) -> None:
    with contextlib.suppress(ServiceUnavailable):
        ticket.succeeded()


def client_address(request: Request, settings: Settings) -> str:
    """The client's network for the per-network limits: its IPv4 address, or the /64 its IPv6
    address is in (one subscriber usually holds a whole /64). Behind a CDN the peer is the
    CDN; WEB_CLIENT_IP_HEADER names the header it puts the viewer's address in."""
    raw = request.headers.get(settings.web_client_ip_header or "") or ""
    if not raw and request.client is not None:
        raw = request.client.host
    return network_of(raw)


def network_of(raw: str) -> str:
    """'198.51.100.10:46532' -> '198.51.100.10'; an IPv6 address -> its /64."""
    candidates = [raw.strip(), raw.strip().rsplit(":", 1)[0].strip("[]")]
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if address.version == 6:
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        return str(address)
    return raw[:64] or "unknown"
