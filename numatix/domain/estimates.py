"""What an order would meet before it is sent: a walk of the visible book.

An estimate, not a promise: the book moves between the preview and the venue's match.
A market order walks until its size is used up; a limit order priced through the market
walks only the levels its limit reaches (what fills at once), and the rest waits at its limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from numatix.domain.enums import Side, TimeInForce
from numatix.domain.market import BookLevel

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class FillEstimate:
    quantity: Decimal
    quote: Decimal
    complete: bool  # False when the visible book (or the limit) runs out first

    @property
    def average_price(self) -> Decimal | None:
        return self.quote / self.quantity if self.quantity else None


@dataclass(frozen=True, slots=True)
class Marketable:
    """A limit order priced through the book: ``quantity`` trades at once for ``quote``;
    ``rests`` waits at ``limit`` (GTC) or expires (IOC)."""

    quantity: Decimal
    quote: Decimal
    rests: Decimal
    limit: Decimal
    time_in_force: TimeInForce
    asset: str = ""  # the base asset the quantities are in
    tick: Decimal | None = None  # the symbol's price step: an average is shown on it

    @property
    def shown_average(self) -> Decimal | None:
        """The average fill price on the symbol's tick, as prices are shown."""
        average = self.average_price
        if average is None or not self.tick:
            return average
        return average.quantize(self.tick.normalize())

    @property
    def average_price(self) -> Decimal | None:
        return self.quote / self.quantity if self.quantity else None

    @property
    def rests_on_book(self) -> bool:
        return self.rests > 0 and self.time_in_force is TimeInForce.GTC


def reaches(side: Side, level_price: Decimal, limit: Decimal | None) -> bool:
    """A buy takes asks at or below its limit; a sell takes bids at or above it."""
    if limit is None:
        return True
    return level_price <= limit if side is Side.BUY else level_price >= limit


def _floor(quantity: Decimal, step: Decimal | None) -> Decimal:
    if not step:
        return quantity
    return (quantity / step).to_integral_value(ROUND_DOWN) * step


def walk_visible_book(levels: tuple[BookLevel, ...], quantity: Decimal | None = None,
                      quote: Decimal | None = None, *, step: Decimal | None = None,
                      side: Side = Side.BUY, limit: Decimal | None = None) -> FillEstimate:
    """Take ``levels`` (the opposite side, best first) until ``quantity`` (base) or ``quote``
    is used up, or the next level is past ``limit`` for a ``side`` order. A quote-sized take
    is floored to ``step``, as the venue does (Binance's quoteOrderQty never breaks LOT_SIZE:
    it spends the total less up to one step's worth)."""
    if quantity is None and quote is None:
        raise ValueError("give a quantity or a quote amount")
    filled, spent, price = ZERO, ZERO, None
    for level in levels:
        if not reaches(side, level.price, limit):
            break
        price = level.price
        if quantity is not None:
            take = min(level.quantity, quantity - filled)
        else:
            take = min(level.quantity, _floor(((quote or ZERO) - spent) / level.price, step))
        if take <= 0:
            break
        filled += take
        spent += take * level.price
    if quantity is not None:
        return FillEstimate(filled, spent, filled >= quantity)
    left = (quote or ZERO) - spent  # what is left buys not one more step at the last price reached
    done = left <= 0 or (price is not None and step is not None and _floor(left / price, step) <= 0)
    return FillEstimate(filled, spent, done)
