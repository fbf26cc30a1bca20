"""The account-value curve: a point per fill and per regular sample, and the samplers' claims.

Revision ID: 0005_account_value
Revises: 0004_session_devices
Create Date: 2026-12-07 07:47:50.486317
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import numatix.store.types


revision = '0005_account_value'
down_revision = '0004_session_devices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_value_claim',
    sa.Column('bucket_ms', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('worker', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('claimed_until_ms', sa.BigInteger(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('bucket_ms')
    )
    op.create_table('account_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('time_ms', sa.BigInteger(), nullable=False),
    sa.Column('value_usdt', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('point_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'point_key', name='uq_account_value_point')
    )
    with op.batch_alter_table('account_value', schema=None) as batch_op:
        batch_op.create_index('ix_account_value_user_time', ['user_id', 'time_ms'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('account_value', schema=None) as batch_op:
        batch_op.drop_index('ix_account_value_user_time')

    op.drop_table('account_value')
    op.drop_table('account_value_claim')
