"""attempt failures: count, time of the last one, and whether retrying can help

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")


def upgrade() -> None:
    # Additive only: code of the previous release keeps working on this schema.
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("failures", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_failed_at", UTC_DATETIME, nullable=True))
        batch.add_column(
            sa.Column("auto_retry", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("auto_retry")
        batch.drop_column("last_failed_at")
        batch.drop_column("failures")
