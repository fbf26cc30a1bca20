"""Resting orders: joining the queue, moving up it, and filling from what the public market does.

A mixin of ``PaperCore`` (kept apart so the engine module stays about placing and settling).
Every feed gives the engine prints and book snapshots, and both advance a resting order the
same way whatever the feed (``queue.QueuePlace``):

- a print at its price eats the queue ahead, then fills it; a print through its price means
  everything at its price traded, so it fills up to the print's size;
- a new book moves it up by the cancels ahead of it; and if the book now crosses its price
  (an ask at or below a resting buy), a seller came to its price and took what the book
  shows there: it fills, at its own price, up to that size (consumed, so it counts once).

Fills are always at the order's limit price: a resting order never fills through its limit.
"""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal
from typing import TYPE_CHECKING

from numatix.domain.enums import Side
from numatix.domain.market import BookSnapshot, TradePrint
from numatix.exchange.paper import matching
from numatix.exchange.paper.state import OpenOrder, SymbolMarket
from numatix.exchange.paper.timing import Clock

ZERO = Decimal(0)


class RestingMixin:
    _clock: Clock
    _dirty: dict[int, OpenOrder]

    if TYPE_CHECKING:  # the host's methods this mixin calls
        def _execute(self, entry: OpenOrder, market: SymbolMarket, price: Decimal, quantity: Decimal,
                     is_maker: bool) -> None: ...

        def _finish(self, entry: OpenOrder) -> None: ...

        def wallet(self, account: Hashable): ...

    def _rest(self, entry: OpenOrder, market: SymbolMarket) -> None:
        order = entry.order
        entry.place.join(matching.displayed_size(market.levels(order.side), order.limit_price))
        market.rest(entry)
        self._dirty[order.venue_order_id] = entry

    def _fill_resting(self, market: SymbolMarket, trade: TradePrint) -> None:
        """Maker fills from a print: queue ahead first, then us, at our limit price."""
        for side in (Side.BUY, Side.SELL):
            print_left = trade.quantity
            for entry in list(market.resting(side)):
                order = entry.order
                if print_left <= 0 or not matching.within_limit(side, trade.price, order.limit_price):
                    break
                before = entry.place.ahead
                if trade.price == order.limit_price:
                    reaching = entry.place.trade(print_left)
                else:  # through our price: the whole level traded before this print
                    entry.place.ahead, reaching = ZERO, print_left
                filled = min(order.base_remaining, reaching)
                print_left = reaching - filled
                if entry.place.ahead != before:
                    self._dirty[order.venue_order_id] = entry
                if filled > 0:
                    self._execute(entry, market, order.limit_price, filled, is_maker=True)
                    self._finish(entry)

    def _queues_on_book(self, market: SymbolMarket, book: BookSnapshot) -> list[OpenOrder]:
        """Move every resting order up by the cancels ahead of it; those the book now crosses."""
        crossed: list[OpenOrder] = []
        for side in (Side.BUY, Side.SELL):
            resting = market.resting(side)
            if not resting:
                continue
            own_levels = book.bids if side is Side.BUY else book.asks
            shown = {level.price: level.quantity for level in own_levels}
            deepest = own_levels[-1].price if own_levels else None
            best_other = market.best(side.opposite)
            for entry in resting:
                price = entry.order.limit_price
                if deepest is not None and matching.within_limit(side.opposite, price, deepest):
                    entry.place.depth(shown.get(price, ZERO))  # beyond the published depth we learn nothing
                if matching.would_take(side, price, best_other):
                    crossed.append(entry)
        return crossed

    def _fill_crossed(self, market: SymbolMarket, crossed: list[OpenOrder]) -> None:
        """The book shows sellers at or below a resting buy (or buyers above a sell): they trade with it."""
        now = self._clock.now_ms()
        for entry in crossed:
            order = entry.order
            if not order.is_open:
                continue
            available = _crossing_size(order.side, order.limit_price, market, now)
            filled = market.filters.floor_quantity(min(order.base_remaining, available))
            if filled <= 0:
                continue
            _consume_crossing(market, order.side, order.limit_price, filled, now)
            entry.place.ahead = ZERO
            self._execute(entry, market, order.limit_price, filled, is_maker=True)
            self._finish(entry)


def _crossing_size(side: Side, price: Decimal, market: SymbolMarket, now: int) -> Decimal:
    """What the other side shows at or through ``price`` (not yet taken by our own orders)."""
    total = ZERO
    book_side = side.opposite
    for level in market.levels(book_side):
        if not matching.within_limit(side, level.price, price):
            break
        total += market.consumed.available(book_side, level.price, level.quantity, now)
    return total


def _consume_crossing(market: SymbolMarket, side: Side, price: Decimal, quantity: Decimal, now: int) -> None:
    book_side = side.opposite
    for level in market.levels(book_side):
        if quantity <= 0 or not matching.within_limit(side, level.price, price):
            return
        take = min(quantity, market.consumed.available(book_side, level.price, level.quantity, now))
        if take > 0:
            market.consumed.consume(book_side, level.price, take, now)
            quantity -= take
