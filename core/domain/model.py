"""Entities and values of an interview: who, where, which questions, which answers, how they scored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.domain.roles import Difficulty, Role

__all__ = [
    "AskedQuestion",
    "Attempt",
    "AttemptStatus",
    "BankRef",
    "ConversationRef",
    "Evaluation",
    "Evidence",
    "ItemKey",
    "ItemKind",
    "LlmUsage",
    "PlannedQuestion",
    "Platform",
    "PointVerdict",
    "Question",
    "QuestionKind",
    "Session",
    "SessionKind",
    "SessionStatus",
    "UserRef",
    "Verdict",
]


class Platform(StrEnum):
    """Where a person practises. Values are stored; labels are shown."""

    SLACK = "slack"
    DISCORD = "discord"
    WEB = "web"
    TERMINAL = "terminal"

    @property
    def label(self) -> str:
        return {"slack": "Slack", "discord": "Discord", "web": "Web", "terminal": "Terminal"}[
            self.value
        ]

    @classmethod
    def label_of(cls, value: str) -> str:
        """The label of a stored platform value (an unknown one is shown capitalised)."""
        try:
            return cls(value).label
        except ValueError:
            return value.capitalize()


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
    """A question with what a good answer contains; `bank_id` is set for bank questions, and
    `bank_version` for those of an imported bank (core.domain.banks): it is part of the
    evaluation cache key, so a corrected reference answer is never graded from an old grade."""

    role: Role
    difficulty: Difficulty
    text: str
    reference_answer: str
    key_points: tuple[str, ...]
    topics: tuple[str, ...] = ()
    hint: str = ""
    bank_id: str | None = None
    bank_version: int | None = None


@dataclass(frozen=True, slots=True)
class BankRef:
    """The version of an imported question bank a session draws from (core.domain.banks)."""

    name: str
    version: int


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

    @property
    def label(self) -> str:
        return {
            "active": "In progress",
            "completed": "Completed",
            "ended": "Ended early",
            "expired": "Expired",
        }[self.value]


class SessionKind(StrEnum):
    INTERVIEW = "interview"  # questions drawn from one role/difficulty pool as it goes
    REVIEW = "review"  # questions planned at the start from the person's due review items

    @property
    def label(self) -> str:
        return {"interview": "Mock interview", "review": "Review"}[self.value]


class ItemKind(StrEnum):
    """What a review card schedules: a bank question, or an improvement tag (a weak skill)."""

    QUESTION = "question"
    TAG = "tag"


@dataclass(frozen=True, slots=True, order=True)
class ItemKey:
    kind: ItemKind
    item: str  # the bank question id, or the tag's slug


@dataclass(frozen=True, slots=True)
class PlannedQuestion:
    """One main question of a review session, chosen when it started."""

    bank_id: str
    role: Role
    difficulty: Difficulty
    reviews: tuple[ItemKey, ...] = ()  # due items its answer stands in for (a tag, a question)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bank_id": self.bank_id,
            "role": self.role.value,
            "difficulty": self.difficulty.value,
            "reviews": [[k.kind.value, k.item] for k in self.reviews],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlannedQuestion:
        return cls(
            bank_id=str(data["bank_id"]),
            role=Role(data["role"]),
            difficulty=Difficulty(data["difficulty"]),
            reviews=tuple(ItemKey(ItemKind(k), str(i)) for k, i in data.get("reviews") or ()),
        )


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    identity_id: int
    conversation: ConversationRef
    role: Role
    difficulty: Difficulty  # where it started (adaptive and review questions carry their own)
    question_count: int
    status: SessionStatus
    created_at: datetime
    ended_at: datetime | None = None
    kind: SessionKind = SessionKind.INTERVIEW
    adaptive: bool = False  # the next main question's level follows the last answer's score
    plan: tuple[PlannedQuestion, ...] = ()  # a review session's main questions, in order
    last_activity_at: datetime | None = None  # what idle expiry goes by
    bank: BankRef | None = None  # the imported bank version it draws from; None: the built-in

    @property
    def is_active(self) -> bool:
        return self.status is SessionStatus.ACTIVE

    def finished(self, status: SessionStatus, at: datetime) -> Session:
        """This session as it stands once finished with `status`."""
        return replace(self, status=status, ended_at=at)


class Verdict(StrEnum):
    """How far an answer makes one key point."""

    COVERED = "covered"
    PARTIAL = "partial"
    MISSING = "missing"
    CONTRADICTED = "contradicted"  # the answer says the opposite


@dataclass(frozen=True, slots=True)
class PointVerdict:
    """One key point, the verdict on it, and the answer's own words that earned it (if any)."""

    point: str
    verdict: Verdict
    quote: str = ""  # verbatim from the answer; required for covered and partial
    credit: float | None = None  # 0–1 within the verdict's band; None: the band's default
    weight: float = 1.0  # relative weight of the point in the rubric

    def to_dict(self) -> dict[str, Any]:
        return {
            "point": self.point,
            "verdict": self.verdict.value,
            "quote": self.quote,
            "credit": self.credit,
            "weight": self.weight,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PointVerdict:
        credit = data.get("credit")
        return cls(
            point=str(data.get("point", "")),
            verdict=Verdict(str(data.get("verdict", Verdict.MISSING.value))),
            quote=str(data.get("quote") or ""),
            credit=None if credit is None else float(credit),
            weight=float(data.get("weight", 1.0)),
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """A strength of an answer, with the words of the answer that show it."""

    text: str
    quote: str = ""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What the interviewer says about one answer, after the grading policy (core.domain.grading)."""

    score: float  # 0–10, computed in code from the verdicts and criteria
    feedback: str
    ideal_answer: str
    tags: tuple[str, ...]  # improvement tags from core.domain.tags
    criteria: Mapping[str, float]  # per-criterion scores 0–10: correctness, depth, communication
    strengths: tuple[Evidence, ...] = ()  # each with a quote found in the answer
    missing: tuple[str, ...] = ()  # key points not (fully) made: the material for "go deeper"
    provider: str = ""
    prompt_version: str = ""
    points: tuple[PointVerdict, ...] = ()  # the rubric, point by point, with evidence
    graded_by: str = ""  # who graded, for people: "Gemini 2.5 Flash", "offline heuristic scorer"
    flags: tuple[str, ...] = ()  # why the grade was limited (core.domain.answer_signals)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "feedback": self.feedback,
            "ideal_answer": self.ideal_answer,
            "tags": list(self.tags),
            "criteria": dict(self.criteria),
            "strengths": [{"text": s.text, "quote": s.quote} for s in self.strengths],
            "missing": list(self.missing),
            "provider": self.provider,
            "prompt_version": self.prompt_version,
            "points": [p.to_dict() for p in self.points],
            "graded_by": self.graded_by,
            "flags": list(self.flags),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evaluation:
        return cls(
            score=float(data["score"]),
            feedback=str(data["feedback"]),
            ideal_answer=str(data["ideal_answer"]),
            tags=tuple(data.get("tags") or ()),
            criteria={str(k): float(v) for k, v in (data.get("criteria") or {}).items()},
            strengths=tuple(_evidence(s) for s in data.get("strengths") or ()),
            missing=tuple(data.get("missing") or ()),
            provider=str(data.get("provider", "")),
            prompt_version=str(data.get("prompt_version", "")),
            points=tuple(PointVerdict.from_dict(p) for p in data.get("points") or ()),
            graded_by=str(
                data.get("graded_by") or _LEGACY_GRADERS.get(str(data.get("provider")), "")
            ),
            flags=tuple(str(f) for f in data.get("flags") or ()),
        )


# Evaluations stored before `graded_by` existed name only their provider.
_LEGACY_GRADERS = {"offline": "offline heuristic scorer", "gemini": "Gemini"}


def _evidence(raw: object) -> Evidence:
    if isinstance(raw, Mapping):
        return Evidence(str(raw.get("text", "")), str(raw.get("quote") or ""))
    return Evidence(str(raw))  # stored before strengths carried quotes


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
