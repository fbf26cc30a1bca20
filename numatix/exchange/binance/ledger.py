"""What one account's listeners have already been told, so nothing reaches them twice.

After a reconnect the same change can arrive twice: once synthesised by the REST
reconciliation and once from the stream's buffered events. Fills are de-duplicated by
trade id (per symbol: Binance numbers trades per symbol); other reports by order state:
an order's NEW is told once (again only when a stop starts working), a state it has been
told is not told again, and nothing follows a final state.

It also keeps each asset's total as last told (``totals``): after a reconnect, an asset whose
total moved while nobody listened says that its markets may have traded.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from numatix.domain.balances import Balance
from numatix.domain.enums import ExecutionType, OrderStatus
from numatix.domain.events import BalanceUpdate, ExecutionReport, VenueEvent
from numatix.domain.orders import Order

ZERO = Decimal(0)
REMEMBERED_ORDERS = 10_000
REMEMBERED_TRADES = 50_000


@dataclass
class OrderProgress:
    status: OrderStatus
    cumulative_quantity: Decimal = ZERO
    cumulative_quote: Decimal = ZERO
    is_working: bool = True
    told: set[tuple[ExecutionType, OrderStatus]] = field(default_factory=set)

    @property
    def is_final(self) -> bool:
        return not self.status.is_open


class AccountLedger:
    def __init__(self) -> None:
        self._orders: OrderedDict[tuple[str, int], OrderProgress] = OrderedDict()
        self._trades: set[tuple[str, int]] = set()
        self._trade_order: deque[tuple[str, int]] = deque()
        self.last_trade_ids: dict[str, int] = {}
        self.totals: dict[str, Decimal] = {}  # asset -> free + locked, as last told

    def admit(self, event: VenueEvent) -> bool:
        """True (and remembered) if the event tells something new."""
        if isinstance(event, BalanceUpdate):
            self.note_balances(event.balances)
            return True  # balances are snapshots: a repeat is harmless
        if not isinstance(event, ExecutionReport):
            return True
        key = (event.symbol, event.venue_order_id)
        progress = self._orders.get(key)
        if event.execution_type is ExecutionType.TRADE and event.trade_id >= 0:
            if (event.symbol, event.trade_id) in self._trades:
                return False
            self._remember_trade(event.symbol, event.trade_id)
        elif not self._is_news(event, progress):
            return False
        self._record(key, progress, event)
        return True

    def _is_news(self, event: ExecutionReport, progress: OrderProgress | None) -> bool:
        if progress is None:
            return True
        if progress.is_final:
            return False
        if event.execution_type is ExecutionType.NEW:
            return event.is_working and not progress.is_working  # a stop that started working
        if event.cumulative_quantity < progress.cumulative_quantity:
            return False
        return (event.execution_type, event.status) not in progress.told

    def _record(self, key: tuple[str, int], progress: OrderProgress | None, event: ExecutionReport) -> None:
        if progress is None:
            progress = self._orders[key] = OrderProgress(event.status)
        progress.status = event.status
        progress.is_working = event.is_working or (
            progress.is_working and event.execution_type is not ExecutionType.NEW)
        progress.cumulative_quantity = max(progress.cumulative_quantity, event.cumulative_quantity)
        progress.cumulative_quote = max(progress.cumulative_quote, event.cumulative_quote)
        progress.told.add((event.execution_type, event.status))
        self._orders.move_to_end(key)
        self._forget_old_orders()

    def note_order(self, order: Order) -> None:
        """An order that existed before we started listening: known, not news."""
        self._orders[(order.symbol, order.venue_order_id)] = OrderProgress(
            order.status, order.executed_quantity, order.cumulative_quote, order.is_working,
            {(ExecutionType.NEW, OrderStatus.NEW)},
        )

    def note_balances(self, balances: Iterable[Balance]) -> None:
        self.totals.update({balance.asset: balance.total for balance in balances})

    def moved_assets(self, balances: Mapping[str, Balance]) -> set[str]:
        """The assets whose total differs from the one last told (an asset not listed holds 0)."""
        return {asset for asset in balances.keys() | self.totals.keys()
                if (balances[asset].total if asset in balances else ZERO) != self.totals.get(asset, ZERO)}

    def progress(self, symbol: str, venue_order_id: int) -> OrderProgress | None:
        return self._orders.get((symbol, venue_order_id))

    def open_order_ids(self, symbol: str) -> list[int]:
        return [order_id for (name, order_id), p in self._orders.items() if name == symbol and not p.is_final]

    def has_trade(self, symbol: str, trade_id: int) -> bool:
        return (symbol, trade_id) in self._trades

    def _remember_trade(self, symbol: str, trade_id: int) -> None:
        self._trades.add((symbol, trade_id))
        self._trade_order.append((symbol, trade_id))
        self.last_trade_ids[symbol] = max(self.last_trade_ids.get(symbol, 0), trade_id)
        while len(self._trade_order) > REMEMBERED_TRADES:
            self._trades.discard(self._trade_order.popleft())

    def _forget_old_orders(self) -> None:
        while len(self._orders) > REMEMBERED_ORDERS:
            oldest_key = next(iter(self._orders))
            self._orders.pop(oldest_key)
