"""Sizing an order: a share of what is free, amount ↔ total at a price, and the funds it locks.

The form's slider and Total field and the venue's reservation read these, so what the
form offers is what the venue will accept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from numatix.domain.enums import OrderType, Side
from numatix.domain.filters import SymbolFilters
from numatix.domain.guidance import plain
from numatix.domain.requests import OrderRequest

ZERO = Decimal(0)
# A market buy sized from a price may meet a worse one by the time it arrives: the
# slider leaves this much of the quote balance aside so the order is not refused.
MARKET_BUY_HEADROOM = Decimal("0.002")
QUOTE_DECIMALS = 2  # how the quote amounts a person types are rounded (USDT cents)


def _floor(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), ROUND_DOWN)


def share(free: Decimal, percent: Decimal) -> Decimal:
    """``percent`` (0-100, clamped) of what is free."""
    return free * max(ZERO, min(Decimal(100), percent)) / 100


def quantity_for_quote(quote: Decimal, price: Decimal, filters: SymbolFilters) -> Decimal:
    """How much base ``quote`` buys at ``price``, down to the symbol's step."""
    if price <= 0:
        return ZERO
    return filters.floor_quantity(quote / price)


def quote_for_quantity(quantity: Decimal, price: Decimal) -> Decimal:
    """Price × amount, exactly: what the Total field shows (both are on their tick and step)."""
    return quantity * price


def quantity_for_percent(
    percent: Decimal, side: Side, order_type: OrderType | None, free_base: Decimal, free_quote: Decimal,
    price: Decimal | None, filters: SymbolFilters,
) -> Decimal | None:
    """The amount the %-of-balance slider asks for: a share of the free base to sell, or of
    the free quote to spend at ``price``; None when a buy has no price to size with."""
    if side is Side.SELL:
        return filters.floor_quantity(share(free_base, percent))
    if not price or price <= 0:
        return None
    spend = share(free_quote, percent)
    if order_type is OrderType.MARKET or order_type in (OrderType.STOP_LOSS, OrderType.TAKE_PROFIT):
        spend = spend / (1 + MARKET_BUY_HEADROOM)
    return quantity_for_quote(spend, price, filters)


def quote_for_percent(percent: Decimal, free_quote: Decimal) -> Decimal:
    """A market buy by total: that share of the free quote, in cents."""
    return _floor(share(free_quote, percent), QUOTE_DECIMALS)


@dataclass(frozen=True, slots=True)
class Funds:
    """What an order locks when it is placed: this much of this asset."""

    asset: str
    amount: Decimal

    def shortfall_hint(self, available: Decimal) -> str:
        return (f"Not enough {self.asset}: this order needs {plain(self.amount)} {self.asset}, "
                f"{plain(available)} {self.asset} available")


BookWalk = Callable[[], "tuple[Decimal, Decimal] | None"]  # (quantity, quote) a market order would take


def funds_to_lock(request: OrderRequest, filters: SymbolFilters, walk: BookWalk | None = None
                  ) -> Funds | None:
    """A buy locks quote (its limit, or its stop, × amount; a market buy what the book walk
    costs), a sell the base it sells. ``walk`` is asked only for a market order sized the
    other way; None when what it needs is not known."""
    if request.side is Side.BUY:
        if request.order_type is OrderType.MARKET:
            if request.quote_order_qty is not None:
                return Funds(filters.quote_asset, request.quote_order_qty)
            estimate = walk() if walk else None
            return Funds(filters.quote_asset, estimate[1]) if estimate else None
        limit = request.price if request.order_type.has_limit_price else request.stop_price
        if request.quantity is None or limit is None:
            return None
        return Funds(filters.quote_asset, request.quantity * limit)
    if request.quantity is None:
        estimate = walk() if walk else None
        return Funds(filters.base_asset, estimate[0]) if estimate else None
    return Funds(filters.base_asset, request.quantity)


def distance_from_market(price: Decimal, market: Decimal) -> Decimal:
    """How far ``price`` is from the market, as a signed fraction (-0.12 = 12 % under)."""
    return (price - market) / market if market else ZERO
