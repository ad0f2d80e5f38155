"""Question-of-the-day schedules and posts over SQLAlchemy. The conditional updates and the
(schedule, day) unique key are what make posting and revealing happen once."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session as DbSession

from core.adapters.sql.qotd_answers import SqlQotdAnswers
from core.adapters.sql.qotd_models import QotdAnswerRow, QotdPostRow, QotdScheduleRow
from core.adapters.sql.repositories import _insert
from core.domain.model import Question
from core.domain.qotd import ChannelRef, PostStatus, QotdPost, QotdSchedule, QotdSettings
from core.domain.roles import Difficulty, Role
from core.ports import DuplicateKey
from core.ports_qotd import PostFigures


class SqlQotd(SqlQotdAnswers):
    """The whole QotdRepository: schedules and posts here, answers and figures in the base."""

    def __init__(self, db: DbSession) -> None:
        super().__init__(db)

    # ------------------------------------------------------------ schedules

    def schedule_at(self, channel: ChannelRef) -> QotdSchedule | None:
        row = self.db.scalars(
            select(QotdScheduleRow).where(
                QotdScheduleRow.platform == channel.platform,
                QotdScheduleRow.tenant == channel.tenant,
                QotdScheduleRow.channel == channel.channel,
            )
        ).first()
        return schedule_from_row(row) if row else None

    def schedules_in(self, platform: str | None, tenant: str | None) -> list[QotdSchedule]:
        statement = select(QotdScheduleRow).order_by(QotdScheduleRow.id)
        if platform:
            statement = statement.where(QotdScheduleRow.platform == platform)
        if tenant:
            statement = statement.where(QotdScheduleRow.tenant == tenant)
        return [schedule_from_row(r) for r in self.db.scalars(statement)]

    def active_schedules(self) -> list[QotdSchedule]:
        rows = self.db.scalars(select(QotdScheduleRow).where(QotdScheduleRow.paused.is_(False)))
        return [schedule_from_row(r) for r in rows]

    def save_schedule(
        self, channel: ChannelRef, settings: QotdSettings, *, by: str, at: datetime
    ) -> QotdSchedule:
        values = _settings_values(settings) | {"updated_by": by, "updated_at": at}
        existing = self.schedule_at(channel)
        if existing is None:
            row = QotdScheduleRow(
                platform=channel.platform,
                tenant=channel.tenant,
                channel=channel.channel,
                paused=False,
                created_at=at,
                **values,
            )
            try:
                _insert(self.db, row, savepoint=True)
                return schedule_from_row(row)
            except DuplicateKey:  # another admin created it meanwhile: update theirs
                existing = self.schedule_at(channel)
                assert existing is not None
        self.db.execute(
            update(QotdScheduleRow).where(QotdScheduleRow.id == existing.id).values(**values)
        )
        found = self.schedule_at(channel)
        assert found is not None
        return found

    def set_paused(self, schedule_id: int, paused: bool, *, by: str, at: datetime) -> None:
        self.db.execute(
            update(QotdScheduleRow)
            .where(QotdScheduleRow.id == schedule_id)
            .values(paused=paused, updated_by=by, updated_at=at)
        )

    # ------------------------------------------------------------ posts

    def add_post(
        self,
        schedule: QotdSchedule,
        *,
        day: date,
        question: Question,
        opens_at: datetime,
        closes_at: datetime,
        at: datetime,
    ) -> QotdPost:
        row = QotdPostRow(
            schedule_id=schedule.id,
            day=day,
            role=question.role.value,
            difficulty=question.difficulty.value,
            bank_id=question.bank_id,
            bank_version=question.bank_version,
            text=question.text,
            reference_answer=question.reference_answer,
            key_points=list(question.key_points),
            topics=list(question.topics),
            hint=question.hint,
            opens_at=opens_at,
            closes_at=closes_at,
            status=PostStatus.CLAIMED.value,
            claimed_at=at,
        )
        _insert(self.db, row)  # DuplicateKey: another runner claimed this day
        return post_from_row(row, schedule.channel)

    def post_on(self, schedule_id: int, day: date) -> QotdPost | None:
        return self._post(QotdPostRow.schedule_id == schedule_id, QotdPostRow.day == day)

    def get_post(self, post_id: int) -> QotdPost | None:
        return self._post(QotdPostRow.id == post_id)

    def mark_posted(self, post_id: int, *, message_id: str | None, at: datetime) -> None:
        self.db.execute(
            update(QotdPostRow)
            .where(QotdPostRow.id == post_id)
            .values(status=PostStatus.OPEN.value, message_id=message_id, posted_at=at)
        )

    def drop_claim(self, post_id: int) -> None:
        self.db.execute(
            delete(QotdPostRow).where(
                QotdPostRow.id == post_id, QotdPostRow.status == PostStatus.CLAIMED.value
            )
        )

    def retake_claim(self, post_id: int, *, seen: datetime, at: datetime) -> bool:
        # Conditional on the claim time we saw: of two runners retaking it, one wins.
        result = self.db.execute(
            update(QotdPostRow)
            .where(
                QotdPostRow.id == post_id,
                QotdPostRow.status == PostStatus.CLAIMED.value,
                QotdPostRow.claimed_at == seen,
            )
            .values(claimed_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def bank_ids_posted(self, schedule_id: int) -> dict[str, datetime]:
        rows = self.db.execute(
            select(QotdPostRow.bank_id, func.max(QotdPostRow.opens_at))
            .where(QotdPostRow.schedule_id == schedule_id, QotdPostRow.bank_id.is_not(None))
            .group_by(QotdPostRow.bank_id)
        )
        return {bank_id: opened for bank_id, opened in rows if bank_id}

    def closing(self, *, now: datetime, stale_before: datetime, limit: int) -> list[QotdPost]:
        open_and_over = (QotdPostRow.status == PostStatus.OPEN.value) & (
            QotdPostRow.closes_at <= now
        )
        stalled = (QotdPostRow.status == PostStatus.REVEALING.value) & (
            QotdPostRow.claimed_at < stale_before
        )
        return self._posts(open_and_over | stalled, order=QotdPostRow.closes_at, limit=limit)

    def claim_reveal(self, post_id: int, *, at: datetime, stale_before: datetime) -> bool:
        takeable = (QotdPostRow.status == PostStatus.OPEN.value) | (
            (QotdPostRow.status == PostStatus.REVEALING.value)
            & (QotdPostRow.claimed_at < stale_before)
        )
        result = self.db.execute(
            update(QotdPostRow)
            .where(QotdPostRow.id == post_id, takeable)
            .values(status=PostStatus.REVEALING.value, claimed_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def end_reveal(self, post_id: int, *, revealed: bool, at: datetime) -> None:
        values: dict[str, Any] = (
            {"status": PostStatus.REVEALED.value, "revealed_at": at}
            if revealed
            else {"status": PostStatus.OPEN.value}  # the next run tries again
        )
        self.db.execute(update(QotdPostRow).where(QotdPostRow.id == post_id).values(**values))

    def recent_posts(self, schedule_id: int, *, since: date, limit: int) -> list[PostFigures]:
        scored = func.avg(QotdAnswerRow.score)  # only evaluated answers carry a score
        rows = self.db.execute(
            select(QotdPostRow, func.count(QotdAnswerRow.id), scored)
            .outerjoin(QotdAnswerRow, QotdAnswerRow.post_id == QotdPostRow.id)
            .where(QotdPostRow.schedule_id == schedule_id, QotdPostRow.day >= since)
            .group_by(QotdPostRow.id)
            .order_by(QotdPostRow.day.desc())
            .limit(limit)
        )
        schedule = self._schedule_channel(schedule_id)
        return [
            PostFigures(
                post_from_row(row, schedule),
                int(count),
                round(float(average), 1) if average is not None else None,
            )
            for row, count, average in rows
        ]

    # ------------------------------------------------------------ helpers

    def _schedule_channel(self, schedule_id: int) -> ChannelRef:
        row = self.db.get(QotdScheduleRow, schedule_id)
        assert row is not None
        return ChannelRef(row.platform, row.tenant, row.channel)

    def _post(self, *where: Any) -> QotdPost | None:
        found = self._posts(*where, limit=1)
        return found[0] if found else None

    def _posts(self, *where: Any, order: Any = None, limit: int = 100) -> list[QotdPost]:
        statement = (
            select(QotdPostRow, QotdScheduleRow.platform, QotdScheduleRow.tenant)
            .add_columns(QotdScheduleRow.channel)
            .join(QotdScheduleRow, QotdScheduleRow.id == QotdPostRow.schedule_id)
            .where(*where)
            .limit(limit)
        )
        if order is not None:
            statement = statement.order_by(order)
        return [
            post_from_row(row, ChannelRef(platform, tenant, channel))
            for row, platform, tenant, channel in self.db.execute(statement)
        ]


def _settings_values(settings: QotdSettings) -> dict[str, Any]:
    return {
        "post_at": settings.post_at.strftime("%H:%M"),
        "closes_at": settings.closes_at.strftime("%H:%M"),
        "timezone": settings.timezone,
        "weekdays": ",".join(str(d) for d in sorted(settings.weekdays)),
        "roles": [r.value for r in settings.roles],
        "difficulty": settings.difficulty.value,
    }


def schedule_from_row(row: QotdScheduleRow) -> QotdSchedule:
    settings = QotdSettings(
        post_at=time.fromisoformat(row.post_at),
        closes_at=time.fromisoformat(row.closes_at),
        timezone=row.timezone,
        weekdays=frozenset(int(d) for d in row.weekdays.split(",") if d),
        roles=tuple(Role(r) for r in row.roles),
        difficulty=Difficulty(row.difficulty),
    )
    return QotdSchedule(
        id=row.id,
        channel=ChannelRef(row.platform, row.tenant, row.channel),
        settings=settings,
        paused=bool(row.paused),
        updated_by=row.updated_by or "",
    )


def post_from_row(row: QotdPostRow, channel: ChannelRef) -> QotdPost:
    return QotdPost(
        id=row.id,
        schedule_id=row.schedule_id,
        channel=channel,
        day=row.day,
        question=Question(
            role=Role(row.role),
            difficulty=Difficulty(row.difficulty),
            text=row.text,
            reference_answer=row.reference_answer,
            key_points=tuple(row.key_points or ()),
            topics=tuple(row.topics or ()),
            hint=row.hint or "",
            bank_id=row.bank_id,
            bank_version=row.bank_version,
        ),
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        status=PostStatus(row.status),
        message_id=row.message_id,
        claimed_at=row.claimed_at,
        revealed_at=row.revealed_at,
    )
