"""The matching core: pure functions over a book snapshot and trade prints.

Nothing here knows about accounts, balances or time sources; the engine calls these
with the values it owns, which keeps each rule small enough to test on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from numatix.domain import triggers
from numatix.domain.enums import OrderType, Side
from numatix.domain.market import BookLevel

ZERO = Decimal(0)
HALF = Decimal("0.5")

# (level price, displayed size) -> size still available to us at that level.
Availability = Callable[[Decimal, Decimal], Decimal]


@dataclass(frozen=True, slots=True)
class Match:
    price: Decimal
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class Walk:
    matches: tuple[Match, ...]
    exhausted: bool  # the book ran out before the order's size did

    @property
    def quantity(self) -> Decimal:
        return sum((m.quantity for m in self.matches), ZERO)

    @property
    def quote(self) -> Decimal:
        return sum((m.price * m.quantity for m in self.matches), ZERO)


def within_limit(side: Side, level_price: Decimal, limit_price: Decimal | None) -> bool:
    """A buy takes asks at or below its limit; a sell takes bids at or above it."""
    if limit_price is None:
        return True
    return level_price <= limit_price if side is Side.BUY else level_price >= limit_price


def floor_to_step(quantity: Decimal, step: Decimal) -> Decimal:
    if step == 0:
        return quantity
    return (quantity / step).to_integral_value(ROUND_DOWN) * step


def walk_book(
    levels: Iterable[BookLevel],
    side: Side,
    step_size: Decimal,
    available: Availability,
    quantity: Decimal | None = None,
    quote_amount: Decimal | None = None,
    limit_price: Decimal | None = None,
) -> Walk:
    """Take liquidity level by level, at each level's price, within the size and quote caps.

    ``levels`` are the opposite side of the book, best first. Quote-capped takes are floored
    to the step, as Binance does for ``quoteOrderQty`` orders.
    """
    remaining_qty = quantity
    remaining_quote = quote_amount
    matches: list[Match] = []
    for level in levels:
        if not within_limit(side, level.price, limit_price):
            return Walk(tuple(matches), exhausted=False)
        take = floor_to_step(available(level.price, level.quantity), step_size)
        if remaining_qty is not None:
            take = min(take, remaining_qty)
        if remaining_quote is not None:
            take = min(take, floor_to_step(remaining_quote / level.price, step_size))
        if take > 0:
            matches.append(Match(level.price, take))
            if remaining_qty is not None:
                remaining_qty -= take
            if remaining_quote is not None:
                remaining_quote -= take * level.price
        if _satisfied(remaining_qty, remaining_quote, level.price, step_size):
            return Walk(tuple(matches), exhausted=False)
    return Walk(tuple(matches), exhausted=True)


def _satisfied(qty: Decimal | None, quote: Decimal | None, price: Decimal, step: Decimal) -> bool:
    if qty is not None and qty <= 0:
        return True
    return quote is not None and floor_to_step(quote / price, step) <= 0


def stop_triggered(order_type: OrderType, side: Side, stop_price: Decimal, last_price: Decimal) -> bool:
    """Binance: STOP_LOSS SELL and TAKE_PROFIT BUY fire when last <= stop; the others when >=."""
    return triggers.triggered(order_type, side, stop_price, last_price)


def would_take(side: Side, limit_price: Decimal, best_opposite: Decimal | None) -> bool:
    return best_opposite is not None and within_limit(side, best_opposite, limit_price)


def displayed_size(levels: Iterable[BookLevel], price: Decimal) -> Decimal:
    for level in levels:
        if level.price == price:
            return level.quantity
    return ZERO


class ConsumedLiquidity:
    """Size we took from each level, refilling with a half-life instead of at once.

    The feed keeps showing the same displayed size until the market itself reacts, so
    without this a market order could take the same liquidity again a moment later.
    """

    __slots__ = ("_half_life_ms", "_taken")

    def __init__(self, half_life_ms: int = 2_000) -> None:
        self._half_life_ms = half_life_ms
        self._taken: dict[tuple[Side, Decimal], tuple[Decimal, int]] = {}

    def consumed(self, book_side: Side, price: Decimal, now_ms: int) -> Decimal:
        entry = self._taken.get((book_side, price))
        if entry is None:
            return ZERO
        amount, since = entry
        elapsed = now_ms - since
        if elapsed <= 0:
            return amount
        if elapsed >= 20 * self._half_life_ms:
            del self._taken[(book_side, price)]
            return ZERO
        return amount * HALF ** (Decimal(elapsed) / self._half_life_ms)

    def available(self, book_side: Side, price: Decimal, displayed: Decimal, now_ms: int) -> Decimal:
        return max(ZERO, displayed - self.consumed(book_side, price, now_ms))

    def consume(self, book_side: Side, price: Decimal, quantity: Decimal, now_ms: int) -> None:
        self._taken[(book_side, price)] = (self.consumed(book_side, price, now_ms) + quantity, now_ms)
