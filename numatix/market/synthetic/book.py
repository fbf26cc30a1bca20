"""A price-time priority limit order book in integers (ticks, steps), as an exchange keeps it.

Each price level is a first-in first-out queue of resting orders. A taker order walks the
opposite side from the best price, filling the oldest order at each level first, and every
maker order it meets gives one trade, as on Binance. ``update_id`` counts every change,
like Binance's order book update ids, so published depth can say which state it shows.
"""

from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass


@dataclass(slots=True, eq=False)
class RestingOrder:
    """Resting liquidity placed at one moment: one order, or a maker's quote of several (``parts``).

    The parts of a quote sit one behind the other in the queue and each fills as an order
    of its own (one trade per part); the quote is placed and pulled as one.
    """

    order_id: int
    price: int  # ticks
    size: int  # steps still resting, the sum of ``parts``
    is_bid: bool
    parts: deque[int]


@dataclass(frozen=True, slots=True)
class Execution:
    """One trade: a taker met one resting order."""

    price: int
    size: int
    maker: RestingOrder


class BookSide:
    """One side: levels keyed so that the best price sorts first."""

    def __init__(self, is_bid: bool) -> None:
        self.is_bid = is_bid
        self.levels: dict[int, deque[RestingOrder]] = {}
        self.totals: dict[int, int] = {}
        self._keys: list[int] = []  # -price for bids, price for asks, ascending = best first

    def _key(self, price: int) -> int:
        return -price if self.is_bid else price

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def best(self) -> int | None:
        if not self._keys:
            return None
        return -self._keys[0] if self.is_bid else self._keys[0]

    def prices(self, count: int | None = None) -> list[int]:
        """Occupied prices, best first."""
        keys = self._keys if count is None else self._keys[:count]
        return [-key for key in keys] if self.is_bid else list(keys)

    def add(self, order: RestingOrder) -> None:
        queue = self.levels.get(order.price)
        if queue is None:
            queue = self.levels[order.price] = deque()
            self.totals[order.price] = 0
            bisect.insort(self._keys, self._key(order.price))
        queue.append(order)
        self.totals[order.price] += order.size

    def remove(self, order: RestingOrder) -> bool:
        queue = self.levels.get(order.price)
        if queue is None or order.size <= 0:
            return False
        try:
            queue.remove(order)
        except ValueError:
            return False
        self._reduce(order.price, order.size)
        order.size = 0
        return True

    def _reduce(self, price: int, size: int) -> None:
        total = self.totals[price] - size
        if total > 0 and self.levels[price]:
            self.totals[price] = total
            return
        del self.levels[price]
        del self.totals[price]
        index = bisect.bisect_left(self._keys, self._key(price))
        del self._keys[index]

    def take(self, size: int, limit: int | None = None) -> list[Execution]:
        """Fill ``size`` steps from the best price on, oldest order first; stop at ``limit``."""
        executions: list[Execution] = []
        while size > 0 and self._keys:
            price = -self._keys[0] if self.is_bid else self._keys[0]
            if limit is not None and (price < limit if self.is_bid else price > limit):
                break
            queue = self.levels[price]
            order = queue[0]
            part = order.parts[0]
            filled = min(size, part)
            executions.append(Execution(price, filled, order))
            size -= filled
            order.size -= filled
            if filled == part:
                order.parts.popleft()
            else:
                order.parts[0] = part - filled
            if order.size == 0:
                queue.popleft()
            self._reduce(price, filled)
        return executions

    def pull(self, price: int) -> int:
        """Cancel every order at ``price`` at once; how many there were."""
        queue = self.levels.pop(price, None)
        if queue is None:
            return 0
        for order in queue:
            order.size = 0
        del self.totals[price]
        del self._keys[bisect.bisect_left(self._keys, self._key(price))]
        return len(queue)

    def depth(self, count: int) -> list[tuple[int, int]]:
        """(price, size) of the best ``count`` levels."""
        return [(price, self.totals[price]) for price in self.prices(count)]

    def size_within(self, bound: int) -> int:
        """Total size at prices no worse than ``bound`` (at or above it for bids, at or below for asks)."""
        total = 0
        for key in self._keys:
            price = -key if self.is_bid else key
            if (price < bound) if self.is_bid else (price > bound):
                break
            total += self.totals[price]
        return total


class OrderBook:
    def __init__(self) -> None:
        self.bids = BookSide(is_bid=True)
        self.asks = BookSide(is_bid=False)
        self.update_id = 0
        self._next_order_id = 0

    def side(self, is_bid: bool) -> BookSide:
        return self.bids if is_bid else self.asks

    def place(self, is_bid: bool, price: int, parts: list[int]) -> RestingOrder:
        """Rest an order (one part) or a quote (several) at the back of its level."""
        self._next_order_id += 1
        order = RestingOrder(self._next_order_id, price, sum(parts), is_bid, deque(parts))
        self.side(is_bid).add(order)
        self.update_id += 1
        return order

    def pull(self, is_bid: bool, price: int) -> None:
        """Every order at one price cancelled at once (makers pulling a stale level)."""
        self.update_id += self.side(is_bid).pull(price)

    def cancel(self, order: RestingOrder) -> bool:
        removed = self.side(order.is_bid).remove(order)
        if removed:
            self.update_id += 1
        return removed

    def take(self, buyer: bool, size: int, limit: int | None = None) -> list[Execution]:
        """A taker: a buyer lifts asks, a seller hits bids."""
        executions = self.side(not buyer).take(size, limit)
        self.update_id += len(executions)
        return executions

    @property
    def spread(self) -> int | None:
        bid, ask = self.bids.best, self.asks.best
        return None if bid is None or ask is None else ask - bid
