"""Paper engine fencing: the newest leadership term that may write the paper books.

Revision ID: 0006_engine_fence
Revises: 0005_account_value
Create Date: 2026-12-01 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006_engine_fence'
down_revision = '0005_account_value'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('paper_engine_fence',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('term', sa.BigInteger(), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('claimed_time_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('paper_engine_fence')
