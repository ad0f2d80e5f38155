"""Analytics over the history: grouped in SQL where it can be, per-day buckets in the quota zone."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from statistics import fmean
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from core.adapters.sql.models import (
    AttemptRow,
    AttemptTagRow,
    LlmCallRow,
    SessionRow,
)
from core.domain.history import Analytics, Breakdown, LlmFigures

EVALUATED = "evaluated"
LATENCY_SAMPLE = 5000  # recent calls used for the latency percentiles


class SqlAnalytics:
    def __init__(self, session_factory: sessionmaker[Any]) -> None:
        self._factory = session_factory

    def analytics(
        self,
        identity_ids: Sequence[int] | None,
        *,
        since: datetime,
        timezone: ZoneInfo,
        platform: str | None = None,
        tenant: str | None = None,
    ) -> Analytics:
        """Figures for a person (their identity ids) or, with None, for the whole team."""
        scope: list[Any] = [SessionRow.created_at >= since]
        if identity_ids is not None:
            scope.append(SessionRow.identity_id.in_(list(identity_ids)))
        if platform:
            scope.append(SessionRow.platform == platform)
        if tenant:
            scope.append(SessionRow.tenant == tenant)
        with self._factory() as db:
            sessions = db.execute(
                select(SessionRow.identity_id, SessionRow.created_at).where(*scope)
            ).all()
            # Only evaluated attempts are answers: a skipped question, or an answer whose
            # evaluation failed or is still running, is not counted (nor averaged).
            attempts = db.execute(
                select(AttemptRow.evaluated_at, AttemptRow.score, AttemptRow.cached)
                .join(SessionRow, SessionRow.id == AttemptRow.session_id)
                .where(*scope, AttemptRow.status == EVALUATED)
            ).all()
            by_role = self._grouped(db, SessionRow.role, scope)
            by_difficulty = self._grouped(db, SessionRow.difficulty, scope)
            by_platform = self._grouped(db, SessionRow.platform, scope)
            by_tag = self._by_tag(db, scope)
            llm = self._llm(db, scope, since, team_wide=identity_ids is None and not tenant)
            by_workspace = (
                self._grouped(db, SessionRow.platform + ":" + SessionRow.tenant, scope)
                if identity_ids is None
                else []
            )
        return _assemble(
            sessions,
            attempts,
            timezone,
            by_role,
            by_difficulty,
            by_tag,
            by_platform,
            llm,
            by_workspace,
        )

    @staticmethod
    def _grouped(db: Any, column: Any, scope: list[Any]) -> list[Breakdown]:
        rows = db.execute(
            select(
                column,
                func.count(func.distinct(SessionRow.id)),
                func.avg(AttemptRow.score),
            )
            .outerjoin(
                AttemptRow,
                (AttemptRow.session_id == SessionRow.id) & (AttemptRow.status == EVALUATED),
            )
            .where(*scope)
            .group_by(column)
            .order_by(func.count(func.distinct(SessionRow.id)).desc())
        )
        return [Breakdown(str(key), int(n), _round(avg)) for key, n, avg in rows]

    @staticmethod
    def _by_tag(db: Any, scope: list[Any]) -> list[Breakdown]:
        rows = db.execute(
            select(AttemptTagRow.tag, func.count(), func.avg(AttemptRow.score))
            .join(AttemptRow, AttemptRow.id == AttemptTagRow.attempt_id)
            .join(SessionRow, SessionRow.id == AttemptRow.session_id)
            .where(*scope, AttemptRow.status == EVALUATED)
            .group_by(AttemptTagRow.tag)
            .order_by(func.count().desc(), AttemptTagRow.tag)
        )
        return [Breakdown(tag, int(n), _round(avg)) for tag, n, avg in rows]

    @staticmethod
    def _llm(db: Any, scope: list[Any], since: datetime, *, team_wide: bool) -> LlmFigures:
        query = select(
            LlmCallRow.ok, LlmCallRow.latency_ms, LlmCallRow.input_tokens, LlmCallRow.output_tokens
        ).where(LlmCallRow.created_at >= since)
        if not team_wide:  # a person's (or one workspace's) calls: those tied to their answers
            query = (
                query.join(AttemptRow, AttemptRow.id == LlmCallRow.attempt_id)
                .join(SessionRow, SessionRow.id == AttemptRow.session_id)
                .where(*scope)
            )
        rows = db.execute(query.order_by(LlmCallRow.id.desc()).limit(LATENCY_SAMPLE)).all()
        latencies = sorted(r.latency_ms for r in rows if r.latency_ms is not None)
        return LlmFigures(
            calls=len(rows),
            failures=sum(not r.ok for r in rows),
            average_latency_ms=_round(fmean(latencies)) if latencies else None,
            p95_latency_ms=_round(_nearest_rank(latencies, 0.95)) if latencies else None,
            input_tokens=sum(r.input_tokens or 0 for r in rows),
            output_tokens=sum(r.output_tokens or 0 for r in rows),
        )


def _assemble(
    sessions: Sequence[Any],  # (identity_id, created_at)
    attempts: Sequence[Any],  # (evaluated_at, score, cached) of evaluated answers
    timezone: ZoneInfo,
    by_role: list[Breakdown],
    by_difficulty: list[Breakdown],
    by_tag: list[Breakdown],
    by_platform: list[Breakdown],
    llm: LlmFigures,
    by_workspace: list[Breakdown],
) -> Analytics:
    per_day: Counter[date] = Counter()
    per_person_day: Counter[tuple[int, date]] = Counter()
    for identity_id, created in sessions:
        day = created.astimezone(timezone).date()
        per_day[day] += 1
        per_person_day[(identity_id, day)] += 1
    scores_by_day: dict[date, list[float]] = defaultdict(list)
    for evaluated_at, score, _ in attempts:
        if evaluated_at is not None and score is not None:
            scores_by_day[evaluated_at.astimezone(timezone).date()].append(score)
    scores = [s for _, s, _ in attempts if s is not None]
    answers = len(attempts)
    return Analytics(
        sessions=len(sessions),
        attempts=answers,
        average_score=_round(fmean(scores)) if scores else None,
        attempts_per_session=_round(answers / len(sessions)) if sessions else None,
        sessions_per_day=sorted(per_day.items()),
        score_trend=[(d, round(fmean(v), 1)) for d, v in sorted(scores_by_day.items())],
        by_role=by_role,
        by_difficulty=by_difficulty,
        by_tag=by_tag,
        by_platform=by_platform,
        cached_evaluations=sum(bool(c) for _, _, c in attempts),
        evaluations=len(attempts),
        llm=llm,
        practice_days=sorted(per_day),
        sessions_per_person_day=sorted(per_person_day.values()),
        by_workspace=by_workspace,
    )


def _nearest_rank(ordered: list[float], quantile: float) -> float:
    """The smallest value with at least `quantile` of the sample at or below it."""
    return ordered[max(0, math.ceil(quantile * len(ordered)) - 1)]


def _round(value: Any) -> float | None:
    return round(float(value), 1) if value is not None else None
