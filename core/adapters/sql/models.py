"""SQLAlchemy 2.0 typed tables. History queries drive the indexes; unique keys guard concurrency."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    false,
    true,
)
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments INTEGER PRIMARY KEY; MySQL gets BIGINT.
BigId = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql")


class UtcDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (MySQL DATETIME has no zone) and always hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "mysql":
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def _now() -> datetime:
    return datetime.now(UTC)


class WebUser(Base):
    """A web account. The columns are the ones fastapi-users expects of its user table."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    hashed_password: Mapped[str] = mapped_column(String(1024))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False)
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=_now)


class AccessTokenRow(Base):
    """A web sign-in (the browser's cookie or an API bearer token); deleting the row revokes it.

    Only the token's SHA-256 is kept: a copy of this table signs nobody in."""

    __tablename__ = "access_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=_now, index=True)


class IdentityRow(Base):
    """A chat or terminal identity; linking sets web_user_id and merges its history."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "tenant", "external_user"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str] = mapped_column(String(64))
    external_user: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(128))
    web_user_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=_now)


class SessionRow(Base):
    __tablename__ = "interview_sessions"
    __table_args__ = (
        Index(None, "identity_id", "created_at"),
        Index(None, "platform", "tenant", "channel", "thread", "status"),
        Index(None, "status", "last_activity_at"),
        Index(None, "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    identity_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("identities.id", ondelete="CASCADE")
    )
    platform: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(64))
    thread: Mapped[str | None] = mapped_column(String(64))
    external_user: Mapped[str] = mapped_column(String(128))  # the owner, as the platform names them
    role: Mapped[str] = mapped_column(String(32))
    difficulty: Mapped[str] = mapped_column(String(16))
    question_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(16), default="interview", server_default="interview")
    adaptive: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    plan: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # a review session's questions
    # The imported bank version it draws from (migration 0010); NULL: the built-in bank.
    bank_name: Mapped[str | None] = mapped_column(String(24))
    bank_version: Mapped[int | None] = mapped_column(Integer)


class QuestionRow(Base):
    """A question as asked at one position of a session (follow-ups included)."""

    __tablename__ = "session_questions"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("interview_sessions.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    main_index: Mapped[int] = mapped_column(Integer)
    follow_up_of: Mapped[int | None] = mapped_column(Integer)
    bank_id: Mapped[str | None] = mapped_column(String(64))
    bank_version: Mapped[int | None] = mapped_column(Integer)  # an imported bank's (0010)
    text: Mapped[str] = mapped_column(Text)
    reference_answer: Mapped[str] = mapped_column(Text)
    key_points: Mapped[list[str]] = mapped_column(JSON)
    topics: Mapped[list[str]] = mapped_column(JSON)
    hint: Mapped[str] = mapped_column(Text)
    hints_used: Mapped[int] = mapped_column(Integer, default=0)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The question's own pool: adaptive and review sessions move between levels and roles.
    role: Mapped[str | None] = mapped_column(String(32))
    difficulty: Mapped[str | None] = mapped_column(String(16))


class AttemptRow(Base):
    """An answer. Saved as pending before any LLM call, so a fault never loses it."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("session_id", "position"),
        UniqueConstraint("session_id", "delivery_id"),
        Index(None, "status", "created_at"),
        Index(None, "evaluated_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("interview_sessions.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    delivery_id: Mapped[str] = mapped_column(String(128))
    answer: Mapped[str] = mapped_column(LongText)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    evaluated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    score: Mapped[float | None] = mapped_column(Float)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    error_kind: Mapped[str | None] = mapped_column(String(32))
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    auto_retry: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    model: Mapped[str | None] = mapped_column(String(64))
    latency_ms: Mapped[float | None] = mapped_column(Float)
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    graded_by: Mapped[str | None] = mapped_column(String(64), index=True)  # "Gemini 2.5 Flash"


class AttemptTagRow(Base):
    """One improvement tag of an evaluated attempt (a row each, so SQL can aggregate by tag)."""

    __tablename__ = "attempt_tags"

    attempt_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(48), primary_key=True, index=True)


class LlmCallRow(Base):
    __tablename__ = "llm_calls"
    __table_args__ = (Index(None, "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    attempt_id: Mapped[int | None] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(16))
    model: Mapped[str | None] = mapped_column(String(64))
    ok: Mapped[bool] = mapped_column(Boolean)
    error_kind: Mapped[str | None] = mapped_column(String(32))
    latency_ms: Mapped[float | None] = mapped_column(Float)
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LinkCodeRow(Base):
    """A one-time code that links a chat identity to a web account (stored hashed)."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    identity_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("identities.id", ondelete="CASCADE")
    )
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=_now)


class ReviewEventRow(Base):
    """One review of one item (a bank question or an improvement tag) by one answer; the item's
    card is its latest row across the person's linked identities."""

    __tablename__ = "review_events"
    __table_args__ = (
        UniqueConstraint("attempt_id", "kind", "item"),  # an answer reviews an item once
        Index(None, "identity_id", "kind", "item", "id"),
        Index(None, "identity_id", "reviewed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    identity_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("identities.id", ondelete="CASCADE")
    )
    attempt_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    item: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    difficulty: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str] = mapped_column(String(64))
    grade: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    stability: Mapped[float] = mapped_column(Float)
    fsrs_difficulty: Mapped[float] = mapped_column(Float)
    reps: Mapped[int] = mapped_column(Integer)
    lapses: Mapped[int] = mapped_column(Integer)
    reviewed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReminderRow(Base):
    """An opt-in daily review reminder of one chat identity (sent as a direct message)."""

    __tablename__ = "reminders"

    identity_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True
    )
    at_time: Mapped[str] = mapped_column(String(5))  # "09:00", local
    zone: Mapped[str] = mapped_column(String(64))
    next_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=_now)


class ReminderSendRow(Base):
    """The claim on one person's reminder of one local day: the unique key makes it once."""

    __tablename__ = "reminder_sends"
    __table_args__ = (UniqueConstraint("person", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person: Mapped[str] = mapped_column(String(80))  # account:<uuid> or identity:<id>
    day: Mapped[str] = mapped_column(String(10))  # the local day, ISO
    identity_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("identities.id", ondelete="CASCADE")
    )
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
