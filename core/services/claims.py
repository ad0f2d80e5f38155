"""Claim a platform delivery once, for side effects the core does not key by itself.

Answers, skips, next questions and follow-ups are idempotent in the core (delivery ids,
positions). Starting a session from a command, or sending a courtesy hint, is not: a Lambda
asynchronous invocation delivered twice, or an event the platform retried, would repeat it.
The adapter claims the delivery's identity first; the claim is an expiring key (the Locks
port) that is never released, so it must outlive the platform's redelivery window.
"""

from __future__ import annotations

import logging

from core.domain.errors import ServiceUnavailable
from core.services.deps import Deps

log = logging.getLogger(__name__)

DEFAULT_CLAIM_SECONDS = 15 * 60  # Slack refuses replays after 5 minutes; Discord tokens live 15


def first_delivery(
    deps: Deps, key: str, *, ttl_seconds: float = DEFAULT_CLAIM_SECONDS, required: bool = True
) -> bool:
    """True for the first caller with this key, False for every repeat within the TTL.

    With Redis unreachable: `required=True` raises ServiceUnavailable (the caller shows it);
    `required=False` counts the claim as won, for effects where twice beats never."""
    try:
        return deps.locks.acquire(f"claim:{key}", ttl_seconds=ttl_seconds) is not None
    except ServiceUnavailable:
        if required:
            raise
        log.warning("could not claim %s (Redis unreachable); going ahead", key)
        return True
