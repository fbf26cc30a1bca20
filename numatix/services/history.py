"""Order history as a trader reads it: what each order executed at, its total and its fee.

An order's own price is what was asked (its limit or stop); what it executed at is the
average of its fills. Both are shown, with the filled total and the fee from the fills,
so a limit that filled better than asked never reads as if it filled at the limit.

Filters (side, period) are applied while the pages are read, not to one page after it is
read: a filtered page is full whenever more matching orders exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from numatix.domain.enums import Side
from numatix.domain.orders import Fill, Order
from numatix.services.trading import TradingService

ZERO = Decimal(0)
READ_AHEAD = 4  # venue pages are this many times the rows wanted, to fill a filtered page in few reads


@dataclass(frozen=True, slots=True)
class OrderFees:
    """What one order's fills cost: per asset (a buy pays in base, a sell in quote)."""

    by_asset: dict[str, Decimal]

    @property
    def asset(self) -> str:
        return next(iter(self.by_asset), "")

    @property
    def amount(self) -> Decimal:
        return sum(self.by_asset.values(), ZERO)


@dataclass(frozen=True, slots=True)
class OrderRecord:
    order: Order
    average_price: Decimal | None  # of the fills; None when nothing filled
    filled_quantity: Decimal
    filled_total: Decimal  # quote spent (buy) or received (sell)
    fees: OrderFees


@dataclass(frozen=True, slots=True)
class HistoryPage:
    records: list[OrderRecord]
    more: bool  # older matching orders exist: pass the last record's order id as ``before``


def fees_by_order(fills: Iterable[Fill]) -> dict[int, OrderFees]:
    per_order: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for fill in fills:
        if fill.commission:
            per_order[fill.venue_order_id][fill.commission_asset] += fill.commission
    return {order_id: OrderFees(dict(fees)) for order_id, fees in per_order.items()}


def record(order: Order, fees: dict[int, OrderFees]) -> OrderRecord:
    executed = order.executed_quantity
    average = order.cumulative_quote / executed if executed else None
    order_fees = fees.get(order.venue_order_id, OrderFees({}))
    return OrderRecord(order, average, executed, order.cumulative_quote, order_fees)


def matches(order: Order, side: Side | None, since_ms: int) -> bool:
    return (side is None or order.side is side) and order.created_time_ms >= since_ms


class OrderHistory:
    def __init__(self, trading: TradingService) -> None:
        self._trading = trading

    async def closed(self, user_id: int, *, symbol: str | None = None, side: Side | None = None,
                     since_ms: int = 0, limit: int = 50, before: int | None = None) -> HistoryPage:
        """Newest first, ``limit`` closed orders matching the filters, older than ``before``."""
        found: list[Order] = []
        cursor, exhausted = before, False
        while len(found) <= limit and not exhausted:
            batch = limit * READ_AHEAD
            page = await self._trading.order_history(user_id, symbol, batch, cursor, is_open=False)
            found += [order for order in page if matches(order, side, since_ms)]
            exhausted = len(page) < batch or (bool(page) and page[-1].created_time_ms < since_ms)
            cursor = page[-1].venue_order_id if page else cursor
        fees = fees_by_order(await self._trading.fills(user_id, symbol)) if found else {}
        return HistoryPage([record(order, fees) for order in found[:limit]], len(found) > limit)

    async def open(self, user_id: int, *, symbol: str | None = None, side: Side | None = None,
                   since_ms: int = 0) -> list[Order]:
        """Open orders, newest first, the legs of a one-cancels-the-other pair next to each other."""
        orders = [o for o in await self._trading.open_orders(user_id, symbol) if matches(o, side, since_ms)]
        return pair_legs(orders)


def pair_legs(orders: list[Order]) -> list[Order]:
    """Keep the order given, but list a pair's legs together where its first one comes, limit
    leg (placed first) first."""
    placed: set[int] = set()
    result: list[Order] = []
    for order in orders:
        if order.venue_order_id in placed:
            continue
        pair = [o for o in orders if order.order_list_id >= 0 and o.order_list_id == order.order_list_id]
        for leg in sorted(pair or [order], key=lambda o: o.venue_order_id):  # the limit leg first
            result.append(leg)
            placed.add(leg.venue_order_id)
    return result
