"""Run a side effect once per Slack delivery, for the few effects the core does not key itself.

Answers, skips and next questions are idempotent in the core (delivery ids, positions). Starting
a session from a command or modal, and the short hints after a second message or an edit, are
not: a Lambda lazy invocation delivered twice, or an event retried by Slack, would repeat them.
They claim the delivery's identity first, through the core's lock port (Redis SET NX with a TTL).
The claim outlives Slack's signature window (5 minutes): any replay older than that is refused
by the signature check before it gets here, so the claim never needs releasing.
"""

from __future__ import annotations

import logging

from core.domain.errors import ServiceUnavailable
from core.services.deps import Deps

log = logging.getLogger(__name__)

CLAIM_SECONDS = 15 * 60


def first_delivery(deps: Deps, identity: str, *, required: bool = True) -> bool:
    """True for the first caller with this identity; False for every repeat within the TTL.

    `required=False` is for courtesy messages: if Redis is down, saying something twice beats
    saying nothing, so the claim counts as won."""
    try:
        return deps.locks.acquire(f"slack-once:{identity}", ttl_seconds=CLAIM_SECONDS) is not None
    except ServiceUnavailable:
        if required:
            raise
        log.warning("could not claim %s (Redis unreachable); sending anyway", identity)
        return True
