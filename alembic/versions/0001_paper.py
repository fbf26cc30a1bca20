"""Paper exchange: accounts, balances, orders (open client id unique), fills (trade id unique), ledger.

Revision ID: 0001_paper
Revises: 
Create Date: 2026-11-25 09:31:40.887632
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import numatix.store.types


revision = '0001_paper'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('paper_account',
    sa.Column('account_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('created_time_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('account_id')
    )
    op.create_table('paper_balance',
    sa.Column('account_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('asset', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('free', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=False),
    sa.Column('locked', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=False),
    sa.PrimaryKeyConstraint('account_id', 'asset')
    )
    op.create_table('paper_fill',
    sa.Column('trade_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('venue_order_id', sa.BigInteger(), nullable=False),
    sa.Column('client_order_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('symbol', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('price', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=False),
    sa.Column('quantity', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=False),
    sa.Column('quote_quantity', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=False),
    sa.Column('commission', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=False),
    sa.Column('commission_asset', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('is_maker', sa.Boolean(), nullable=False),
    sa.Column('time_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('trade_id')
    )
    with op.batch_alter_table('paper_fill', schema=None) as batch_op:
        batch_op.create_index('ix_paper_fill_account_symbol', ['account_id', 'symbol', 'trade_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_paper_fill_venue_order_id'), ['venue_order_id'], unique=False)

    op.create_table('paper_ledger',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('time_ms', sa.BigInteger(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('balances_before', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('balances_after', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('last_trade_id', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('entry_id')
    )
    with op.batch_alter_table('paper_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_ledger_account_id'), ['account_id'], unique=False)

    op.create_table('paper_order',
    sa.Column('venue_order_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('symbol', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('client_order_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('side', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('order_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('time_in_force', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('quantity', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=True),
    sa.Column('price', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=True),
    sa.Column('stop_price', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=True),
    sa.Column('quote_order_qty', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=True),
    sa.Column('executed_quantity', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=False),
    sa.Column('cumulative_quote', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=False),
    sa.Column('created_time_ms', sa.BigInteger(), nullable=False),
    sa.Column('update_time_ms', sa.BigInteger(), nullable=False),
    sa.Column('working_time_ms', sa.BigInteger(), nullable=False),
    sa.Column('is_working', sa.Boolean(), nullable=False),
    sa.Column('order_list_id', sa.BigInteger(), nullable=False),
    sa.Column('expiry_reason', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('self_trade_prevention', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('arrival_price', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=True),
    sa.Column('last_fill_time_ms', sa.BigInteger(), nullable=True),
    sa.Column('queue_ahead', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=False),
    sa.Column('reserved_asset', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reserved_amount', numatix.store.types.DecimalColumn(precision=38, scale=18), nullable=False),
    sa.PrimaryKeyConstraint('venue_order_id')
    )
    with op.batch_alter_table('paper_order', schema=None) as batch_op:
        batch_op.create_index('ix_paper_order_account_time', ['account_id', 'created_time_ms'], unique=False)
        batch_op.create_index('ix_paper_order_client_id', ['account_id', 'symbol', 'client_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_paper_order_is_open'), ['is_open'], unique=False)
        batch_op.create_index('uq_paper_order_open_client_id', ['account_id', 'symbol', 'client_order_id'], unique=True, sqlite_where=sa.text('is_open'), postgresql_where=sa.text('is_open'))



def downgrade() -> None:
    with op.batch_alter_table('paper_order', schema=None) as batch_op:
        batch_op.drop_index('uq_paper_order_open_client_id', sqlite_where=sa.text('is_open'), postgresql_where=sa.text('is_open'))
        batch_op.drop_index(batch_op.f('ix_paper_order_is_open'))
        batch_op.drop_index('ix_paper_order_client_id')
        batch_op.drop_index('ix_paper_order_account_time')

    op.drop_table('paper_order')
    with op.batch_alter_table('paper_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_ledger_account_id'))

    op.drop_table('paper_ledger')
    with op.batch_alter_table('paper_fill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_fill_venue_order_id'))
        batch_op.drop_index('ix_paper_fill_account_symbol')

    op.drop_table('paper_fill')
    op.drop_table('paper_balance')
    op.drop_table('paper_account')
