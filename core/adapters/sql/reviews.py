"""The review log and reminders: each item's card is its latest review row, found in one statement
over the person's linked identities; a reminder of a day is claimed with a unique key."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from core.adapters.sql.models import IdentityRow, ReminderRow, ReminderSendRow, ReviewEventRow
from core.adapters.sql.prepared import (
    EVENT_COLUMNS,
    INSERT_EVENTS,
    LATEST_EVENTS,
    LATEST_EVENTS_OF_ITEMS,
    run,
)
from core.adapters.sql.repositories import _identity, _insert
from core.domain.learning import Grade, ReviewCard
from core.domain.model import ItemKey, ItemKind
from core.domain.roles import Difficulty, Role
from core.ports import DuplicateKey, ReminderRecord


class SqlReviews:
    def __init__(self, db: DbSession) -> None:
        self.db = db

    def latest(
        self, identity_id: int, keys: Collection[ItemKey] | None = None
    ) -> dict[ItemKey, ReviewCard]:
        """Each item's latest review across the person's identities — one statement."""
        if keys is None:
            rows = run(self.db, LATEST_EVENTS, {"identity_id": identity_id})
        elif not keys:
            return {}
        else:
            items = [(k.kind.value, k.item) for k in keys]
            rows = run(
                self.db, LATEST_EVENTS_OF_ITEMS, {"identity_id": identity_id, "items": items}
            )
        cards = (card_from_row(row) for row in rows)
        return {card.key: card for card in cards}

    def record(
        self, identity_id: int, cards: Sequence[ReviewCard], *, attempt_id: int | None
    ) -> None:
        if not cards:
            return
        rows = [_event(identity_id, attempt_id, card) for card in cards]
        try:
            run(self.db, INSERT_EVENTS, rows)
        except IntegrityError as exc:
            raise DuplicateKey(str(exc.orig)) from exc

    def history(
        self, identity_ids: Sequence[int], *, since: datetime | None, limit: int
    ) -> list[ReviewCard]:
        statement = select(*EVENT_COLUMNS).where(ReviewEventRow.identity_id.in_(identity_ids))
        if since is not None:
            statement = statement.where(ReviewEventRow.reviewed_at >= since)
        statement = statement.order_by(ReviewEventRow.id.desc()).limit(limit)
        return [card_from_row(row) for row in self.db.execute(statement)]


def _event(identity_id: int, attempt_id: int | None, card: ReviewCard) -> dict[str, Any]:
    return {
        "identity_id": identity_id,
        "attempt_id": attempt_id,
        "kind": card.key.kind.value,
        "item": card.key.item[:64],
        "role": card.role.value,
        "difficulty": card.difficulty.value,
        "topic": card.topic[:64],
        "grade": int(card.grade),
        "score": card.score,
        "stability": card.stability,
        "fsrs_difficulty": card.fsrs_difficulty,
        "reps": card.reps,
        "lapses": card.lapses,
        "reviewed_at": card.reviewed_at,
        "due_at": card.due_at,
    }


def card_from_row(row: Any) -> ReviewCard:
    return ReviewCard(
        key=ItemKey(ItemKind(row.kind), row.item),
        role=Role(row.role),
        difficulty=Difficulty(row.difficulty),
        topic=row.topic,
        due_at=row.due_at,
        reviewed_at=row.reviewed_at,
        grade=Grade(row.grade),
        score=row.score,
        stability=row.stability,
        fsrs_difficulty=row.fsrs_difficulty,
        reps=row.reps,
        lapses=row.lapses,
    )


class SqlReminders:
    def __init__(self, db: DbSession) -> None:
        self.db = db

    def set(self, identity_id: int, *, at: time, zone: str, next_at: datetime) -> None:
        values = {"at_time": f"{at:%H:%M}", "zone": zone, "next_at": next_at}
        changed = self.db.execute(
            update(ReminderRow).where(ReminderRow.identity_id == identity_id).values(**values)
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            _insert(self.db, ReminderRow(identity_id=identity_id, **values), savepoint=True)

    def clear(self, identity_id: int) -> bool:
        gone = self.db.execute(delete(ReminderRow).where(ReminderRow.identity_id == identity_id))
        return bool(gone.rowcount)  # type: ignore[attr-defined]

    def get(self, identity_id: int) -> ReminderRecord | None:
        found = self._select(ReminderRow.identity_id == identity_id)
        return found[0] if found else None

    def due(self, *, now: datetime, platforms: Collection[str], limit: int) -> list[ReminderRecord]:
        return self._select(
            ReminderRow.next_at <= now, IdentityRow.platform.in_(list(platforms)), limit=limit
        )

    def _select(self, *where: Any, limit: int | None = None) -> list[ReminderRecord]:
        statement = (
            select(ReminderRow, IdentityRow)
            .join(IdentityRow, IdentityRow.id == ReminderRow.identity_id)
            .where(*where)
            .order_by(ReminderRow.next_at)
        )
        if limit is not None:
            statement = statement.limit(limit)
        return [
            ReminderRecord(
                identity=_identity(identity),
                at=time.fromisoformat(reminder.at_time),
                zone=reminder.zone,
                next_at=reminder.next_at,
            )
            for reminder, identity in self.db.execute(statement)
        ]

    def advance(self, identity_id: int, *, next_at: datetime) -> None:
        self.db.execute(
            update(ReminderRow)
            .where(ReminderRow.identity_id == identity_id)
            .values(next_at=next_at)
        )

    def claim(self, *, person: str, day: date, identity_id: int, at: datetime) -> None:
        row = ReminderSendRow(
            person=person, day=day.isoformat(), identity_id=identity_id, sent_at=at
        )
        _insert(self.db, row)  # DuplicateKey: this person's reminder of that day is taken

    def release(self, *, person: str, day: date) -> None:
        self.db.execute(
            delete(ReminderSendRow).where(
                ReminderSendRow.person == person, ReminderSendRow.day == day.isoformat()
            )
        )
