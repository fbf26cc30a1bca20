"""Users' preferences kept between visits: favourite symbols (and later chart indicators).

Revision ID: 0008_user_preference
Revises: 0007_order_prevented
Create Date: 2026-12-07 09:30:00.000000
"""
import sqlalchemy as sa
import sqlmodel

from alembic import op

revision = '0008_user_preference'
down_revision = '0007_order_prevented'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_preference',
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_time_ms', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'name')
    )


def downgrade() -> None:
    op.drop_table('user_preference')
