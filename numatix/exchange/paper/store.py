"""The paper engine's persistence port, and an in-memory implementation for tests.

The engine calls ``insert_order`` before it matches an order, so an order is never
executed without a record of it; every engine step (a placement, a cancel, a market
event) runs inside ``transaction()`` so that a SQL implementation can commit the
order, its fills and the balances together.

An engine ``claim``s the books before it reads them: from then on a store refuses the
writes of every engine that claimed before (``FencedOut``), so two engines never both
write, whatever their clocks say. An id that is already taken is an error
(``RecordCollision``), never an overwrite and never a silently dropped row: retries are
made safe by client order ids, above the store.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from numatix.domain.balances import WALLET_RESET, Balance, LedgerEntry  # noqa: F401 (re-exported)
from numatix.domain.orders import Fill, Order


@dataclass(frozen=True, slots=True)
class PaperOrderRecord:
    """An order plus the engine state needed to carry on after a restart.

    ``queue_ahead``: displayed size still ahead of a resting order at its price.
    ``reserved_asset``/``reserved_amount``: funds still locked for it (for an OCO, the
    amount shared by both legs, which carry the same ``order.order_list_id``).
    """

    account: Hashable
    order: Order
    queue_ahead: Decimal
    reserved_asset: str
    reserved_amount: Decimal


class StoreError(Exception):
    """The store did not do what a step asked: the step is abandoned (its transaction rolled
    back) and the engine's memory of it can no longer be trusted."""


class FencedOut(StoreError):
    """A newer engine has claimed the books: this one may write nothing more, ever."""


class RecordCollision(StoreError):
    """An order id or trade id that is already taken, or an update to an order that is not
    the one the engine holds: two writers disagree about the books."""


class StoreUnavailable(StoreError):
    """The database could not be reached. ``maybe_committed``: the connection went away
    during the commit itself, so the step may or may not have been stored."""

    def __init__(self, message: str, maybe_committed: bool = False) -> None:
        super().__init__(message)
        self.maybe_committed = maybe_committed


class PaperStore(Protocol):
    def claim(self) -> int:
        """This engine now owns the books: the writes of every engine that claimed before
        are refused from now on. Returns the new term (it only grows)."""

    def transaction(self) -> AbstractContextManager[None]: ...

    def insert_order(self, record: PaperOrderRecord) -> None:
        """A new order; ``RecordCollision`` if its venue order id is taken."""

    def update_order(self, record: PaperOrderRecord) -> None:
        """A stored order's new state; ``RecordCollision`` unless the stored order with this
        id is this account's, with this symbol and client order id."""

    def insert_fill(self, account: Hashable, fill: Fill) -> None:
        """A new fill; ``RecordCollision`` if its trade id is taken."""

    def save_balances(self, account: Hashable, balances: list[Balance]) -> None:
        """Upsert the given assets' balances (only those that changed are passed)."""

    def replace_balances(self, account: Hashable, balances: list[Balance]) -> None:
        """Wallet reset: the account's balances become exactly these."""

    def record_ledger(self, account: Hashable, entry: LedgerEntry) -> None: ...

    def load_ledger(self, account: Hashable) -> list[LedgerEntry]:
        """Oldest first."""

    def load_open_orders(self) -> list[PaperOrderRecord]: ...

    def load_orders(self, account: Hashable, symbol: str | None = None, limit: int = 500,
                    before_order_id: int | None = None, is_open: bool | None = None) -> list[Order]:
        """Newest first; ``before_order_id`` pages back, ``is_open`` filters."""

    def load_order_by_id(self, account: Hashable, venue_order_id: int) -> Order | None: ...

    def load_order(self, account: Hashable, symbol: str, client_order_id: str) -> Order | None:
        """The latest order with this client id (open or closed), for queries."""

    def load_balances(self, account: Hashable) -> list[Balance] | None:
        """None if the account has never been seen (it then gets the starting wallet)."""

    def load_fills(self, account: Hashable, symbol: str | None = None) -> list[Fill]: ...

    def max_ids(self) -> tuple[int, int, int]:
        """Highest (venue order id, trade id, order list id) ever stored; 0 if none."""


