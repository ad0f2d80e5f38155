"""Tables of imported question banks (migration 0010): one row per version of a bank, its
questions, and the bank each Slack workspace or Discord server chose."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.adapters.sql.models import Base, BigId, UtcDateTime


class BankVersionRow(Base):
    """One import of a bank: re-importing a name adds a version; old ones stay for sessions."""

    __tablename__ = "bank_versions"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(80))  # "global", "workspace:T123", "guild:42"
    source: Mapped[str] = mapped_column(String(255))  # the imported file's name
    description: Mapped[str] = mapped_column(Text)
    question_count: Mapped[int] = mapped_column(Integer)
    pools: Mapped[list[list[str]]] = mapped_column(JSON)  # [[role, difficulty], ...]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # `bank remove`


class BankQuestionRow(Base):
    """A question of one bank version, under the id its file gave it."""

    __tablename__ = "bank_questions"
    __table_args__ = (
        UniqueConstraint("bank_version_id", "question_id"),
        Index(None, "bank_version_id", "role", "difficulty"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bank_version_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("bank_versions.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)  # order in the file (export keeps it)
    question_id: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(32))
    difficulty: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    reference_answer: Mapped[str] = mapped_column(Text)
    key_points: Mapped[list[str]] = mapped_column(JSON)
    tags: Mapped[list[str]] = mapped_column(JSON)
    hint: Mapped[str] = mapped_column(Text)


class BankChoiceRow(Base):
    """The bank a workspace or server uses for new interviews (`/interview bank use NAME`)."""

    __tablename__ = "bank_choices"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    bank_name: Mapped[str] = mapped_column(String(24))
    chosen_by: Mapped[str] = mapped_column(String(128))
    chosen_at: Mapped[datetime] = mapped_column(UtcDateTime)
