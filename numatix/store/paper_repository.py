"""``SqlPaperStore``: the paper engine's persistence port on SQLite or PostgreSQL.

One engine step is one database transaction: the order, its fills and the balances it
moved commit together or not at all. The connection is opened on the step's first write,
so a market event that touches no order costs nothing. Writes outside a step (a first
look at a new account's wallet) commit on their own.

Every write transaction of an engine that has claimed the books starts with the fence
check (``store/engine_fence.py``): an engine that a newer one has replaced writes nothing.
Orders and fills are inserted, never upserted: a taken id is a ``RecordCollision``, and an
order is only updated where the stored row is the same order (account, symbol, client id).
Database errors leave this module as the port's ``StoreError``s.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Hashable, Iterator
from decimal import Decimal

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from numatix.domain.balances import Balance
from numatix.domain.enums import (
    ExpiryReason,
    OrderStatus,
    OrderType,
    SelfTradePreventionMode,
    Side,
    TimeInForce,
)
from numatix.domain.orders import Fill, Order
from numatix.exchange.paper.store import LedgerEntry, PaperOrderRecord, RecordCollision, StoreUnavailable
from numatix.store.db import DATABASE_UNREACHABLE, reason
from numatix.store.engine_fence import EngineFence
from numatix.store.tables.paper import (
    PaperAccountRow,
    PaperBalanceRow,
    PaperFillRow,
    PaperLedgerRow,
    PaperOrderRow,
)

ACCOUNTS: Table = PaperAccountRow.__table__  # type: ignore[attr-defined]
BALANCES: Table = PaperBalanceRow.__table__  # type: ignore[attr-defined]
ORDERS: Table = PaperOrderRow.__table__  # type: ignore[attr-defined]
FILLS: Table = PaperFillRow.__table__  # type: ignore[attr-defined]
LEDGER: Table = PaperLedgerRow.__table__  # type: ignore[attr-defined]
ORDER_IDENTITY = ("venue_order_id", "account_id", "symbol", "client_order_id")  # never changes


class SqlPaperStore:
    def __init__(self, engine: Engine, holder: str | None = None, idle_seconds: float = 5.0) -> None:
        self._engine = engine
        self._fence = EngineFence(engine, holder, idle_seconds)
        insert = sqlite_insert if engine.dialect.name == "sqlite" else postgresql_insert
        # Built once: SQLAlchemy then compiles each statement once, not on every step.
        self._save_account = insert(ACCOUNTS).on_conflict_do_nothing(index_elements=["account_id"])
        self._insert_order = ORDERS.insert()
        self._update_order = ORDERS.update().where(
            *(ORDERS.c[name] == bindparam(f"same_{name}") for name in ORDER_IDENTITY)
        )
        self._insert_fill = FILLS.insert()
        self._save_balance = _upsert(insert, BALANCES, ["account_id", "asset"])
        self._connection: Connection | None = None
        self._depth = 0
        self._known_accounts: set[int] = set()

    def claim(self) -> int:
        self._known_accounts.clear()  # another engine may have written since
        return self._fence.claim()

    # ----------------------------------------------------------- transactions
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self._depth += 1
        try:
            yield
        except BaseException:
            if self._depth == 1:
                self._end(commit=False)
            raise
        else:
            if self._depth == 1:
                self._end(commit=True)
        finally:
            self._depth -= 1

    def _end(self, commit: bool) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            with _unreachable_is(StoreUnavailable, maybe_committed=commit):
                connection.commit() if commit else connection.rollback()
        finally:
            with contextlib.suppress(*DATABASE_UNREACHABLE):
                connection.close()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Connection]:
        if self._depth == 0:  # a wallet's first look: the same rows whether it was stored or not
            with _unreachable_is(StoreUnavailable), self._engine.begin() as connection:
                self._fence.check(connection)
                yield connection
            return
        if self._connection is None:
            with _unreachable_is(StoreUnavailable):
                connection = self._engine.connect()
                try:
                    self._fence.check(connection)
                except BaseException:
                    with contextlib.suppress(*DATABASE_UNREACHABLE):
                        connection.close()
                    raise
            self._connection = connection
        with _unreachable_is(StoreUnavailable):
            yield self._connection

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Connection]:
        """Inside a step, read through its connection so its own writes are visible."""
        with _unreachable_is(StoreUnavailable):
            if self._connection is not None:
                yield self._connection
                return
            with self._engine.connect() as connection:
                yield connection

    def _ensure_account(self, connection: Connection, account: int, time_ms: int = 0) -> None:
        if account in self._known_accounts:
            return
        connection.execute(self._save_account, {"account_id": account, "created_time_ms": time_ms})
        self._known_accounts.add(account)

    # ------------------------------------------------------------------ writes
    def insert_order(self, record: PaperOrderRecord) -> None:
        account = _account_id(record.account)
        order = record.order
        with self._writing() as connection:
            self._ensure_account(connection, account, order.created_time_ms)
            try:
                connection.execute(self._insert_order, _order_row(record))
            except IntegrityError as taken:
                raise RecordCollision(
                    f"order id {order.venue_order_id} (or open client order id {order.client_order_id!r} of "
                    f"account {account}) is already taken") from taken

    def update_order(self, record: PaperOrderRecord) -> None:
        row = _order_row(record)
        with self._writing() as connection:
            matched = connection.execute(
                self._update_order, {**row, **{f"same_{name}": row[name] for name in ORDER_IDENTITY}}
            ).rowcount
        if matched != 1:
            raise RecordCollision(f"order {row['venue_order_id']} in the database is not account "
                                  f"{row['account_id']}'s {row['client_order_id']!r}: not overwritten")

    def insert_fill(self, account: Hashable, fill: Fill) -> None:
        with self._writing() as connection:
            try:
                connection.execute(self._insert_fill, _fill_row(_account_id(account), fill))
            except IntegrityError as taken:
                raise RecordCollision(f"trade id {fill.trade_id} is already taken") from taken

    def save_balances(self, account: Hashable, balances: list[Balance]) -> None:
        if not balances:
            return
        account_id = _account_id(account)
        rows = [{"account_id": account_id, "asset": b.asset, "free": b.free,
                 "locked": b.locked} for b in balances]
        with self._writing() as connection:
            self._ensure_account(connection, account_id)
            connection.execute(self._save_balance, rows)

    def replace_balances(self, account: Hashable, balances: list[Balance]) -> None:
        account_id = _account_id(account)
        with self._writing() as connection:
            self._ensure_account(connection, account_id)
            connection.execute(BALANCES.delete().where(BALANCES.c.account_id == account_id))
            if balances:
                connection.execute(BALANCES.insert(), [
                    {"account_id": account_id, "asset": b.asset, "free": b.free, "locked": b.locked}
                    for b in balances
                ])

    def record_ledger(self, account: Hashable, entry: LedgerEntry) -> None:
        with self._writing() as connection:
            connection.execute(LEDGER.insert().values(
                account_id=_account_id(account),
                time_ms=entry.time_ms,
                kind=entry.kind,
                balances_before=_amounts_json(entry.balances_before),
                balances_after=_amounts_json(entry.balances_after),
                last_trade_id=entry.last_trade_id,
            ))

    # ------------------------------------------------------------------- reads
    def load_ledger(self, account: Hashable) -> list[LedgerEntry]:
        query = select(LEDGER).where(LEDGER.c.account_id == _account_id(account)).order_by(LEDGER.c.entry_id)
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            LedgerEntry(row["time_ms"], row["kind"], _amounts(row["balances_before"]),
                        _amounts(row["balances_after"]),
                        row["last_trade_id"])
            for row in rows
        ]

    def load_open_orders(self) -> list[PaperOrderRecord]:
        with self._reading() as connection:
            rows = connection.execute(
                select(ORDERS).where(ORDERS.c.is_open.is_(True)).order_by(ORDERS.c.venue_order_id)
            ).mappings().all()
            trade_ids = self._trade_ids(connection, [row["venue_order_id"] for row in rows])
        return [
            PaperOrderRecord(
                row["account_id"],
                _order(row, trade_ids.get(row["venue_order_id"], set())),
                row["queue_ahead"],
                row["reserved_asset"],
                row["reserved_amount"],
            )
            for row in rows
        ]

    def load_orders(self, account: Hashable, symbol: str | None = None, limit: int = 500,
                    before_order_id: int | None = None, is_open: bool | None = None) -> list[Order]:
        query = select(ORDERS).where(ORDERS.c.account_id == _account_id(account))
        if symbol is not None:
            query = query.where(ORDERS.c.symbol == symbol)
        if before_order_id is not None:
            query = query.where(ORDERS.c.venue_order_id < before_order_id)
        if is_open is not None:
            query = query.where(ORDERS.c.is_open.is_(is_open))
        return self._orders(query.order_by(ORDERS.c.venue_order_id.desc()).limit(limit))

    def load_order_by_id(self, account: Hashable, venue_order_id: int) -> Order | None:
        found = self._orders(select(ORDERS).where(ORDERS.c.account_id == _account_id(account),
                                                  ORDERS.c.venue_order_id == venue_order_id))
        return found[0] if found else None

    def _orders(self, query) -> list[Order]:
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
            trade_ids = self._trade_ids(connection, [row["venue_order_id"] for row in rows])
        return [_order(row, trade_ids.get(row["venue_order_id"], set())) for row in rows]

    def load_order(self, account: Hashable, symbol: str, client_order_id: str) -> Order | None:
        query = (
            select(ORDERS)
            .where(ORDERS.c.account_id == _account_id(account), ORDERS.c.symbol == symbol,
                   ORDERS.c.client_order_id == client_order_id)
            .order_by(ORDERS.c.venue_order_id.desc())
            .limit(1)
        )
        with self._reading() as connection:
            row = connection.execute(query).mappings().first()
            if row is None:
                return None
            trade_ids = self._trade_ids(connection, [row["venue_order_id"]])
        return _order(row, trade_ids.get(row["venue_order_id"], set()))

    def load_balances(self, account: Hashable) -> list[Balance] | None:
        query = (select(BALANCES).where(BALANCES.c.account_id == _account_id(account))
                 .order_by(BALANCES.c.asset))
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
        if not rows:
            return None
        return [Balance(row["asset"], row["free"], row["locked"]) for row in rows]

    def load_fills(self, account: Hashable, symbol: str | None = None) -> list[Fill]:
        query = select(FILLS).where(FILLS.c.account_id == _account_id(account))
        if symbol is not None:
            query = query.where(FILLS.c.symbol == symbol)
        with self._reading() as connection:
            rows = connection.execute(query.order_by(FILLS.c.trade_id)).mappings().all()
        return [_fill(row) for row in rows]

    def max_ids(self) -> tuple[int, int, int]:
        with self._reading() as connection:
            order_id, list_id = connection.execute(
                select(func.max(ORDERS.c.venue_order_id), func.max(ORDERS.c.order_list_id))
            ).one()
            trade_id = connection.execute(select(func.max(FILLS.c.trade_id))).scalar()
        return order_id or 0, trade_id or 0, max(list_id or 0, 0)

    def _trade_ids(self, connection: Connection, order_ids: list[int]) -> dict[int, set[int]]:
        found: dict[int, set[int]] = {}
        for start in range(0, len(order_ids), 500):  # stay under SQLite's bound-parameter limit
            chunk = order_ids[start:start + 500]
            query = select(FILLS.c.venue_order_id, FILLS.c.trade_id).where(FILLS.c.venue_order_id.in_(chunk))
            for venue_order_id, trade_id in connection.execute(query):
                found.setdefault(venue_order_id, set()).add(trade_id)
        return found


@contextlib.contextmanager
def _unreachable_is(error: type[StoreUnavailable], maybe_committed: bool = False) -> Iterator[None]:
    try:
        yield
    except DATABASE_UNREACHABLE as unreachable:
        raise error(f"the database did not answer: {reason(unreachable)}", maybe_committed) from unreachable


def _upsert(insert, table: Table, keys: list[str]):
    statement = insert(table)
    updates = {column.name: statement.excluded[column.name]
               for column in table.columns if column.name not in keys}
    return statement.on_conflict_do_update(index_elements=keys, set_=updates)


def _account_id(account: Hashable) -> int:
    if not isinstance(account, int):
        raise TypeError(f"paper accounts are user ids (int), not {type(account).__name__}")
    return account


def _order_row(record: PaperOrderRecord) -> dict:
    order = record.order
    return {
        "venue_order_id": order.venue_order_id,
        "account_id": _account_id(record.account),
        "symbol": order.symbol,
        "client_order_id": order.client_order_id,
        "side": order.side.value,
        "order_type": order.order_type.value,
        "time_in_force": order.time_in_force.value,
        "status": order.status.value,
        "is_open": order.is_open,
        "quantity": order.quantity,
        "price": order.price,
        "stop_price": order.stop_price,
        "quote_order_qty": order.quote_order_qty,
        "executed_quantity": order.executed_quantity,
        "cumulative_quote": order.cumulative_quote,
        "created_time_ms": order.created_time_ms,
        "update_time_ms": order.update_time_ms,
        "working_time_ms": order.working_time_ms,
        "is_working": order.is_working,
        "order_list_id": order.order_list_id,
        "expiry_reason": order.expiry_reason.value if order.expiry_reason else None,
        "self_trade_prevention": order.self_trade_prevention.value,
        "arrival_price": order.arrival_price,
        "last_fill_time_ms": order.last_fill_time_ms,
        "prevented_quantity": order.prevented_quantity,
        "prevented_match_id": order.prevented_match_id,
        "queue_ahead": record.queue_ahead,
        "reserved_asset": record.reserved_asset,
        "reserved_amount": record.reserved_amount,
    }


def _order(row, trade_ids: set[int]) -> Order:
    return Order(
        venue_order_id=row["venue_order_id"],
        client_order_id=row["client_order_id"],
        symbol=row["symbol"],
        side=Side(row["side"]),
        order_type=OrderType(row["order_type"]),
        time_in_force=TimeInForce(row["time_in_force"]),
        quantity=row["quantity"],
        price=row["price"],
        stop_price=row["stop_price"],
        quote_order_qty=row["quote_order_qty"],
        status=OrderStatus(row["status"]),
        executed_quantity=row["executed_quantity"],
        cumulative_quote=row["cumulative_quote"],
        created_time_ms=row["created_time_ms"],
        update_time_ms=row["update_time_ms"],
        working_time_ms=row["working_time_ms"],
        is_working=row["is_working"],
        order_list_id=row["order_list_id"],
        expiry_reason=ExpiryReason(row["expiry_reason"]) if row["expiry_reason"] else None,
        self_trade_prevention=SelfTradePreventionMode(row["self_trade_prevention"]),
        arrival_price=row["arrival_price"],
        last_fill_time_ms=row["last_fill_time_ms"],
        prevented_quantity=row["prevented_quantity"],
        prevented_match_id=row["prevented_match_id"],
        trade_ids=set(trade_ids),
    )


def _fill_row(account_id: int, fill: Fill) -> dict:
    return {
        "trade_id": fill.trade_id,
        "account_id": account_id,
        "venue_order_id": fill.venue_order_id,
        "client_order_id": fill.client_order_id,
        "symbol": fill.symbol,
        "side": fill.side.value,
        "price": fill.price,
        "quantity": fill.quantity,
        "quote_quantity": fill.quote_quantity,
        "commission": fill.commission,
        "commission_asset": fill.commission_asset,
        "is_maker": fill.is_maker,
        "time_ms": fill.time_ms,
    }


def _fill(row) -> Fill:
    return Fill(
        trade_id=row["trade_id"],
        venue_order_id=row["venue_order_id"],
        client_order_id=row["client_order_id"],
        symbol=row["symbol"],
        side=Side(row["side"]),
        price=row["price"],
        quantity=row["quantity"],
        quote_quantity=row["quote_quantity"],
        commission=row["commission"],
        commission_asset=row["commission_asset"],
        is_maker=row["is_maker"],
        time_ms=row["time_ms"],
    )


def _amounts_json(amounts: dict[str, Decimal]) -> str:
    return json.dumps({asset: format(amount, "f") for asset, amount in sorted(amounts.items())})


def _amounts(text: str) -> dict[str, Decimal]:
    return {asset: Decimal(amount) for asset, amount in json.loads(text).items()}
