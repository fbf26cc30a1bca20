"""The account-value curve: what each user's wallet was worth, after every fill and at least hourly.

A point is unique per user by ``point_key`` (``fill:BTCUSDT:42``, ``sample:<bucket start>``,
``reset:<time>``), so a fill seen by two workers, a retried write or two samplers in the same
hour can never store it twice. The sampler's claim row lets one worker of a cluster sample an
hour for everybody, and another take over if it dies half-way (its claim runs out).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from numatix.store.types import DecimalColumn


class AccountValueRow(SQLModel, table=True):
    __tablename__ = "account_value"
    __table_args__ = (
        UniqueConstraint("user_id", "point_key", name="uq_account_value_point"),
        Index("ix_account_value_user_time", "user_id", "time_ms"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="CASCADE"),
                                          nullable=False))
    time_ms: int = Field(sa_type=BigInteger)
    value_usdt: Decimal = Field(sa_column=Column(DecimalColumn(), nullable=False))
    kind: str = Field(max_length=8)  # fill | sample | reset
    point_key: str = Field(max_length=64)


class ValueSampleClaimRow(SQLModel, table=True):
    """Who samples the bucket starting at ``bucket_ms``, until when, and whether it is done."""

    __tablename__ = "account_value_claim"

    bucket_ms: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    worker: str = Field(max_length=80)
    claimed_until_ms: int = Field(sa_type=BigInteger)
    done: bool = Field(default=False)
