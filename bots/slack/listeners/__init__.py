"""Bolt listeners: each acks at once (no database, no LLM) and leaves the work to a lazy function.

Lazy functions are looked up by name when Lambda re-invokes itself, so within one listener each
has a distinct name; they translate the payload into neutral values and call bots.slack flows.

Listener modules import those flows (and the domain and use cases behind them) inside the
functions that run them, not at the top: building the app is all a cold start does before its
first request, and it then registers listeners without loading what only a click or a lazy
listener uses (tests/slack/test_units.py checks what building the app imports).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

# What the listeners import when they run: SnapStart's warm-up (bots.slack.snapstart) imports
# these before the snapshot, so a restored instance's first ack does not pay for them either
# (tests/slack/test_units.py checks that every import inside a listener is listed).
FLOWS = (
    "bots.slack.account",
    "bots.slack.banks",
    "bots.slack.buttons",
    "bots.slack.command_text",
    "bots.slack.errors",
    "bots.slack.interview",
    "bots.slack.messaging",
    "bots.slack.qotd",
    "bots.slack.qotd_render",
    "bots.slack.review",
    "bots.slack.surfaces",
    "core.domain.model",
    "core.services.qotd_leaderboard",
)


def tenant_of(context: Any, body: dict[str, Any]) -> str:
    """The workspace the request belongs to (the enterprise for org-wide installs)."""
    team = context.get("team_id") or body.get("team_id") or (body.get("team") or {}).get("id")
    return str(team or context.get("enterprise_id") or "unknown")


def ack_only(ack: Ack) -> None:
    """Acknowledge and do nothing: events we subscribe to but do not act on must not get a 404,
    or Slack retries them."""
    ack()
