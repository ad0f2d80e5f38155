"""Messages the core sends on its own initiative (a reminder, a question of the day, a late
evaluation): where each goes. Each feature subclasses `Notice` with its content; every surface's
`Notifier` (core.ports) renders the kinds it knows for its platform."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DeliveryFailed", "Notice"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    """A message to one person (a DM) or one channel, on one platform and tenant."""

    platform: str
    tenant: str
    user: str | None = None  # a direct message to this person
    channel: str | None = None  # or a post in this channel
    thread: str | None = None  # inside this thread of the channel
    replaces: str | None = None  # edit this earlier message instead of posting a new one

    def __post_init__(self) -> None:
        if (self.user is None) == (self.channel is None):
            raise ValueError("a notice goes to a person or to a channel, not both or neither")


class DeliveryFailed(Exception):
    """The platform refused or could not take the message (the job retries it next run)."""
