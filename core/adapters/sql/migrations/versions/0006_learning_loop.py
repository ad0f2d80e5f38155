"""learning loop: review log, reminders, session kind/adaptive/plan, each question's own level

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-08 10:00:00

- review_events: one row per item (bank question or improvement tag) an answer reviewed, with
  the FSRS state after it; an item's card is its latest row.
- reminders / reminder_sends: opt-in daily review reminders, and the claim (unique per person
  and local day) that makes each one go out once.
- interview_sessions.kind / adaptive / plan: review sessions and adaptive interviews.
- session_questions.role / difficulty: a question's own pool (adaptive and review sessions
  move between levels); filled from the session for the rows already there.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")
BIG_ID = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
TABLE_OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4"}


def upgrade() -> None:
    # Additive only: code of the previous release keeps working on this schema.
    op.create_table(
        "review_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("identity_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("difficulty", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=False),
        sa.Column("fsrs_difficulty", sa.Float(), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", UTC_DATETIME, nullable=False),
        sa.Column("due_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_review_events_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_events")),
        sa.UniqueConstraint(
            "attempt_id", "kind", "item", name=op.f("uq_review_events_attempt_id_kind_item")
        ),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("review_events") as batch:
        batch.create_index(
            "ix_review_events_identity_id_kind_item_id", ["identity_id", "kind", "item", "id"]
        )
        batch.create_index("ix_review_events_identity_id_reviewed_at", ["identity_id", "reviewed_at"])

    op.create_table(
        "reminders",
        sa.Column("identity_id", sa.BigInteger(), nullable=False),
        sa.Column("at_time", sa.String(5), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("next_at", UTC_DATETIME, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_reminders_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("identity_id", name=op.f("pk_reminders")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("reminders") as batch:
        batch.create_index("ix_reminders_next_at", ["next_at"])

    op.create_table(
        "reminder_sends",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("person", sa.String(80), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("identity_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_reminder_sends_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_sends")),
        sa.UniqueConstraint("person", "day", name=op.f("uq_reminder_sends_person_day")),
        **TABLE_OPTIONS,
    )

    with op.batch_alter_table("interview_sessions") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(16), nullable=False, server_default="interview")
        )
        batch.add_column(
            sa.Column("adaptive", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("plan", sa.JSON(), nullable=True))
    with op.batch_alter_table("session_questions") as batch:
        batch.add_column(sa.Column("role", sa.String(32), nullable=True))
        batch.add_column(sa.Column("difficulty", sa.String(16), nullable=True))
    questions = sa.table(
        "session_questions",
        sa.column("session_id", sa.BigInteger),
        sa.column("role", sa.String),
        sa.column("difficulty", sa.String),
    )
    sessions = sa.table(
        "interview_sessions",
        sa.column("id", sa.BigInteger),
        sa.column("role", sa.String),
        sa.column("difficulty", sa.String),
    )
    of_session = sessions.c.id == questions.c.session_id
    op.execute(
        questions.update()
        .where(questions.c.role.is_(None))
        .values(
            role=sa.select(sessions.c.role).where(of_session).scalar_subquery(),
            difficulty=sa.select(sessions.c.difficulty).where(of_session).scalar_subquery(),
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("session_questions") as batch:
        batch.drop_column("difficulty")
        batch.drop_column("role")
    with op.batch_alter_table("interview_sessions") as batch:
        batch.drop_column("plan")
        batch.drop_column("adaptive")
        batch.drop_column("kind")
    # Their indexes go with them (MySQL refuses to drop one a foreign key relies on first).
    op.drop_table("reminder_sends")
    op.drop_table("reminders")
    op.drop_table("review_events")
