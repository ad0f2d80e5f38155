"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 14:35:07.925315
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

# Naive UTC timestamps (the models' UtcDateTime); microseconds on MySQL.
UTC_DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")

# Tables state their character set: a MySQL/MariaDB database whose default is latin1 would
# otherwise refuse emoji, Cyrillic or CJK text (see 0005, which converts existing tables).
# Other dialects ignore mysql_* options.
UTF8MB4: dict[str, Any] = {"mysql_charset": "utf8mb4"}


def upgrade() -> None:
    op.create_table('llm_calls',
    sa.Column('id', sa.BigInteger().with_variant(sa.INTEGER(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('attempt_id', sa.BigInteger(), nullable=True),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=True),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('error_kind', sa.String(length=32), nullable=True),
    sa.Column('latency_ms', sa.Float(), nullable=True),
    sa.Column('input_tokens', sa.Integer(), nullable=True),
    sa.Column('output_tokens', sa.Integer(), nullable=True),
    sa.Column('created_at', UTC_DATETIME, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_llm_calls')),
    **UTF8MB4,
    )
    with op.batch_alter_table('llm_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_llm_calls_created_at'), ['created_at'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('hashed_password', sa.String(length=1024), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('is_superuser', sa.Boolean(), nullable=False),
    sa.Column('is_verified', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTC_DATETIME, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    **UTF8MB4,
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_email'), ['email'], unique=True)

    op.create_table('identities',
    sa.Column('id', sa.BigInteger().with_variant(sa.INTEGER(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.Column('external_user', sa.String(length=128), nullable=False),
    sa.Column('display_name', sa.String(length=128), nullable=True),
    sa.Column('web_user_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', UTC_DATETIME, nullable=False),
    sa.ForeignKeyConstraint(['web_user_id'], ['users.id'], name=op.f('fk_identities_web_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identities')),
    sa.UniqueConstraint('platform', 'tenant', 'external_user', name=op.f('uq_identities_platform_tenant_external_user')),
    **UTF8MB4,
    )
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identities_web_user_id'), ['web_user_id'], unique=False)

    op.create_table('interview_sessions',
    sa.Column('id', sa.BigInteger().with_variant(sa.INTEGER(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('identity_id', sa.BigInteger(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('thread', sa.String(length=64), nullable=True),
    sa.Column('external_user', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('difficulty', sa.String(length=16), nullable=False),
    sa.Column('question_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', UTC_DATETIME, nullable=False),
    sa.Column('last_activity_at', UTC_DATETIME, nullable=False),
    sa.Column('ended_at', UTC_DATETIME, nullable=True),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_interview_sessions_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview_sessions')),
    **UTF8MB4,
    )
    with op.batch_alter_table('interview_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_sessions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_sessions_identity_id_created_at'), ['identity_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_sessions_platform_tenant_channel_thread_status'), ['platform', 'tenant', 'channel', 'thread', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_sessions_status_last_activity_at'), ['status', 'last_activity_at'], unique=False)

    op.create_table('link_codes',
    sa.Column('id', sa.BigInteger().with_variant(sa.INTEGER(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('identity_id', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', UTC_DATETIME, nullable=False),
    sa.Column('used_at', UTC_DATETIME, nullable=True),
    sa.Column('created_at', UTC_DATETIME, nullable=False),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_link_codes_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_link_codes_code_hash')),
    **UTF8MB4,
    )
    op.create_table('attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.INTEGER(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('session_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.String(length=128), nullable=False),
    sa.Column('answer', sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mysql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', UTC_DATETIME, nullable=False),
    sa.Column('evaluated_at', UTC_DATETIME, nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('evaluation', sa.JSON(), nullable=True),
    sa.Column('cached', sa.Boolean(), nullable=False),
    sa.Column('error_kind', sa.String(length=32), nullable=True),
    sa.Column('model', sa.String(length=64), nullable=True),
    sa.Column('latency_ms', sa.Float(), nullable=True),
    sa.Column('input_tokens', sa.Integer(), nullable=True),
    sa.Column('output_tokens', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['interview_sessions.id'], name=op.f('fk_attempts_session_id_interview_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts')),
    sa.UniqueConstraint('session_id', 'delivery_id', name=op.f('uq_attempts_session_id_delivery_id')),
    sa.UniqueConstraint('session_id', 'position', name=op.f('uq_attempts_session_id_position')),
    **UTF8MB4,
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempts_evaluated_at'), ['evaluated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempts_status_created_at'), ['status', 'created_at'], unique=False)

    op.create_table('session_questions',
    sa.Column('id', sa.BigInteger().with_variant(sa.INTEGER(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('session_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('main_index', sa.Integer(), nullable=False),
    sa.Column('follow_up_of', sa.Integer(), nullable=True),
    sa.Column('bank_id', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reference_answer', sa.Text(), nullable=False),
    sa.Column('key_points', sa.JSON(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('hint', sa.Text(), nullable=False),
    sa.Column('hints_used', sa.Integer(), nullable=False),
    sa.Column('asked_at', UTC_DATETIME, nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['interview_sessions.id'], name=op.f('fk_session_questions_session_id_interview_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_questions')),
    sa.UniqueConstraint('session_id', 'position', name=op.f('uq_session_questions_session_id_position')),
    **UTF8MB4,
    )
    op.create_table('attempt_tags',
    sa.Column('attempt_id', sa.BigInteger(), nullable=False),
    sa.Column('tag', sa.String(length=48), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_attempt_tags_attempt_id_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attempt_id', 'tag', name=op.f('pk_attempt_tags')),
    **UTF8MB4,
    )
    with op.batch_alter_table('attempt_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_tags_tag'), ['tag'], unique=False)



def downgrade() -> None:
    # Dropping a table drops its indexes; dropping indexes first fails on MySQL when a
    # foreign key needs them.
    for table in (
        "attempt_tags",
        "link_codes",
        "attempts",
        "session_questions",
        "interview_sessions",
        "identities",
        "users",
        "llm_calls",
    ):
        op.drop_table(table)
