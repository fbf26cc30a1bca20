"""Price alerts per user, fired once.

Revision ID: 0003_alerts
Revises: 0002_accounts
Create Date: 2026-11-25 09:57:52.485306
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import numatix.store.types


revision = '0003_alerts'
down_revision = '0002_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('price_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('symbol', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('price', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=False),
    sa.Column('created_time_ms', sa.BigInteger(), nullable=False),
    sa.Column('triggered_time_ms', sa.BigInteger(), nullable=True),
    sa.Column('triggered_price', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=True),
    sa.Column('seen', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('price_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_alert_symbol'), ['symbol'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_alert_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('price_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_alert_user_id'))
        batch_op.drop_index(batch_op.f('ix_price_alert_symbol'))

    op.drop_table('price_alert')
