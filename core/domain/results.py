"""Plain results of the use cases; the adapters render these and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.domain.interview import question_label
from core.domain.model import AskedQuestion, Attempt, Evaluation, Session
from core.domain.roles import Difficulty

__all__ = [
    "AnswerOutcome",
    "AnswerStatus",
    "HintGiven",
    "QuestionAsked",
    "QuotaStatus",
    "SessionStarted",
    "SessionSummary",
    "TranscriptEntry",
]


@dataclass(frozen=True, slots=True)
class QuotaStatus:
    limit: int
    used: int
    resets_at: datetime

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True, slots=True)
class QuestionAsked:
    session: Session
    question: AskedQuestion
    duplicate: bool = False  # a double click or redelivery: this question was already asked

    @property
    def label(self) -> str:
        """ "Question 2 of 5" or "Follow-up on question 2 of 5"."""
        return question_label(self.question, self.session.question_count)


@dataclass(frozen=True, slots=True)
class SessionStarted(QuestionAsked):
    quota: QuotaStatus | None = None


class AnswerStatus(StrEnum):
    EVALUATED = "evaluated"
    FAILED = "failed"  # the answer is saved; the evaluation can be retried
    IN_PROGRESS = "in_progress"  # another worker holds the evaluation of this attempt


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    """What became of an answer. `duplicate` marks a redelivery or double click: render nothing new."""

    status: AnswerStatus
    session: Session
    question: AskedQuestion
    attempt: Attempt
    duplicate: bool = False
    has_next: bool = False  # another main question follows (else Next finishes the session)
    can_go_deeper: bool = False
    message: str = ""  # the user-facing reason when status is FAILED or IN_PROGRESS
    superseded: bool = False  # this delivery was not the answer taken (another message was first)

    @property
    def evaluation(self) -> Evaluation | None:
        return self.attempt.evaluation

    @property
    def label(self) -> str:
        return question_label(self.question, self.session.question_count)


@dataclass(frozen=True, slots=True)
class HintGiven:
    session: Session
    question: AskedQuestion
    hint: str
    hints_used: int
    hints_left: int = 0

    @property
    def label(self) -> str:
        return question_label(self.question, self.session.question_count)


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    question: AskedQuestion
    attempt: Attempt | None


@dataclass(frozen=True, slots=True)
class SessionSummary:
    session: Session
    average_score: float | None  # over every scored answer, follow-ups included
    answered: int  # main questions with a scored answer
    skipped: int  # main questions skipped
    follow_ups: int  # follow-up ("go deeper") answers scored
    strongest: tuple[str, ...]  # topics answered best
    weakest: tuple[str, ...]  # improvement tags that came back most
    practice_next: tuple[str, ...]  # concrete advice from the weakest tags
    criteria: dict[str, float] = field(default_factory=dict)  # average per-criterion scores
    transcript: tuple[TranscriptEntry, ...] = field(default=())
    already_finished: bool = False  # asked again after it ended: render nothing new
    difficulty_path: tuple[Difficulty, ...] = ()  # each main question's level, in order

    @property
    def adaptive_path(self) -> tuple[Difficulty, ...]:
        """The levels an adaptive interview took (empty for any other interview)."""
        return self.difficulty_path if self.session.adaptive else ()
