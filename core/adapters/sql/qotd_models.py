"""Tables of the team question of the day (migration 0007). Unique keys are the guards: one
question per channel per day, one answer per person per question, one weekly board per week."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.adapters.sql.models import Base, BigId, LongText, UtcDateTime


class QotdScheduleRow(Base):
    """A channel's question-of-the-day settings (per workspace/guild and channel)."""

    __tablename__ = "qotd_schedules"
    __table_args__ = (UniqueConstraint("platform", "tenant", "channel"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(64))
    post_at: Mapped[str] = mapped_column(String(5))  # "09:30", local to `timezone`
    closes_at: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    weekdays: Mapped[str] = mapped_column(String(16))  # "0,1,2,3,4" (Monday is 0)
    roles: Mapped[list[str]] = mapped_column(JSON)
    difficulty: Mapped[str] = mapped_column(String(16))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QotdPostRow(Base):
    """One day's question in one channel. The (schedule, day) key is the posting claim."""

    __tablename__ = "qotd_posts"
    __table_args__ = (
        UniqueConstraint("schedule_id", "day"),
        Index(None, "status", "closes_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    schedule_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("qotd_schedules.id", ondelete="CASCADE")
    )
    day: Mapped[date] = mapped_column(Date)
    role: Mapped[str] = mapped_column(String(32))
    difficulty: Mapped[str] = mapped_column(String(16))
    bank_id: Mapped[str | None] = mapped_column(String(64))
    bank_version: Mapped[int | None] = mapped_column(Integer)  # an imported bank's (0011)
    text: Mapped[str] = mapped_column(Text)
    reference_answer: Mapped[str] = mapped_column(Text)
    key_points: Mapped[list[str]] = mapped_column(JSON)
    topics: Mapped[list[str]] = mapped_column(JSON)
    hint: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revealed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class QotdAnswerRow(Base):
    """A person's answer; saved pending before any LLM call, like an interview attempt."""

    __tablename__ = "qotd_answers"
    __table_args__ = (
        UniqueConstraint("post_id", "identity_id"),
        UniqueConstraint("post_id", "delivery_id"),
        Index(None, "status", "created_at"),
        Index(None, "identity_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    post_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("qotd_posts.id", ondelete="CASCADE")
    )
    identity_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("identities.id", ondelete="CASCADE")
    )
    delivery_id: Mapped[str] = mapped_column(String(128))
    answer: Mapped[str] = mapped_column(LongText)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    evaluated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    score: Mapped[float | None] = mapped_column(Float)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    error_kind: Mapped[str | None] = mapped_column(String(32))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    auto_retry: Mapped[bool] = mapped_column(Boolean, default=True)
    model: Mapped[str | None] = mapped_column(String(64))
    latency_ms: Mapped[float | None] = mapped_column(Float)
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    graded_by: Mapped[str | None] = mapped_column(String(64))
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A platform's short-lived private reply (a Discord interaction follow-up): cleared once used.
    reply_handle: Mapped[str | None] = mapped_column(String(512))
    reply_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class QotdMemberRow(Base):
    """Someone who joined the leaderboard (opt-in: nobody is named or ranked otherwise)."""

    __tablename__ = "qotd_members"

    identity_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True
    )
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QotdWeeklyBoardRow(Base):
    """The weekly leaderboard of a channel; the key is the claim that posts it once."""

    __tablename__ = "qotd_weekly_boards"

    schedule_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("qotd_schedules.id", ondelete="CASCADE"), primary_key=True
    )
    week: Mapped[str] = mapped_column(String(10), primary_key=True)  # "2026-W48"
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    message_id: Mapped[str | None] = mapped_column(String(64))
