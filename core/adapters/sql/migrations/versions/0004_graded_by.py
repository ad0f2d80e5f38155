"""attempts: who graded each evaluation, so analytics can split by grader

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Evaluations stored before this revision name only their provider.
LEGACY_GRADERS = {"offline": "offline heuristic scorer", "gemini": "Gemini"}


def upgrade() -> None:
    # Additive only: code of the previous release keeps working on this schema.
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("graded_by", sa.String(64), nullable=True))
        batch.create_index("ix_attempts_graded_by", ["graded_by"])
    attempts = sa.table(
        "attempts", sa.column("graded_by", sa.String), sa.column("model", sa.String)
    )
    calls = sa.table(
        "llm_calls",
        sa.column("attempt_id", sa.BigInteger),
        sa.column("provider", sa.String),
        sa.column("ok", sa.Boolean),
    )
    for provider, label in LEGACY_GRADERS.items():
        graded = sa.select(calls.c.attempt_id).where(
            calls.c.provider == provider, calls.c.ok.is_(True)
        )
        op.execute(
            attempts.update()
            .where(attempts.c.graded_by.is_(None), sa.column("id").in_(graded))
            .values(graded_by=label)
        )
    # The offline scorer records no model call: its evaluations are the rest.
    op.execute(
        attempts.update()
        .where(attempts.c.graded_by.is_(None), sa.column("evaluated_at").is_not(None))
        .values(graded_by=LEGACY_GRADERS["offline"])
    )


def downgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.drop_index("ix_attempts_graded_by")
        batch.drop_column("graded_by")
