"""question banks: imported, versioned banks, their questions, each tenant's choice

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 07:00:00

Teams import their own question banks (docs/banks.md). Every import of a name is a new row of
bank_versions with its questions in bank_questions; `bank remove` only marks the versions
removed, so sessions that drew from one keep it. bank_choices holds the bank each Slack
workspace or Discord server chose. Sessions record the bank version they use, and asked
questions the version they came from (part of the evaluation cache key). Additive only: the
previous release ignores the new tables and columns (its sessions all use the built-in bank).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")
BIG_ID = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
UTF8MB4: dict[str, Any] = {"mysql_charset": "utf8mb4"}


def upgrade() -> None:
    op.create_table(
        "bank_versions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("question_count", sa.Integer(), nullable=False),
        sa.Column("pools", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("removed_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_versions")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_bank_versions_name_version")),
        **UTF8MB4,
    )
    op.create_table(
        "bank_questions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("bank_version_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("difficulty", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reference_answer", sa.Text(), nullable=False),
        sa.Column("key_points", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("hint", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_version_id"],
            ["bank_versions.id"],
            name=op.f("fk_bank_questions_bank_version_id_bank_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_questions")),
        sa.UniqueConstraint(
            "bank_version_id",
            "question_id",
            name=op.f("uq_bank_questions_bank_version_id_question_id"),
        ),
        **UTF8MB4,
    )
    with op.batch_alter_table("bank_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_questions_bank_version_id_role_difficulty"),
            ["bank_version_id", "role", "difficulty"],
            unique=False,
        )
    op.create_table(
        "bank_choices",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("bank_name", sa.String(length=24), nullable=False),
        sa.Column("chosen_by", sa.String(length=128), nullable=False),
        sa.Column("chosen_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("platform", "tenant", name=op.f("pk_bank_choices")),
        **UTF8MB4,
    )
    with op.batch_alter_table("interview_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bank_name", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("bank_version", sa.Integer(), nullable=True))
    with op.batch_alter_table("session_questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bank_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("session_questions", schema=None) as batch_op:
        batch_op.drop_column("bank_version")
    with op.batch_alter_table("interview_sessions", schema=None) as batch_op:
        batch_op.drop_column("bank_version")
        batch_op.drop_column("bank_name")
    op.drop_table("bank_choices")
    op.drop_table("bank_questions")  # its index goes with it
    op.drop_table("bank_versions")
