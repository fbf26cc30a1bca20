"""The engine's working state: open orders with their queue position and locked funds,
and per-symbol market state (last price, book, consumed liquidity, resting orders)."""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal

from numatix.domain.enums import OrderType, Side
from numatix.domain.filters import SymbolFilters
from numatix.domain.market import BookLevel, BookSnapshot, TradePrint
from numatix.domain.orders import Order
from numatix.exchange.paper.matching import ConsumedLiquidity
from numatix.exchange.paper.queue import QueuePlace
from numatix.exchange.paper.store import PaperOrderRecord

ZERO = Decimal(0)
AVERAGE_PRICE_MINUTES = 5  # avgPriceMins of PERCENT_PRICE_BY_SIDE and NOTIONAL, as Binance lists it


@dataclass(slots=True)
class Reservation:
    """Funds locked for one order, or shared by both legs of an OCO."""

    asset: str
    amount: Decimal
    holders: list[OpenOrder] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class OpenOrder:
    account: Hashable
    order: Order
    reservation: Reservation
    place: QueuePlace = field(default_factory=QueuePlace)
    sequence: int = 0

    @property
    def queue_ahead(self) -> Decimal:
        return self.place.ahead

    def requirement(self) -> Decimal:
        """Funds this order still needs locked, given what is left to fill."""
        order = self.order
        remaining = order.remaining_quantity
        if not order.is_open or remaining is None:
            return ZERO
        if order.side is Side.SELL:
            return remaining
        if order.order_type.has_limit_price:
            return remaining * order.limit_price
        if order.order_type is OrderType.MARKET:
            return ZERO
        return remaining * order.trigger_price  # stop/take-profit market before its trigger

    def record(self) -> PaperOrderRecord:
        return PaperOrderRecord(
            self.account, self.order, self.queue_ahead, self.reservation.asset, self.reservation.amount
        )


def _bid_key(entry: OpenOrder) -> tuple[Decimal, int]:
    return (-entry.order.limit_price, entry.sequence)


def _ask_key(entry: OpenOrder) -> tuple[Decimal, int]:
    return (entry.order.limit_price, entry.sequence)


class AveragePrice:
    """Binance's reference price: the volume-weighted average price of the last ``avgPriceMins``
    minutes of trades."""

    def __init__(self, minutes: int = AVERAGE_PRICE_MINUTES) -> None:
        self.window_ms = minutes * 60_000
        self._trades: deque[tuple[int, Decimal, Decimal]] = deque()  # (time, price × quantity, quantity)
        self._quote = ZERO
        self._quantity = ZERO
        self.last_trade_ms: int | None = None

    def add(self, trade: TradePrint) -> None:
        quote = trade.price * trade.quantity
        self._trades.append((trade.time_ms, quote, trade.quantity))
        self._quote += quote
        self._quantity += trade.quantity
        self.last_trade_ms = max(self.last_trade_ms or trade.time_ms, trade.time_ms)

    def at(self, now_ms: int) -> Decimal | None:
        """The average at ``now_ms``; None when no trade falls in the window."""
        trades = self._trades
        while trades and trades[0][0] <= now_ms - self.window_ms:
            _, quote, quantity = trades.popleft()
            self._quote -= quote
            self._quantity -= quantity
        if not trades or self._quantity <= 0:
            return None
        return self._quote / self._quantity


class SymbolMarket:
    """What the engine knows about one symbol's market and the orders waiting on it."""

    def __init__(self, filters: SymbolFilters, consumption_half_life_ms: int) -> None:
        self.filters = filters
        self.average = AveragePrice()
        self.last_price: Decimal | None = None
        self.book: BookSnapshot | None = None
        self.consumed = ConsumedLiquidity(consumption_half_life_ms)
        self.bids: list[OpenOrder] = []  # resting buys, best (highest) first, then by time
        self.asks: list[OpenOrder] = []
        self.stops: list[OpenOrder] = []  # untriggered conditional orders, by time

    def levels(self, book_side: Side) -> tuple[BookLevel, ...]:
        if self.book is None:
            return ()
        return self.book.bids if book_side is Side.BUY else self.book.asks

    def best(self, book_side: Side) -> Decimal | None:
        levels = self.levels(book_side)
        return levels[0].price if levels else None

    def reference_price(self, now_ms: int) -> Decimal | None:
        """What PERCENT_PRICE_BY_SIDE and NOTIONAL compare with, as on Binance: the average price over
        ``avgPriceMins``; with no trade that recent, the last price; with no trade at all, the mid."""
        average = self.average.at(now_ms)
        if average is not None:
            return average
        return self.last_price if self.last_price is not None else self.mid_price

    @property
    def mid_price(self) -> Decimal | None:
        bid, ask = self.best(Side.BUY), self.best(Side.SELL)
        if bid is not None and ask is not None:
            return (bid + ask) / 2
        return bid if bid is not None else ask

    def arrival_price(self, side: Side) -> Decimal | None:
        """The price a taker would expect: best opposite quote, else the last price or mid."""
        best = self.best(side.opposite)
        if best is not None:
            return best
        return self.last_price if self.last_price is not None else self.mid_price

    def best_resting(self, side: Side, account: Hashable) -> Decimal | None:
        """The best price of ``account``'s own resting ``side`` orders."""
        for entry in self.resting(side):
            if entry.account == account:
                return entry.order.limit_price
        return None

    def rest(self, entry: OpenOrder) -> None:
        if entry.order.side is Side.BUY:
            bisect.insort(self.bids, entry, key=_bid_key)
        else:
            bisect.insort(self.asks, entry, key=_ask_key)

    def remove(self, entry: OpenOrder) -> None:
        for queue in (self.bids, self.asks, self.stops):
            if entry in queue:
                queue.remove(entry)
                return

    def resting(self, side: Side) -> list[OpenOrder]:
        return self.bids if side is Side.BUY else self.asks
