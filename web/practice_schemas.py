"""JSON shapes of the practice API, built from the core's results and its Interview aggregate."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from core.domain.banks import BankInfo
from core.domain.interview import Interview
from core.domain.results import AnswerOutcome, HintGiven, QuestionAsked, SessionSummary
from core.domain.roles import Difficulty
from web.params import MAX_POSITION, SHORT_TEXT
from web.practice_state import CLIENT_ID_PATTERN, Action, PracticeStart
from web.schemas import AttemptOut, QuestionOut, QuotaOut, SessionOut


class StartIn(BaseModel):
    role: str = Field(
        max_length=SHORT_TEXT, description="backend, frontend, ml, sre, … (aliases accepted)"
    )
    difficulty: str | None = Field(
        None,
        max_length=SHORT_TEXT,
        description=f"easy, medium or hard (default {Difficulty.DEFAULT.value})",
    )
    questions: int | None = Field(None, ge=1, le=50)
    bank: str | None = Field(
        None,
        max_length=SHORT_TEXT,
        description="a question bank from GET /api/practice/banks (default: the built-in one)",
    )
    request_id: str | None = Field(
        None,
        pattern=CLIENT_ID_PATTERN,
        description="8-64 letters, digits, - or _. Send the same id again to get the same "
        "interview back (idempotent)",
    )


class BankOut(BaseModel):
    """A question bank this account may practise on, with the roles and levels it offers."""

    name: str
    version: int
    description: str
    levels: dict[str, list[str]] = Field(description="role -> the levels it has questions for")

    @classmethod
    def of(cls, bank: BankInfo) -> BankOut:
        levels = {r.value: [d.value for d in bank.levels_of(r)] for r in bank.roles}
        return cls(
            name=bank.name, version=bank.version, description=bank.description, levels=levels
        )


class AnswerIn(BaseModel):
    # No max_length here: pydantic would refuse a lone surrogate with its own generic error
    # before the core's clear one (InvalidAnswerText). The body cap (web.limits) bounds it, and
    # the core checks Rules.max_answer_chars with its own message.
    text: str = Field(description="The answer (at most Rules.max_answer_chars characters)")
    position: int = Field(ge=1, le=MAX_POSITION, description="The question being answered")
    delivery_id: str = Field(
        pattern=CLIENT_ID_PATTERN,
        description="Unique per answer sent (8-64 letters, digits, - or _)",
    )


class PositionIn(BaseModel):
    position: int = Field(ge=1, le=MAX_POSITION)


class SkipIn(PositionIn):
    delivery_id: str = Field(pattern=CLIENT_ID_PATTERN)


class OutcomeOut(BaseModel):
    status: str = Field(description="in_progress (being evaluated), evaluated or failed")
    duplicate: bool
    superseded: bool
    has_next: bool
    can_go_deeper: bool
    message: str
    question: QuestionOut
    attempt: AttemptOut

    @classmethod
    def of(cls, o: AnswerOutcome) -> OutcomeOut:
        return cls(
            status=o.status.value,
            duplicate=o.duplicate,
            superseded=o.superseded,
            has_next=o.has_next,
            can_go_deeper=o.can_go_deeper,
            message=o.message,
            question=QuestionOut.of(o.question, label=o.label),
            attempt=AttemptOut.of(o.attempt),
        )


class AcceptedOut(OutcomeOut):
    """An answer stored and being evaluated in the background (or a repeat, as it stands)."""

    status_url: str = Field(
        description="Poll this (GET) until the question's step is no longer `evaluating`"
    )

    @classmethod
    def of_accepted(cls, o: AnswerOutcome, *, status_url: str) -> AcceptedOut:
        return cls(**OutcomeOut.of(o).model_dump(), status_url=status_url)


class SummaryOut(BaseModel):
    session: SessionOut
    average_score: float | None
    answered: int = Field(description="Main questions answered (follow-ups are counted apart)")
    follow_ups: int
    skipped: int
    strongest: list[str]
    weakest: list[str]
    practice_next: list[str]
    criteria: dict[str, float]

    @classmethod
    def of(cls, s: SessionSummary) -> SummaryOut:
        return cls(
            session=SessionOut.of(s.session),
            average_score=s.average_score,
            answered=s.answered,
            follow_ups=s.follow_ups,
            skipped=s.skipped,
            strongest=list(s.strongest),
            weakest=list(s.weakest),
            practice_next=list(s.practice_next),
            criteria=dict(s.criteria),
        )


class StepOut(BaseModel):
    """What follows an action: the next question, or the summary when the interview is over."""

    kind: Literal["question", "summary"]
    session: SessionOut
    question: QuestionOut | None = None
    summary: SummaryOut | None = None
    quota: QuotaOut | None = None

    @classmethod
    def of(cls, result: QuestionAsked | SessionSummary) -> StepOut:
        if isinstance(result, SessionSummary):
            return cls(
                kind="summary", session=SessionOut.of(result.session), summary=SummaryOut.of(result)
            )
        return cls(
            kind="question",
            session=SessionOut.of(result.session),
            question=QuestionOut.of(result.question, label=result.label),
        )

    @classmethod
    def of_start(cls, started: PracticeStart) -> StepOut:
        """A new interview's first question, or a repeated start's current one."""
        interview = started.interview
        current = interview.current
        return cls(
            kind="question",
            session=SessionOut.of(interview.session),
            question=QuestionOut.of(current, label=interview.label(current.position)),
            quota=QuotaOut.of(started.quota) if started.quota else None,
        )


class HintOut(BaseModel):
    hint: str
    hints_used: int
    hints_left: int

    @classmethod
    def of(cls, h: HintGiven) -> HintOut:
        return cls(hint=h.hint, hints_used=h.hints_used, hints_left=h.hints_left)


class PracticeEntryOut(BaseModel):
    question: QuestionOut
    attempt: AttemptOut | None
    step: str
    step_label: str


class PracticeOut(BaseModel):
    """Where an interview stands, as the core's Interview says: enough for a client to resume."""

    session: SessionOut
    step: str = Field(
        description="The current question's step: answer, evaluating, evaluated, "
        "failed, skipped or finished"
    )
    step_label: str
    question: QuestionOut = Field(description="The current question (the latest asked)")
    attempt: AttemptOut | None = Field(description="The answer to the current question, if any")
    actions: list[str] = Field(
        description="What may be posted now for the current question: answer, hint, skip, "
        "retry, next, deeper, end (none once the interview is over)"
    )
    has_next: bool = Field(description="Another main question follows (else next finishes)")
    can_go_deeper: bool
    follow_ups_left: int
    hints_left: int
    questions: list[PracticeEntryOut] = Field(description="Every question so far, in order")
    summary: SummaryOut | None = Field(None, description="Once the interview is over")

    @classmethod
    def of(
        cls,
        interview: Interview,
        *,
        offered: list[Action],
        summary: SessionSummary | None = None,
    ) -> PracticeOut:
        current = interview.current.position
        attempt = interview.attempt_at(current)
        return cls(
            session=SessionOut.of(interview.session),
            step=interview.step.value,
            step_label=interview.step.label,
            question=QuestionOut.of(interview.current, label=interview.label(current)),
            attempt=AttemptOut.of(attempt) if attempt else None,
            actions=[a.value for a in offered],
            has_next=interview.has_next(current),
            can_go_deeper=interview.can_go_deeper(current),
            follow_ups_left=interview.follow_ups_left(current),
            hints_left=interview.hints_left(current),
            questions=[_entry(interview, q.position) for q in interview.questions],
            summary=SummaryOut.of(summary) if summary else None,
        )


def _entry(interview: Interview, position: int) -> PracticeEntryOut:
    attempt = interview.attempt_at(position)
    step = interview.step_at(position)
    return PracticeEntryOut(
        question=QuestionOut.of(interview.question_at(position), label=interview.label(position)),
        attempt=AttemptOut.of(attempt) if attempt else None,
        step=step.value,
        step_label=step.label,
    )
