"""Entities and values of an interview: who, where, which questions, which answers, how they scored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.domain.roles import Difficulty, Role

__all__ = [
    "AskedQuestion",
    "Attempt",
    "AttemptStatus",
    "ConversationRef",
    "Evaluation",
    "LlmUsage",
    "Question",
    "QuestionKind",
    "Session",
    "SessionStatus",
    "UserRef",
]


@dataclass(frozen=True, slots=True)
class UserRef:
    """A person on one platform: (platform, tenant, user). Tenant is the Slack team or Discord guild."""

    platform: str
    tenant: str
    user: str

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.tenant}:{self.user}"


@dataclass(frozen=True, slots=True)
class ConversationRef:
    """Where an interview happens: a channel, and the thread inside it once one exists."""

    platform: str
    tenant: str
    channel: str
    user: str
    thread: str | None = None

    @property
    def user_ref(self) -> UserRef:
        return UserRef(self.platform, self.tenant, self.user)


@dataclass(frozen=True, slots=True)
class Question:
    """A question with what a good answer contains; `bank_id` is set for shipped-bank questions."""

    role: Role
    difficulty: Difficulty
    text: str
    reference_answer: str
    key_points: tuple[str, ...]
    topics: tuple[str, ...] = ()
    hint: str = ""
    bank_id: str | None = None


class QuestionKind(StrEnum):
    MAIN = "main"
    FOLLOW_UP = "follow_up"


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    """A question as asked in one session, at a position (1, 2, 3, ... follow-ups included)."""

    session_id: int
    position: int
    kind: QuestionKind
    main_index: int  # which of the session's N main questions this is (follow-ups share it)
    question: Question
    asked_at: datetime
    follow_up_of: int | None = None
    hints_used: int = 0


class SessionStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    ENDED = "ended"  # ended early by the candidate
    EXPIRED = "expired"  # abandoned, closed by maintenance


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    identity_id: int
    conversation: ConversationRef
    role: Role
    difficulty: Difficulty
    question_count: int
    status: SessionStatus
    created_at: datetime
    ended_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.status is SessionStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What the interviewer says about one answer."""

    score: float  # 0–10
    feedback: str
    ideal_answer: str
    tags: tuple[str, ...]  # improvement tags from core.domain.tags
    criteria: Mapping[str, float]  # per-criterion scores 0–10: correctness, depth, communication
    strengths: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # gaps, the material for "go deeper"
    provider: str = ""
    prompt_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "feedback": self.feedback,
            "ideal_answer": self.ideal_answer,
            "tags": list(self.tags),
            "criteria": dict(self.criteria),
            "strengths": list(self.strengths),
            "missing": list(self.missing),
            "provider": self.provider,
            "prompt_version": self.prompt_version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evaluation:
        return cls(
            score=float(data["score"]),
            feedback=str(data["feedback"]),
            ideal_answer=str(data["ideal_answer"]),
            tags=tuple(data.get("tags") or ()),
            criteria={str(k): float(v) for k, v in (data.get("criteria") or {}).items()},
            strengths=tuple(data.get("strengths") or ()),
            missing=tuple(data.get("missing") or ()),
            provider=str(data.get("provider", "")),
            prompt_version=str(data.get("prompt_version", "")),
        )


@dataclass(frozen=True, slots=True)
class LlmUsage:
    """Cost of one model call, recorded for analytics."""

    model: str
    latency_ms: float
    input_tokens: int = 0
    output_tokens: int = 0


class AttemptStatus(StrEnum):
    PENDING = "pending"  # saved, not yet evaluated (or being evaluated)
    EVALUATED = "evaluated"
    FAILED = "failed"  # evaluation failed; the answer is kept and can be retried
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Attempt:
    """The candidate's answer to one asked question, and its evaluation once there is one."""

    id: int
    session_id: int
    position: int
    delivery_id: str
    answer: str
    status: AttemptStatus
    created_at: datetime
    evaluation: Evaluation | None = None
    cached: bool = False
    error_kind: str | None = None
    evaluated_at: datetime | None = None
    usage: LlmUsage | None = field(default=None)
    failures: int = 0  # evaluations that failed so far (the maintenance job stops at a cap)
    last_failed_at: datetime | None = None
    auto_retry: bool = True  # False when retrying cannot help (a blocked or refused request)
