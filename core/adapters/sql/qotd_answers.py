"""Question-of-the-day answers, leaderboard members and weekly boards over SQLAlchemy. As with
interview attempts, conditional updates keep one evaluation and one delivery per answer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session as DbSession

from core.adapters.sql.models import IdentityRow
from core.adapters.sql.qotd_models import (
    QotdAnswerRow,
    QotdMemberRow,
    QotdPostRow,
    QotdScheduleRow,
    QotdWeeklyBoardRow,
)
from core.adapters.sql.repositories import _insert
from core.domain.model import Evaluation, LlmUsage, UserRef
from core.domain.qotd import AnswerStatus, ChannelRef, QotdAnswer
from core.domain.qotd_figures import MemberWeek, ScoredAnswer
from core.ports import DuplicateKey
from core.ports_qotd import MyAnswer

_OPEN = (AnswerStatus.PENDING.value, AnswerStatus.FAILED.value)
_EVALUATED = AnswerStatus.EVALUATED.value
ANSWER_COLUMNS = (
    *QotdAnswerRow.__table__.columns,
    IdentityRow.platform,
    IdentityRow.tenant,
    IdentityRow.external_user,
)


class SqlQotdAnswers:
    def __init__(self, db: DbSession) -> None:
        self.db = db

    # ------------------------------------------------------------ answers

    def add_answer(
        self,
        *,
        post_id: int,
        identity_id: int,
        delivery_id: str,
        answer: str,
        at: datetime,
        reply_handle: str | None,
        reply_until: datetime | None,
    ) -> QotdAnswer:
        row = QotdAnswerRow(
            post_id=post_id,
            identity_id=identity_id,
            delivery_id=delivery_id,
            answer=answer,
            status=AnswerStatus.PENDING.value,
            created_at=at,
            cached=False,
            failures=0,
            auto_retry=True,
            reply_handle=reply_handle,
            reply_until=reply_until,
        )
        _insert(self.db, row)  # DuplicateKey: one answer per person (and per delivery)
        found = self.get_answer(row.id)
        assert found is not None
        return found

    def answer_by(self, post_id: int, identity_id: int) -> QotdAnswer | None:
        return self._answer(
            QotdAnswerRow.post_id == post_id, QotdAnswerRow.identity_id == identity_id
        )

    def get_answer(self, answer_id: int) -> QotdAnswer | None:
        return self._answer(QotdAnswerRow.id == answer_id)

    def record_evaluation(
        self,
        answer_id: int,
        evaluation: Evaluation,
        *,
        cached: bool,
        usage: LlmUsage | None,
        at: datetime,
    ) -> bool:
        result = self.db.execute(
            update(QotdAnswerRow)
            .where(QotdAnswerRow.id == answer_id, QotdAnswerRow.status.in_(_OPEN))
            .values(
                status=_EVALUATED,
                score=evaluation.score,
                evaluation=evaluation.to_dict(),
                cached=cached,
                error_kind=None,
                evaluated_at=at,
                model=usage.model if usage else None,
                latency_ms=usage.latency_ms if usage else None,
                input_tokens=usage.input_tokens if usage else None,
                output_tokens=usage.output_tokens if usage else None,
                graded_by=evaluation.graded_by[:64] or None,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def record_failure(
        self, answer_id: int, *, error_kind: str, auto_retry: bool, at: datetime
    ) -> bool:
        result = self.db.execute(
            update(QotdAnswerRow)
            .where(QotdAnswerRow.id == answer_id, QotdAnswerRow.status.in_(_OPEN))
            .values(
                status=AnswerStatus.FAILED.value,
                error_kind=error_kind,
                failures=QotdAnswerRow.failures + 1,
                last_failed_at=at,
                auto_retry=auto_retry,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def claim_delivery(self, answer_id: int, *, at: datetime) -> bool:
        # Of two workers that both finished (a lock that expired), one sends the evaluation.
        result = self.db.execute(
            update(QotdAnswerRow)
            .where(QotdAnswerRow.id == answer_id, QotdAnswerRow.delivered_at.is_(None))
            .values(delivered_at=at, reply_handle=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def release_delivery(self, answer_id: int) -> None:
        self.db.execute(
            update(QotdAnswerRow).where(QotdAnswerRow.id == answer_id).values(delivered_at=None)
        )

    def retryable_answers(
        self, *, stuck_before: datetime, max_failures: int, limit: int
    ) -> list[QotdAnswer]:
        failed = (
            (QotdAnswerRow.status == AnswerStatus.FAILED.value)
            & QotdAnswerRow.auto_retry.is_(True)
            & (QotdAnswerRow.failures < max_failures)
        )
        stuck = (QotdAnswerRow.status == AnswerStatus.PENDING.value) & (
            QotdAnswerRow.created_at < stuck_before
        )
        order = func.coalesce(QotdAnswerRow.last_failed_at, QotdAnswerRow.created_at)
        return self._answers(failed | stuck, order=order, limit=limit)

    def undelivered(self, *, before: datetime, limit: int) -> list[QotdAnswer]:
        finished = (QotdAnswerRow.status == _EVALUATED) | (
            (QotdAnswerRow.status == AnswerStatus.FAILED.value)
            & QotdAnswerRow.auto_retry.is_(False)
        )
        where = (
            finished
            & QotdAnswerRow.delivered_at.is_(None)
            & (func.coalesce(QotdAnswerRow.evaluated_at, QotdAnswerRow.last_failed_at) < before)
        )
        return self._answers(where, order=QotdAnswerRow.id, limit=limit)

    def pending_count(self, post_id: int) -> int:
        return int(
            self.db.scalar(
                select(func.count()).where(
                    QotdAnswerRow.post_id == post_id, QotdAnswerRow.status.in_(_OPEN)
                )
            )
            or 0
        )

    def scored_answers(self, post_id: int) -> tuple[int, list[ScoredAnswer]]:
        """Every evaluated answer's score; the author's name only if they joined the board."""
        total = self.db.scalar(select(func.count()).where(QotdAnswerRow.post_id == post_id)) or 0
        rows = self.db.execute(
            select(
                QotdAnswerRow.score,
                QotdMemberRow.identity_id,
                IdentityRow.display_name,
                IdentityRow.external_user,
            )
            .join(IdentityRow, IdentityRow.id == QotdAnswerRow.identity_id)
            .outerjoin(QotdMemberRow, QotdMemberRow.identity_id == QotdAnswerRow.identity_id)
            .where(QotdAnswerRow.post_id == post_id, QotdAnswerRow.status == _EVALUATED)
        )
        scored = [
            ScoredAnswer(float(score), (name or user) if member is not None else None)
            for score, member, name, user in rows
        ]
        return int(total), scored

    def answers_of(self, identity_ids: Sequence[int], *, limit: int) -> list[MyAnswer]:
        from core.adapters.sql.qotd import post_from_row

        rows = self.db.execute(
            select(
                QotdPostRow,
                QotdScheduleRow.platform,
                QotdScheduleRow.tenant,
                QotdScheduleRow.channel,
                *ANSWER_COLUMNS,
            )
            .join(QotdAnswerRow, QotdAnswerRow.post_id == QotdPostRow.id)
            .join(QotdScheduleRow, QotdScheduleRow.id == QotdPostRow.schedule_id)
            .join(IdentityRow, IdentityRow.id == QotdAnswerRow.identity_id)
            .where(QotdAnswerRow.identity_id.in_(list(identity_ids)))
            .order_by(QotdAnswerRow.created_at.desc(), QotdAnswerRow.id.desc())
            .limit(limit)
        )
        found = []
        for row in rows:
            channel = ChannelRef(row[1], row[2], row[3])
            found.append(MyAnswer(post_from_row(row[0], channel), answer_from_row(row)))
        return found

    # ------------------------------------------------------------ the leaderboard (opt-in)

    def join(self, identity_id: int, *, at: datetime) -> bool:
        if self.is_member(identity_id):
            return False
        try:
            _insert(self.db, QotdMemberRow(identity_id=identity_id, joined_at=at), savepoint=True)
        except DuplicateKey:
            return False
        return True

    def leave(self, identity_id: int) -> bool:
        result = self.db.execute(
            delete(QotdMemberRow).where(QotdMemberRow.identity_id == identity_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def is_member(self, identity_id: int) -> bool:
        return self.db.get(QotdMemberRow, identity_id) is not None

    def member_count(self, platform: str, tenant: str) -> int:
        return int(
            self.db.scalar(
                select(func.count())
                .select_from(QotdMemberRow)
                .join(IdentityRow, IdentityRow.id == QotdMemberRow.identity_id)
                .where(IdentityRow.platform == platform, IdentityRow.tenant == tenant)
            )
            or 0
        )

    def member_weeks(
        self, schedule_id: int, *, since: datetime, until: datetime
    ) -> list[MemberWeek]:
        this_week = and_(
            QotdAnswerRow.post_id == QotdPostRow.id,
            QotdPostRow.schedule_id == schedule_id,
            QotdPostRow.opens_at >= since,
            QotdPostRow.opens_at < until,
        )
        rows = self.db.execute(
            select(
                QotdMemberRow.identity_id,
                IdentityRow.display_name,
                IdentityRow.external_user,
                func.count(QotdAnswerRow.score),
                func.coalesce(func.sum(QotdAnswerRow.score), 0.0),
            )
            .join(QotdAnswerRow, QotdAnswerRow.identity_id == QotdMemberRow.identity_id)
            .join(QotdPostRow, this_week)
            .join(IdentityRow, IdentityRow.id == QotdMemberRow.identity_id)
            .where(QotdAnswerRow.status == _EVALUATED)
            .group_by(
                QotdMemberRow.identity_id, IdentityRow.display_name, IdentityRow.external_user
            )
        )
        return [
            MemberWeek(identity_id, name or user, int(count), float(total))
            for identity_id, name, user, count, total in rows
        ]

    def post_days(self, schedule_id: int, *, since: date) -> list[date]:
        rows = self.db.scalars(
            select(QotdPostRow.day)
            .where(QotdPostRow.schedule_id == schedule_id, QotdPostRow.day >= since)
            .order_by(QotdPostRow.day.desc())
        )
        return list(rows)

    def answered_days(
        self, schedule_id: int, identity_ids: Sequence[int], *, since: date
    ) -> dict[int, set[date]]:
        rows = self.db.execute(
            select(QotdAnswerRow.identity_id, QotdPostRow.day)
            .join(QotdPostRow, QotdPostRow.id == QotdAnswerRow.post_id)
            .where(
                QotdPostRow.schedule_id == schedule_id,
                QotdPostRow.day >= since,
                QotdAnswerRow.identity_id.in_(list(identity_ids)),
            )
        )
        days: dict[int, set[date]] = defaultdict(set)
        for identity_id, day in rows:
            days[identity_id].add(day)
        return dict(days)

    def participation(self, schedule_id: int, *, since: date) -> list[tuple[date, int]]:
        rows = self.db.execute(
            select(QotdPostRow.day, func.count(QotdAnswerRow.id))
            .outerjoin(QotdAnswerRow, QotdAnswerRow.post_id == QotdPostRow.id)
            .where(QotdPostRow.schedule_id == schedule_id, QotdPostRow.day >= since)
            .group_by(QotdPostRow.day)
            .order_by(QotdPostRow.day)
        )
        return [(day, int(count)) for day, count in rows]

    def claim_week(self, schedule_id: int, week: str, *, at: datetime) -> bool:
        row = QotdWeeklyBoardRow(schedule_id=schedule_id, week=week, claimed_at=at)
        try:
            _insert(self.db, row)
        except DuplicateKey:
            return False
        return True

    def drop_week(self, schedule_id: int, week: str) -> None:
        self.db.execute(
            delete(QotdWeeklyBoardRow).where(
                QotdWeeklyBoardRow.schedule_id == schedule_id, QotdWeeklyBoardRow.week == week
            )
        )

    # ------------------------------------------------------------ helpers

    def _answer(self, *where: Any) -> QotdAnswer | None:
        found = self._answers(*where, limit=1)
        return found[0] if found else None

    def _answers(self, *where: Any, order: Any = None, limit: int = 100) -> list[QotdAnswer]:
        statement = (
            select(*ANSWER_COLUMNS)
            .join(IdentityRow, IdentityRow.id == QotdAnswerRow.identity_id)
            .where(*where)
            .limit(limit)
        )
        if order is not None:
            statement = statement.order_by(order)
        return [answer_from_row(row) for row in self.db.execute(statement)]


def answer_from_row(row: Any) -> QotdAnswer:
    usage = (
        LlmUsage(row.model, row.latency_ms or 0.0, row.input_tokens or 0, row.output_tokens or 0)
        if row.model
        else None
    )
    return QotdAnswer(
        id=row.id,
        post_id=row.post_id,
        identity_id=row.identity_id,
        user=UserRef(row.platform, row.tenant, row.external_user),
        delivery_id=row.delivery_id,
        answer=row.answer,
        status=AnswerStatus(row.status),
        created_at=row.created_at,
        evaluation=Evaluation.from_dict(row.evaluation) if row.evaluation else None,
        cached=bool(row.cached),
        usage=usage,
        error_kind=row.error_kind,
        failures=row.failures or 0,
        last_failed_at=row.last_failed_at,
        auto_retry=bool(row.auto_retry),
        evaluated_at=row.evaluated_at,
        delivered_at=row.delivered_at,
        reply_handle=row.reply_handle,
        reply_until=row.reply_until,
    )
