"""question of the day from a chosen bank: the version a post's question came from

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 07:30:00

The question of the day draws from the bank a workspace or server chose (docs/banks.md). A
post keeps its question; for an imported bank's question it now also keeps the bank version,
which is part of the evaluation cache key (as for interview questions, 0010), so answers to a
corrected re-import are never served an old version's grades. Additive only: the previous
release ignores the column (its posts all come from the built-in bank: NULL).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("qotd_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bank_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("qotd_posts", schema=None) as batch_op:
        batch_op.drop_column("bank_version")