class InMemoryPaperStore:
    """One engine's books in memory (tests, the simulator). No transactions: a failed step
    leaves what it wrote, so it fences nothing either; the SQL store does both."""

    def __init__(self) -> None:
        self.orders: dict[int, PaperOrderRecord] = {}
        self.fills: dict[int, tuple[Hashable, Fill]] = {}
        self.balances: dict[Hashable, dict[str, Balance]] = {}
        self._latest_by_client_id: dict[tuple[Hashable, str, str], int] = {}
        self.ledger: dict[Hashable, list[LedgerEntry]] = {}
        self.order_saves = 0
        self.term = 0

    def claim(self) -> int:
        self.term += 1
        return self.term

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def insert_order(self, record: PaperOrderRecord) -> None:
        if record.order.venue_order_id in self.orders:
            raise RecordCollision(f"order id {record.order.venue_order_id} is already taken")
        self._keep(record)

    def update_order(self, record: PaperOrderRecord) -> None:
        stored = self.orders.get(record.order.venue_order_id)
        if stored is None or not _same_order(stored, record):
            raise RecordCollision(f"order {record.order.venue_order_id} is not the order this engine holds")
        self._keep(record)

    def _keep(self, record: PaperOrderRecord) -> None:
        order = record.order.copy()
        self.orders[order.venue_order_id] = PaperOrderRecord(
            record.account, order, record.queue_ahead, record.reserved_asset, record.reserved_amount
        )
        key = (record.account, order.symbol, order.client_order_id)
        self._latest_by_client_id[key] = order.venue_order_id
        self.order_saves += 1

    def insert_fill(self, account: Hashable, fill: Fill) -> None:
        if fill.trade_id in self.fills:
            raise RecordCollision(f"trade id {fill.trade_id} is already taken")
        self.fills[fill.trade_id] = (account, fill)

    def save_balances(self, account: Hashable, balances: list[Balance]) -> None:
        stored = self.balances.setdefault(account, {})
        for balance in balances:
            stored[balance.asset] = balance

    def replace_balances(self, account: Hashable, balances: list[Balance]) -> None:
        self.balances[account] = {balance.asset: balance for balance in balances}

    def record_ledger(self, account: Hashable, entry: LedgerEntry) -> None:
        self.ledger.setdefault(account, []).append(entry)

    def load_ledger(self, account: Hashable) -> list[LedgerEntry]:
        return list(self.ledger.get(account, []))

    def load_orders(self, account: Hashable, symbol: str | None = None, limit: int = 500,
                    before_order_id: int | None = None, is_open: bool | None = None) -> list[Order]:
        records = [
            r for r in self.orders.values()
            if r.account == account and (symbol is None or r.order.symbol == symbol)
            and (before_order_id is None or r.order.venue_order_id < before_order_id)
            and (is_open is None or r.order.is_open == is_open)
        ]
        records.sort(key=lambda r: r.order.venue_order_id, reverse=True)
        return [r.order.copy() for r in records[:limit]]

    def load_order_by_id(self, account: Hashable, venue_order_id: int) -> Order | None:
        record = self.orders.get(venue_order_id)
        return record.order.copy() if record is not None and record.account == account else None

    def load_open_orders(self) -> list[PaperOrderRecord]:
        records = [r for r in self.orders.values() if r.order.is_open]
        return [
            PaperOrderRecord(r.account, r.order.copy(), r.queue_ahead, r.reserved_asset, r.reserved_amount)
            for r in sorted(records, key=lambda r: r.order.venue_order_id)
        ]

    def load_order(self, account: Hashable, symbol: str, client_order_id: str) -> Order | None:
        venue_order_id = self._latest_by_client_id.get((account, symbol, client_order_id))
        return None if venue_order_id is None else self.orders[venue_order_id].order.copy()

    def load_balances(self, account: Hashable) -> list[Balance] | None:
        stored = self.balances.get(account)
        return None if stored is None else list(stored.values())

    def load_fills(self, account: Hashable, symbol: str | None = None) -> list[Fill]:
        return [
            fill
            for owner, fill in sorted(self.fills.values(), key=lambda item: item[1].trade_id)
            if owner == account and (symbol is None or fill.symbol == symbol)
        ]

    def max_ids(self) -> tuple[int, int, int]:
        max_order = max(self.orders, default=0)
        max_trade = max(self.fills, default=0)
        max_list = max((r.order.order_list_id for r in self.orders.values()), default=0)
        return max_order, max_trade, max(max_list, 0)


def _same_order(stored: PaperOrderRecord, record: PaperOrderRecord) -> bool:
    return (stored.account, stored.order.symbol, stored.order.client_order_id) == (
        record.account, record.order.symbol, record.order.client_order_id)
