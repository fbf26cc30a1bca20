"""Order entry: check an order as the user types it and say what it would cost.

The same filters the venue applies (tick, step, minimum notional...) with the venue's
wording, so the form refuses what the venue would refuse before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from numatix.domain.enums import OrderType, Side
from numatix.domain.errors import OrderRejected
from numatix.domain.estimates import fee_for, walk_visible_book
from numatix.domain.filters import SymbolFilters
from numatix.domain.requests import OrderRequest
from numatix.services.market_data import MarketDataService

TAKER_FEE_RATE = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class OrderPreview:
    error: str = ""  # the venue's words, empty when the order passes the checks
    error_code: int | None = None
    average_price: Decimal | None = None  # market orders: from the visible book
    quantity: Decimal | None = None
    cost: Decimal | None = None  # quote spent (buy) or received (sell)
    fee: Decimal | None = None
    fee_asset: str = ""
    book_too_thin: bool = False


class OrderEntryService:
    def __init__(self, market: MarketDataService, fee_rate: Decimal = TAKER_FEE_RATE) -> None:
        self._market = market
        self._fee_rate = fee_rate
        self._filters: dict[str, SymbolFilters] = {}

    def filters(self, symbol: str) -> SymbolFilters:
        spec = self._market.spec(symbol)
        if spec.symbol not in self._filters:
            self._filters[spec.symbol] = SymbolFilters.from_spec(spec)
        return self._filters[spec.symbol]

    def preview(self, request: OrderRequest, market: MarketDataService | None = None) -> OrderPreview:
        """``market``: the one the order will meet (the user's venue's), the app's by default."""
        filters = self.filters(request.symbol)
        snapshot = (market or self._market).snapshot(request.symbol)
        last = snapshot.last_trade.price if snapshot.last_trade else None
        try:
            request.validate()
            filters.validate(request, last)
        except OrderRejected as rejected:
            return OrderPreview(error=rejected.message, error_code=rejected.code)
        quantity, cost, thin = request.quantity, None, False
        average = request.price or request.stop_price
        if request.order_type is OrderType.MARKET and snapshot.book is not None:
            levels = snapshot.book.asks if request.side is Side.BUY else snapshot.book.bids
            estimate = walk_visible_book(levels, request.quantity, request.quote_order_qty)
            quantity, cost, average, thin = estimate.quantity, estimate.quote, estimate.average_price, not estimate.complete
        elif quantity is not None and average is not None:
            cost = quantity * average
        if quantity is None or cost is None:
            return OrderPreview(average_price=average, quantity=quantity, cost=cost)
        fee, which = fee_for(request.side, quantity, cost, self._fee_rate)
        fee_asset = filters.base_asset if which == "base" else filters.quote_asset
        return OrderPreview(average_price=average, quantity=quantity, cost=cost, fee=fee, fee_asset=fee_asset,
                            book_too_thin=thin)
