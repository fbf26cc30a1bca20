"""Paper orders remember what self-trade prevention took off them (Binance's preventedQuantity,
preventedMatchId): a DECREMENT leaves an order resting with less to fill, also after a restart.

Revision ID: 0007_order_prevented
Revises: 0006_engine_fence
Create Date: 2026-12-07 09:00:00.000000
"""
import sqlalchemy as sa

import numatix.store.types
from alembic import op

revision = '0007_order_prevented'
down_revision = '0006_engine_fence'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('paper_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prevented_quantity', numatix.store.types.DecimalColumn(precision=38, scale=18),
                                      nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('prevented_match_id', sa.BigInteger(), nullable=False, server_default='-1'))


def downgrade() -> None:
    with op.batch_alter_table('paper_order', schema=None) as batch_op:
        batch_op.drop_column('prevented_match_id')
        batch_op.drop_column('prevented_quantity')
