"""JSON shapes of the API (they document it in the OpenAPI schema), built from core results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from core.domain.history import Analytics, Breakdown, SessionDetail, SessionListItem
from core.domain.interview import question_label
from core.domain.model import AskedQuestion, Attempt, Evaluation, Session
from core.domain.results import QuotaStatus
from core.ports import IdentityRecord
from web import views


class ErrorOut(BaseModel):
    """Every error: `code` names it (`error` repeats it), `message` is a sentence for people."""

    error: str
    code: str
    message: str
    detail: Any = Field(None, description="fastapi-users' code, or the invalid fields")
    resets_at: datetime | None = Field(None, description="When the daily quota resets (429)")
    retry_at: datetime | None = Field(None, description="When to try again (429)")


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


# Statuses any route of the API may answer besides its own (documented for clients, and so the
# schema fuzzing in `make fuzz-api` holds every answer to the schema).
API_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("Not signed in: send a bearer token or the session cookie"),
    403: _error("Not allowed; or a cookie request without its X-CSRF-Token"),
    413: _error("The request body is too large"),
    422: _error("A value is missing or not valid"),
    429: _error("A limit was reached: Retry-After says when to try again"),
    503: _error("The database or Redis is unreachable; the message says what was stored"),
}


class SessionOut(BaseModel):
    id: int
    platform: str
    role: str
    difficulty: str
    status: str
    status_label: str
    question_count: int
    created_at: datetime
    ended_at: datetime | None

    @classmethod
    def of(cls, s: Session) -> SessionOut:
        return cls(
            id=s.id,
            platform=s.conversation.platform,
            role=s.role.value,
            difficulty=s.difficulty.value,
            status=s.status.value,
            status_label=s.status.label,
            question_count=s.question_count,
            created_at=s.created_at,
            ended_at=s.ended_at,
        )


class SessionItemOut(SessionOut):
    answered: int
    average_score: float | None

    @classmethod
    def of_item(cls, item: SessionListItem) -> SessionItemOut:
        base = SessionOut.of(item.session).model_dump()
        return cls(**base, answered=item.answered, average_score=item.average_score)


class SessionPageOut(BaseModel):
    items: list[SessionItemOut]
    total: int
    page: int
    per_page: int
    pages: int


class EvaluationOut(BaseModel):
    score: float
    band: str
    feedback: str
    ideal_answer: str
    tags: list[str]
    criteria: dict[str, float]
    strengths: list[str]
    missing: list[str]

    @classmethod
    def of(cls, e: Evaluation) -> EvaluationOut:
        return cls(
            score=e.score,
            band=views.band_name(e.score),
            feedback=e.feedback,
            ideal_answer=e.ideal_answer,
            tags=list(e.tags),
            criteria=dict(e.criteria),
            strengths=[s.text for s in e.strengths],
            missing=list(e.missing),
        )


class AttemptOut(BaseModel):
    answer: str
    status: str
    created_at: datetime
    cached: bool
    evaluation: EvaluationOut | None

    @classmethod
    def of(cls, a: Attempt) -> AttemptOut:
        evaluation = EvaluationOut.of(a.evaluation) if a.evaluation else None
        return cls(
            answer=a.answer,
            status=a.status.value,
            created_at=a.created_at,
            cached=a.cached,
            evaluation=evaluation,
        )


class QuestionOut(BaseModel):
    position: int
    label: str
    kind: str
    main_index: int
    follow_up_of: int | None
    text: str
    topics: list[str]
    hints_used: int

    @classmethod
    def of(cls, q: AskedQuestion, *, label: str) -> QuestionOut:
        """`label` is the core's: Interview.label, or the label of a core result."""
        return cls(
            position=q.position,
            label=label,
            kind=q.kind.value,
            main_index=q.main_index,
            follow_up_of=q.follow_up_of,
            text=q.question.text,
            topics=list(q.question.topics),
            hints_used=q.hints_used,
        )


class EntryOut(BaseModel):
    question: QuestionOut
    attempt: AttemptOut | None


