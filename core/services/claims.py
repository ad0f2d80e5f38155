"""Claim a platform delivery once, for side effects the core does not key by itself.

Answers, skips, next questions and follow-ups are idempotent in the core (delivery ids,
positions). Starting a session from a command, or sending a courtesy hint, is not: a Lambda
asynchronous invocation delivered twice, or an event the platform retried, would repeat it.
The adapter claims the delivery's identity first; the claim is an expiring key (the Locks
port) that is never released, so it must outlive the platform's redelivery window.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.domain.errors import ServiceUnavailable
from core.services.deps import Deps

log = logging.getLogger(__name__)

DEFAULT_CLAIM_SECONDS = 15 * 60  # Slack refuses replays after 5 minutes; Discord tokens live 15


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim that can be handed back when the effect it guarded did not happen."""

    deps: Deps
    name: str
    token: str

    def release(self) -> None:
        try:
            self.deps.locks.release(self.name, self.token)
        except ServiceUnavailable:
            log.warning("could not release %s; it expires on its own", self.name)


def claim(deps: Deps, key: str, *, ttl_seconds: float = DEFAULT_CLAIM_SECONDS) -> Claim | None:
    """Claim `key` for this caller, or None when someone already holds it."""
    name = f"claim:{key}"
    token = deps.locks.acquire(name, ttl_seconds=ttl_seconds)
    return Claim(deps, name, token) if token is not None else None


def first_delivery(
    deps: Deps, key: str, *, ttl_seconds: float = DEFAULT_CLAIM_SECONDS, required: bool = True
) -> bool:
    """True for the first caller with this key, False for every repeat within the TTL.

    With Redis unreachable: `required=True` raises ServiceUnavailable (the caller shows it);
    `required=False` counts the claim as won, for effects where twice beats never."""
    try:
        return claim(deps, key, ttl_seconds=ttl_seconds) is not None
    except ServiceUnavailable:
        if required:
            raise
        log.warning("could not claim %s (Redis unreachable); going ahead", key)
        return True
