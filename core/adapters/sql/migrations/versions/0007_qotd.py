"""team question of the day: schedules, posts, answers, leaderboard members, weekly boards

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 04:06:08.278655
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0007'
down_revision = "0006"
branch_labels = None
depends_on = None

# Naive UTC timestamps (the models' UtcDateTime); microseconds on MySQL.
UTC_DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")


def upgrade() -> None:
    # New tables only: code of the previous release keeps working on this schema.
    op.create_table('qotd_schedules',
    sa.Column('id', sa.BigInteger().with_variant(sa.INTEGER(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('post_at', sa.String(length=5), nullable=False),
    sa.Column('closes_at', sa.String(length=5), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('weekdays', sa.String(length=16), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('difficulty', sa.String(length=16), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', UTC_DATETIME, nullable=False),
    sa.Column('updated_at', UTC_DATETIME, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qotd_schedules')),
    sa.UniqueConstraint('platform', 'tenant', 'channel', name=op.f('uq_qotd_schedules_platform_tenant_channel')),
    mysql_charset='utf8mb4',
    )
    op.create_table('qotd_posts',
    sa.Column('id', sa.BigInteger().with_variant(sa.INTEGER(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('schedule_id', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('difficulty', sa.String(length=16), nullable=False),
    sa.Column('bank_id', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reference_answer', sa.Text(), nullable=False),
    sa.Column('key_points', sa.JSON(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('hint', sa.Text(), nullable=False),
    sa.Column('opens_at', UTC_DATETIME, nullable=False),
    sa.Column('closes_at', UTC_DATETIME, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', UTC_DATETIME, nullable=True),
    sa.Column('posted_at', UTC_DATETIME, nullable=True),
    sa.Column('revealed_at', UTC_DATETIME, nullable=True),
    sa.ForeignKeyConstraint(['schedule_id'], ['qotd_schedules.id'], name=op.f('fk_qotd_posts_schedule_id_qotd_schedules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qotd_posts')),
    sa.UniqueConstraint('schedule_id', 'day', name=op.f('uq_qotd_posts_schedule_id_day')),
    mysql_charset='utf8mb4',
    )
    with op.batch_alter_table('qotd_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qotd_posts_status_closes_at'), ['status', 'closes_at'], unique=False)

    op.create_table('qotd_weekly_boards',
    sa.Column('schedule_id', sa.BigInteger(), nullable=False),
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('claimed_at', UTC_DATETIME, nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['schedule_id'], ['qotd_schedules.id'], name=op.f('fk_qotd_weekly_boards_schedule_id_qotd_schedules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('schedule_id', 'week', name=op.f('pk_qotd_weekly_boards')),
    mysql_charset='utf8mb4',
    )
    op.create_table('qotd_answers',
    sa.Column('id', sa.BigInteger().with_variant(sa.INTEGER(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('post_id', sa.BigInteger(), nullable=False),
    sa.Column('identity_id', sa.BigInteger(), nullable=False),
    sa.Column('delivery_id', sa.String(length=128), nullable=False),
    sa.Column('answer', sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mysql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', UTC_DATETIME, nullable=False),
    sa.Column('evaluated_at', UTC_DATETIME, nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('evaluation', sa.JSON(), nullable=True),
    sa.Column('cached', sa.Boolean(), nullable=False),
    sa.Column('error_kind', sa.String(length=32), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', UTC_DATETIME, nullable=True),
    sa.Column('auto_retry', sa.Boolean(), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=True),
    sa.Column('latency_ms', sa.Float(), nullable=True),
    sa.Column('input_tokens', sa.Integer(), nullable=True),
    sa.Column('output_tokens', sa.Integer(), nullable=True),
    sa.Column('graded_by', sa.String(length=64), nullable=True),
    sa.Column('delivered_at', UTC_DATETIME, nullable=True),
    sa.Column('reply_handle', sa.String(length=512), nullable=True),
    sa.Column('reply_until', UTC_DATETIME, nullable=True),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_qotd_answers_identity_id_identities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['qotd_posts.id'], name=op.f('fk_qotd_answers_post_id_qotd_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qotd_answers')),
    sa.UniqueConstraint('post_id', 'delivery_id', name=op.f('uq_qotd_answers_post_id_delivery_id')),
    sa.UniqueConstraint('post_id', 'identity_id', name=op.f('uq_qotd_answers_post_id_identity_id')),
    mysql_charset='utf8mb4',
    )
    with op.batch_alter_table('qotd_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qotd_answers_identity_id_created_at'), ['identity_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_qotd_answers_status_created_at'), ['status', 'created_at'], unique=False)

    op.create_table('qotd_members',
    sa.Column('identity_id', sa.BigInteger(), nullable=False),
    sa.Column('joined_at', UTC_DATETIME, nullable=False),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_qotd_members_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('identity_id', name=op.f('pk_qotd_members')),
    mysql_charset='utf8mb4',
    )


def downgrade() -> None:
    # Dropping a table drops its indexes (MySQL refuses to drop one a foreign key still uses).
    for table in ("qotd_members", "qotd_answers", "qotd_weekly_boards", "qotd_posts", "qotd_schedules"):
        op.drop_table(table)
