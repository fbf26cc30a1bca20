"""Price alerts: kept on the server, fired once (``triggered_time_ms`` is set exactly once)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from numatix.store.types import DecimalColumn


class AlertRow(SQLModel, table=True):
    __tablename__ = "price_alert"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="CASCADE"),
                                          nullable=False, index=True))
    symbol: str = Field(max_length=20, index=True)
    direction: str = Field(max_length=8)  # above | below
    price: Decimal = Field(sa_column=Column(DecimalColumn(), nullable=False))
    created_time_ms: int = Field(sa_type=BigInteger)
    triggered_time_ms: int | None = Field(default=None, sa_type=BigInteger)
    triggered_price: Decimal | None = Field(default=None, sa_column=Column(DecimalColumn(), nullable=True))
    seen: bool = Field(default=False)  # shown to the user (a toast) after it fired
