"""A taker order meeting the account's own resting orders: self-trade prevention, as Binance does it.

A mixin of ``PaperCore``. The taker walks the public book and the account's own resting
orders on the other side together, in price-time priority (an own order is reached once the
public size ahead of it at its price is taken). On meeting one, the taker's STP mode decides
(TRANSFER counts only if the maker's mode is TRANSFER too, and between orders of one account
it is DECREMENT):

- NONE: they trade: the taker fills at the maker's price, the maker fills as maker;
- EXPIRE_TAKER: the taker's remaining quantity is prevented and it ends EXPIRED_IN_MATCH;
- EXPIRE_MAKER: the maker's is, and the taker walks on;
- EXPIRE_BOTH: both;
- DECREMENT (and TRANSFER): the quantity they would have traded is prevented on both; the
  one with nothing left ends EXPIRED_IN_MATCH (both if equal), the other goes on.

Each prevention is one prevented match with an id and a TRADE_PREVENTION report per order.
"""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal
from typing import TYPE_CHECKING

from numatix.domain.enums import ExecutionType, SelfTradePreventionMode, Side
from numatix.domain.events import PreventedMatch
from numatix.domain.orders import OrderPrevented
from numatix.exchange.paper import matching
from numatix.exchange.paper.state import OpenOrder, SymbolMarket
from numatix.exchange.paper.timing import Clock

ZERO = Decimal(0)
STP = SelfTradePreventionMode


def effective_mode(taker: OpenOrder, maker: OpenOrder) -> SelfTradePreventionMode:
    mode = taker.order.self_trade_prevention
    if mode is STP.TRANSFER:  # same account: TRANSFER behaves as DECREMENT, whatever the maker says
        return STP.DECREMENT
    return mode


class PreventionMixin:
    _clock: Clock
    _last_trade_id: int

    if TYPE_CHECKING:  # the host's methods this mixin calls
        def _execute(self, entry: OpenOrder, market: SymbolMarket, price: Decimal, quantity: Decimal,
                     is_maker: bool) -> None: ...

        def _finish(self, entry: OpenOrder) -> None: ...

        def _report(self, entry: OpenOrder, kind: ExecutionType, *, prevention: PreventedMatch | None = None
                    ) -> None: ...

        def wallet(self, account: Hashable): ...

    def _own_makers(self, taker: OpenOrder, market: SymbolMarket,
                    limit_price: Decimal | None) -> list[OpenOrder]:
        """The account's resting orders on the other side that the taker could reach, best first."""
        side = taker.order.side
        return [maker for maker in market.resting(side.opposite)
                if maker.account == taker.account and maker is not taker and maker.order.is_open
                and matching.within_limit(side, maker.order.limit_price, limit_price)]

    def _meet_own(self, taker: OpenOrder, maker: OpenOrder, market: SymbolMarket, room: Decimal) -> bool:
        """The taker reached one of its account's own orders; True if it walks on."""
        mode = effective_mode(taker, maker)
        price = maker.order.limit_price
        would_trade = min(room, maker.order.base_remaining)
        if would_trade <= 0:
            return False
        if mode is STP.NONE:
            self._execute(taker, market, price, would_trade, is_maker=False)
            self._execute(maker, market, price, would_trade, is_maker=True)
            self._finish(maker)
            return taker.order.is_open
        prevent_taker = mode in (STP.EXPIRE_TAKER, STP.EXPIRE_BOTH, STP.DECREMENT)
        prevent_maker = mode in (STP.EXPIRE_MAKER, STP.EXPIRE_BOTH, STP.DECREMENT)
        self._last_trade_id += 1  # prevented matches share the trade ids' sequence: unique and saved
        match_id = self._last_trade_id
        if prevent_maker:
            amount = would_trade if mode is STP.DECREMENT else maker.order.base_remaining
            self._prevent(maker, taker, amount, match_id, price, would_trade)
        if prevent_taker:
            amount = would_trade if mode is STP.DECREMENT else taker_remaining(taker)
            self._prevent(taker, maker, amount, match_id, price, would_trade)
        return taker.order.is_open

    def _prevent(self, entry: OpenOrder, other: OpenOrder, amount: Decimal, match_id: int, price: Decimal,
                 would_trade: Decimal) -> None:
        if amount <= 0:
            return
        entry.order.apply(OrderPrevented(self._clock.now_ms(), amount, match_id))
        prevention = PreventedMatch(match_id, amount, other.order.venue_order_id, price, would_trade)
        self._report(entry, ExecutionType.TRADE_PREVENTION, prevention=prevention)
        self._finish(entry)


def taker_remaining(taker: OpenOrder) -> Decimal:
    remaining = taker.order.remaining_quantity
    return remaining if remaining is not None else ZERO


def affordable(taker: OpenOrder, price: Decimal, step: Decimal) -> Decimal:
    """How much a taker can still take at ``price``: its size left, and for a buy its locked funds."""
    order = taker.order
    left = taker_remaining(taker)
    if order.side is Side.BUY and price > 0:
        left = min(left, matching.floor_to_step(taker.reservation.amount / price, step))
    return max(ZERO, left)