class SessionDetailOut(BaseModel):
    session: SessionOut
    average_score: float | None
    entries: list[EntryOut]

    @classmethod
    def of(cls, d: SessionDetail) -> SessionDetailOut:
        return cls(
            session=SessionOut.of(d.session),
            average_score=d.average_score,
            entries=[
                EntryOut(
                    question=QuestionOut.of(q, label=question_label(q, d.session.question_count)),
                    attempt=AttemptOut.of(a) if a else None,
                )
                for q, a in d.entries
            ],
        )


class BreakdownOut(BaseModel):
    key: str
    label: str
    count: int
    average_score: float | None


def _rows(rows: list[Breakdown], label: Callable[[str], str] = str) -> list[BreakdownOut]:
    return [
        BreakdownOut(key=r.key, label=label(r.key), count=r.count, average_score=r.average_score)
        for r in rows
    ]


class DayValue(BaseModel):
    day: date
    value: float


class LlmOut(BaseModel):
    calls: int
    failures: int
    average_latency_ms: float | None
    p95_latency_ms: float | None
    input_tokens: int
    output_tokens: int


class AnalyticsOut(BaseModel):
    days: int
    sessions: int
    attempts: int = Field(
        description="Answers scored, follow-ups included (skipped or unscored ones do not count)"
    )
    average_score: float | None
    attempts_per_session: float | None = Field(description="`attempts` per session")
    cache_hit_rate: float | None
    streak_days: int
    sessions_per_day: list[DayValue]
    score_trend: list[DayValue]
    by_role: list[BreakdownOut]
    by_difficulty: list[BreakdownOut]
    by_tag: list[BreakdownOut]
    by_platform: list[BreakdownOut]
    by_workspace: list[BreakdownOut]
    llm: LlmOut

    @classmethod
    def of(cls, a: Analytics, *, days: int, today: date) -> AnalyticsOut:
        return cls(
            days=days,
            sessions=a.sessions,
            attempts=a.attempts,
            average_score=a.average_score,
            attempts_per_session=a.attempts_per_session,
            cache_hit_rate=a.cache_hit_rate,
            streak_days=a.streak_days(today),
            sessions_per_day=[DayValue(day=d, value=n) for d, n in a.sessions_per_day],
            score_trend=[DayValue(day=d, value=v) for d, v in a.score_trend],
            by_role=_rows(a.by_role, views.role_label),
            by_difficulty=_rows(a.by_difficulty, views.difficulty_label),
            by_tag=_rows(a.by_tag, views.tag_label),
            by_platform=_rows(a.by_platform, views.platform_label),
            by_workspace=_rows(a.by_workspace, views.workspace_label),
            llm=LlmOut(**{f: getattr(a.llm, f) for f in LlmOut.model_fields}),
        )


class QuotaOut(BaseModel):
    limit: int
    used: int
    remaining: int
    resets_at: datetime

    @classmethod
    def of(cls, q: QuotaStatus) -> QuotaOut:
        return cls(limit=q.limit, used=q.used, remaining=q.remaining, resets_at=q.resets_at)


class IdentityOut(BaseModel):
    id: int
    platform: str
    tenant: str
    user: str
    label: str

    @classmethod
    def of(cls, i: IdentityRecord) -> IdentityOut:
        return cls(
            id=i.id,
            platform=i.user.platform,
            tenant=i.user.tenant,
            user=i.user.user,
            label=views.identity_label(i),
        )


class DashboardOut(BaseModel):
    sessions_this_week: int
    total_sessions: int
    average_score: float | None
    streak_days: int
    quota: QuotaOut
    recent: list[SessionItemOut]
    active_practice: SessionOut | None
    linked: list[IdentityOut]


class LinkIn(BaseModel):
    code: str = Field(
        max_length=32, description='The one-time code from `/interview link`, e.g. "ABCD-EFGH"'
    )


class DeletedOut(BaseModel):
    deleted_identities: int = Field(description="Identities removed, the browser's included")
    sessions: int = Field(description="Sessions deleted with their questions and answers")
    unlinked: list[IdentityOut] = Field(
        description="The chat identities (Slack, Discord, terminal) removed and so unlinked"
    )
