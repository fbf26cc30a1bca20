"""Sessions remember where they were opened and when they were last used (the Settings list).

Revision ID: 0004_session_devices
Revises: 0003_alerts
Create Date: 2026-12-01 10:00:00.000000
"""
import sqlalchemy as sa
import sqlmodel

from alembic import op

revision = '0004_session_devices'
down_revision = '0003_alerts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_ms', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
                                      server_default=''))
    op.execute("UPDATE user_session SET last_seen_ms = created_time_ms")


def downgrade() -> None:
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('last_seen_ms')
