"""The paper exchange's books: accounts, balances, orders, fills and the wallet ledger.

Money is ``DecimalColumn`` (NUMERIC on PostgreSQL, exact text on SQLite), never float.
A client order id is unique among a user's *open* orders of a symbol, as on Binance (a
closed order's id may be reused); a fill is unique by trade id, so replaying a step can
never apply a fill twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Index, text
from sqlmodel import Field, SQLModel

from numatix.store.types import DecimalColumn


def money(nullable: bool = False) -> Any:
    return Field(sa_column=Column(DecimalColumn(), nullable=nullable))


class PaperAccountRow(SQLModel, table=True):
    __tablename__ = "paper_account"

    account_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    created_time_ms: int = Field(sa_type=BigInteger)


class PaperBalanceRow(SQLModel, table=True):
    __tablename__ = "paper_balance"

    account_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    asset: str = Field(primary_key=True, max_length=16)
    free: Decimal = money()
    locked: Decimal = money()


class PaperOrderRow(SQLModel, table=True):
    __tablename__ = "paper_order"
    __table_args__ = (
        Index(
            "uq_paper_order_open_client_id", "account_id", "symbol", "client_order_id",
            unique=True, sqlite_where=text("is_open"), postgresql_where=text("is_open"),
        ),
        Index("ix_paper_order_account_time", "account_id", "created_time_ms"),
        Index("ix_paper_order_client_id", "account_id", "symbol", "client_order_id"),
    )

    venue_order_id: int = Field(primary_key=True, sa_type=BigInteger,
                                sa_column_kwargs={"autoincrement": False})
    account_id: int = Field(sa_type=BigInteger)
    symbol: str = Field(max_length=20)
    client_order_id: str = Field(max_length=64)
    side: str = Field(max_length=4)
    order_type: str = Field(max_length=20)
    time_in_force: str = Field(max_length=4)
    status: str = Field(max_length=20)
    is_open: bool = Field(index=True)
    quantity: Decimal | None = money(nullable=True)
    price: Decimal | None = money(nullable=True)
    stop_price: Decimal | None = money(nullable=True)
    quote_order_qty: Decimal | None = money(nullable=True)
    executed_quantity: Decimal = money()
    cumulative_quote: Decimal = money()
    created_time_ms: int = Field(sa_type=BigInteger)
    update_time_ms: int = Field(sa_type=BigInteger)
    working_time_ms: int = Field(sa_type=BigInteger)
    is_working: bool
    order_list_id: int = Field(sa_type=BigInteger)
    expiry_reason: str | None = Field(default=None, max_length=40)
    self_trade_prevention: str = Field(max_length=20)
    arrival_price: Decimal | None = money(nullable=True)
    last_fill_time_ms: int | None = Field(default=None, sa_type=BigInteger)
    prevented_quantity: Decimal = money()
    prevented_match_id: int = Field(default=-1, sa_type=BigInteger)
    queue_ahead: Decimal = money()
    reserved_asset: str = Field(max_length=16)
    reserved_amount: Decimal = money()


class PaperFillRow(SQLModel, table=True):
    __tablename__ = "paper_fill"
    __table_args__ = (Index("ix_paper_fill_account_symbol", "account_id", "symbol", "trade_id"),)

    trade_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    account_id: int = Field(sa_type=BigInteger)
    venue_order_id: int = Field(sa_type=BigInteger, index=True)
    client_order_id: str = Field(max_length=64)
    symbol: str = Field(max_length=20)
    side: str = Field(max_length=4)
    price: Decimal = money()
    quantity: Decimal = money()
    quote_quantity: Decimal = money()
    commission: Decimal = money()
    commission_asset: str = Field(max_length=16)
    is_maker: bool
    time_ms: int = Field(sa_type=BigInteger)


class PaperLedgerRow(SQLModel, table=True):
    """Events that change a wallet other than by trading (a reset), with before and after."""

    __tablename__ = "paper_ledger"

    entry_id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_type=BigInteger, index=True)
    time_ms: int = Field(sa_type=BigInteger)
    kind: str = Field(max_length=32)
    balances_before: str  # JSON {"asset": "amount"}
    balances_after: str
    last_trade_id: int = Field(sa_type=BigInteger)


class PaperEngineFenceRow(SQLModel, table=True):
    """Which engine may write the books above: the newest ``term`` claimed (it only grows).
    Every engine transaction locks this row and compares its own term first, so an older
    engine's writes are refused by the database itself (see ``store/engine_fence.py``)."""

    __tablename__ = "paper_engine_fence"

    name: str = Field(primary_key=True, max_length=32)
    term: int = Field(sa_type=BigInteger)
    holder: str = Field(max_length=200)  # who claimed it last (host-pid), for people reading the table
    claimed_time_ms: int = Field(sa_type=BigInteger)
