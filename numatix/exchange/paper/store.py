"""The paper engine's persistence port, and an in-memory implementation for tests.

The engine calls ``save_order`` before it matches an order, so an order is never
executed without a record of it; every engine step (a placement, a cancel, a market
event) runs inside ``transaction()`` so that a SQL implementation can commit the
order, its fills and the balances together. ``save_fill`` is idempotent by trade id.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import ContextManager, Protocol

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


class PaperStore(Protocol):
    def transaction(self) -> ContextManager[None]: ...

    def save_order(self, record: PaperOrderRecord) -> None:
        """Insert or update by ``record.order.venue_order_id``."""

    def save_fill(self, account: Hashable, fill: Fill) -> bool:
        """Store a fill; False (and nothing stored) if its trade id is already stored."""

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
    def __init__(self) -> None:
        self.orders: dict[int, PaperOrderRecord] = {}
        self.fills: dict[int, tuple[Hashable, Fill]] = {}
        self.balances: dict[Hashable, dict[str, Balance]] = {}
        self._latest_by_client_id: dict[tuple[Hashable, str, str], int] = {}
        self.ledger: dict[Hashable, list[LedgerEntry]] = {}
        self.order_saves = 0

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def save_order(self, record: PaperOrderRecord) -> None:
        order = record.order.copy()
        self.orders[order.venue_order_id] = PaperOrderRecord(
            record.account, order, record.queue_ahead, record.reserved_asset, record.reserved_amount
        )
        self._latest_by_client_id[(record.account, order.symbol, order.client_order_id)] = order.venue_order_id
        self.order_saves += 1

    def save_fill(self, account: Hashable, fill: Fill) -> bool:
        if fill.trade_id in self.fills:
            return False
        self.fills[fill.trade_id] = (account, fill)
        return True

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
