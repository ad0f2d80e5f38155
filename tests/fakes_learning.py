"""Fakes of the review log and the reminders (see tests/fakes.py for the unit of work)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from core.domain.learning import ReviewCard
from core.domain.model import ItemKey
from core.ports import DuplicateKey, ReminderRecord

if TYPE_CHECKING:
    from tests.fakes import FakeDatabase, FakeUnitOfWork


@dataclass(frozen=True)
class ReviewEvent:
    identity_id: int
    attempt_id: int | None
    card: ReviewCard


@dataclass(frozen=True)
class StoredReminder:
    at: time
    zone: str
    next_at: datetime


def person_ids(db: FakeDatabase, identity_id: int) -> set[int]:
    me = db.identities[identity_id]
    return {identity_id} | {
        i.id for i in db.identities.values() if me.web_user_id and i.web_user_id == me.web_user_id
    }


class FakeReviews:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def latest(
        self, identity_id: int, keys: Collection[ItemKey] | None = None
    ) -> dict[ItemKey, ReviewCard]:
        mine = person_ids(self.uow.db, identity_id)
        found: dict[ItemKey, ReviewCard] = {}
        for event in self.uow.db.review_events:  # oldest first: the latest wins
            if event.identity_id in mine and (keys is None or event.card.key in keys):
                found[event.card.key] = event.card
        return found

    def record(
        self, identity_id: int, cards: Sequence[ReviewCard], *, attempt_id: int | None
    ) -> None:
        events = self.uow.db.review_events
        for card in cards:
            if attempt_id is not None and any(
                e.attempt_id == attempt_id and e.card.key == card.key for e in events
            ):
                raise DuplicateKey(f"{attempt_id}/{card.key}")
        events.extend(ReviewEvent(identity_id, attempt_id, card) for card in cards)

    def history(
        self, identity_ids: Sequence[int], *, since: datetime | None, limit: int
    ) -> list[ReviewCard]:
        cards = [
            e.card
            for e in reversed(self.uow.db.review_events)
            if e.identity_id in identity_ids and (since is None or e.card.reviewed_at >= since)
        ]
        return cards[:limit]


class FakeReminders:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def set(self, identity_id: int, *, at: time, zone: str, next_at: datetime) -> None:
        self.uow.db.reminders[identity_id] = StoredReminder(at, zone, next_at)

    def clear(self, identity_id: int) -> bool:
        return self.uow.db.reminders.pop(identity_id, None) is not None

    def get(self, identity_id: int) -> ReminderRecord | None:
        stored = self.uow.db.reminders.get(identity_id)
        return self._record(identity_id, stored) if stored else None

    def due(self, *, now: datetime, platforms: Collection[str], limit: int) -> list[ReminderRecord]:
        records = [
            self._record(i, r)
            for i, r in self.uow.db.reminders.items()
            if r.next_at <= now and self.uow.db.identities[i].user.platform in platforms
        ]
        return sorted(records, key=lambda r: r.next_at)[:limit]

    def advance(self, identity_id: int, *, next_at: datetime) -> None:
        stored = self.uow.db.reminders[identity_id]
        self.uow.db.reminders[identity_id] = StoredReminder(stored.at, stored.zone, next_at)

    def claim(self, *, person: str, day: date, identity_id: int, at: datetime) -> None:
        if (person, day) in self.uow.db.reminder_sends:
            raise DuplicateKey(f"{person}/{day}")
        self.uow.db.reminder_sends[(person, day)] = identity_id

    def release(self, *, person: str, day: date) -> None:
        self.uow.db.reminder_sends.pop((person, day), None)

    def _record(self, identity_id: int, stored: StoredReminder) -> ReminderRecord:
        identity = self.uow.db.identities[identity_id]
        return ReminderRecord(identity, stored.at, stored.zone, stored.next_at)
