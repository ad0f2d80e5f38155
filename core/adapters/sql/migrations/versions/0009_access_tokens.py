"""access_tokens: web sign-ins that logout, a password change or a reset can revoke

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-06 12:00:00

The web signed people in with stateless JWTs, which stay valid until they expire whatever
happens (logout, a new password, a reset). Sign-ins are now rows here, keyed by the SHA-256 of
a random token: deleting a row ends that sign-in. Additive only: the previous release ignores
the table (its JWTs simply stop being accepted by this one, so everyone signs in again once).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")
UTF8MB4: dict[str, Any] = {"mysql_charset": "utf8mb4"}


def upgrade() -> None:
    op.create_table(
        "access_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_access_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_access_tokens")),
        **UTF8MB4,
    )
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_tokens_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_access_tokens_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    # The table's indexes go with it (MariaDB refuses to drop the foreign key's index alone).
    op.drop_table("access_tokens")
