"""Accounts: users (unique email), server-side sessions, sealed exchange keys.

Revision ID: 0002_accounts
Revises: 0001_paper
Create Date: 2026-11-25 09:41:04.975382
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import numatix.store.types


revision = '0002_accounts'
down_revision = '0001_paper'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('venue', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_time_ms', sa.BigInteger(), nullable=False),
    sa.Column('password_changed_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_app_user_email'), ['email'], unique=True)

    op.create_table('exchange_key',
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('venue', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('signature', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('api_key_sealed', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('secret_sealed', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('api_key_hint', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('vault_key_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_time_ms', sa.BigInteger(), nullable=False),
    sa.Column('checked_time_ms', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    with op.batch_alter_table('exchange_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_key_vault_key_id'), ['vault_key_id'], unique=False)

    op.create_table('user_session',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_time_ms', sa.BigInteger(), nullable=False),
    sa.Column('expires_time_ms', sa.BigInteger(), nullable=False),
    sa.Column('revoked_time_ms', sa.BigInteger(), nullable=True),
    sa.Column('user_agent', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
    with op.batch_alter_table('exchange_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_key_vault_key_id'))

    op.drop_table('exchange_key')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_user_email'))

    op.drop_table('app_user')
