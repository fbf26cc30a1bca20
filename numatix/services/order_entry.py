"""Order entry: check an order as the user types it, say what it would cost, size it.

The same filters the venue applies (tick, step, minimum notional...), the same fee rule
and the same funds rule, so the form refuses what the venue would refuse before anything
is sent. The page's form and ``POST /api/trading/orders/preview`` both call this.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from numatix.domain.enums import OrderType, RejectReason, Side, TimeInForce
from numatix.domain.errors import OrderRejected, insufficient_balance
from numatix.domain.estimates import Marketable, walk_visible_book
from numatix.domain.fees import DEFAULT_FEES, FeeSchedule
from numatix.domain.filters import SymbolFilters
from numatix.domain.guidance import far_from_market_warning, is_far_from_market, whole_steps_note
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.domain.sizing import (
    Funds,
    distance_from_market,
    funds_to_lock,
    quantity_for_percent,
    quote_for_percent,
)
from numatix.domain.triggers import check_trigger
from numatix.market.hub import MarketSnapshot
from numatix.services.market_data import MarketDataService

ZERO = Decimal(0)
INSUFFICIENT = insufficient_balance()
MarketFor = Callable[[Hashable], Awaitable[MarketDataService]]
FreeBalances = Callable[[Hashable], Awaitable[Mapping[str, Decimal]]]


@dataclass(frozen=True, slots=True)
class OrderPreview:
    error: str = ""  # the venue's words, empty when the order passes the checks
    error_code: int | None = None
    reason: RejectReason = RejectReason.NONE
    message: str = ""  # the same refusal in a trader's words, naming the number
    average_price: Decimal | None = None  # what it fills at: a market order's, or a limit's at once
    quantity: Decimal | None = None
    cost: Decimal | None = None  # quote spent (buy) or received (sell)
    fee: Decimal | None = None
    fee_asset: str = ""
    book_too_thin: bool = False
    funds: Funds | None = None  # what placing it locks
    available: Decimal | None = None  # free balance of the funds' asset, when known
    market_price: Decimal | None = None
    limit_price: Decimal | None = None
    distance: Decimal | None = None  # limit price from the market, as a signed fraction
    at_once: Marketable | None = None  # a limit priced through the book: what trades the moment it lands
    note: str = ""  # what the estimate is not obvious about, in a trader's words

    @property
    def far_from_market(self) -> bool:
        return self.distance is not None and is_far_from_market(self.distance)

    @property
    def refused_before_sending(self) -> bool:
        """A refusal the form keeps from being sent: a trigger already reached (the venue
        would refuse it with the same words, a round trip later)."""
        return self.reason is RejectReason.STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY

    @property
    def warning(self) -> str:
        """Asks for a confirmation; empty when there is nothing to confirm."""
        if not self.far_from_market or self.market_price is None or self.limit_price is None:
            return ""
        distance = self.distance or ZERO
        return far_from_market_warning(self.limit_price, self.market_price, distance, self.at_once)


def oco_funds(legs: list[OrderPreview]) -> Funds | None:
    """A pair locks once, what its dearer leg needs."""
    return max((leg.funds for leg in legs if leg.funds), key=lambda funds: funds.amount, default=None)


def _marketable(request: OrderRequest, snapshot: MarketSnapshot, filters: SymbolFilters) -> Marketable | None:
    """A LIMIT order priced through the book takes the visible levels its limit reaches at
    their own prices, at once; the rest rests at the limit (GTC) or expires (IOC). A FOK the
    visible book cannot fill whole expires: nothing trades at once."""
    if (request.order_type is not OrderType.LIMIT or snapshot.book is None or request.quantity is None
            or request.price is None):
        return None
    levels = snapshot.book.asks if request.side is Side.BUY else snapshot.book.bids
    walked = walk_visible_book(levels, request.quantity, side=request.side, limit=request.price)
    tif = request.effective_time_in_force
    if walked.quantity <= 0 or (tif is TimeInForce.FOK and not walked.complete):
        return None
    return Marketable(walked.quantity, walked.quote, request.quantity - walked.quantity, request.price, tif,
                      filters.base_asset, filters.price.tick_size)


def _estimate(request: OrderRequest, snapshot: MarketSnapshot, last: Decimal | None,
              filters: SymbolFilters) -> OrderPreview:
    """Price, amount and total: a market order's from a walk of the visible book; a limit
    order's from the levels its limit reaches now and its limit for the rest; any other's
    from its own (limit or stop) price."""
    quantity, cost, thin, at_once, note = request.quantity, None, False, None, ""
    average = request.price or request.stop_price
    if request.order_type is OrderType.MARKET and snapshot.book is not None:
        levels = snapshot.book.asks if request.side is Side.BUY else snapshot.book.bids
        step = filters.lot_size.step_size
        walked = walk_visible_book(levels, request.quantity, request.quote_order_qty, step=step)
        quantity, cost, average = walked.quantity, walked.quote, walked.average_price
        thin = not walked.complete
        total = request.quote_order_qty
        if total is not None and walked.complete and walked.quote < total:
            note = whole_steps_note(walked.quote, total, step, filters.base_asset, filters.quote_asset)
    elif (at_once := _marketable(request, snapshot, filters)) is not None:
        average = at_once.average_price or request.price
        cost = at_once.quote + (at_once.rests * (request.price or ZERO) if at_once.rests_on_book else ZERO)
        quantity = at_once.quantity + (at_once.rests if at_once.rests_on_book else ZERO)
    elif quantity is not None and average is not None:
        cost = quantity * average
    distance = distance_from_market(request.price, last) if request.price and last else None
    return OrderPreview(average_price=average, quantity=quantity, cost=cost, book_too_thin=thin,
                        market_price=last, limit_price=request.price, distance=distance, at_once=at_once,
                        note=note)


def _refused(rejected: OrderRejected) -> OrderPreview:
    return OrderPreview(error=rejected.message, error_code=rejected.code, reason=rejected.reason,
                        message=rejected.words)


class OrderEntryService:
    def __init__(self, market: MarketDataService, fees: FeeSchedule = DEFAULT_FEES, *,
                 market_for: MarketFor | None = None, free_balances: FreeBalances | None = None) -> None:
        self._market = market
        self._fees = fees
        self._market_for = market_for  # per user: the market of the venue they trade on
        self._free_balances = free_balances
        self._filters: dict[str, SymbolFilters] = {}

    def filters(self, symbol: str) -> SymbolFilters:
        spec = self._market.spec(symbol)
        if spec.symbol not in self._filters:
            self._filters[spec.symbol] = SymbolFilters.from_spec(spec)
        return self._filters[spec.symbol]

    async def market_for(self, user_id: Hashable) -> MarketDataService:
        return await self._market_for(user_id) if self._market_for is not None else self._market

    async def free(self, user_id: Hashable) -> Mapping[str, Decimal]:
        return await self._free_balances(user_id) if self._free_balances is not None else {}

    async def preview_for(self, user_id: Hashable, request: OrderRequest | OcoRequest) -> OrderPreview:
        """The preview against this user's market and balances (what the API answers)."""
        market, free = await self.market_for(user_id), await self.free(user_id)
        if isinstance(request, OcoRequest):
            return self.preview_oco(request, market, free)
        return self.preview(request, market, free)

    def preview(self, request: OrderRequest, market: MarketDataService | None = None,
                free: Mapping[str, Decimal] | None = None, *, trigger_rule: bool = True) -> OrderPreview:
        """``market``: the one the order will meet (the user's venue's), the app's by default;
        ``free``: the user's free balances, to flag an order they cannot pay for. A trigger
        the last price has already reached is said first, before an amount is typed (the
        stop price is the form's first field); ``trigger_rule=False`` for an OCO's stop leg,
        whose side the pair's own rule names."""
        filters = self.filters(request.symbol)
        snapshot = (market or self._market).snapshot(request.symbol)
        last = snapshot.last_trade.price if snapshot.last_trade else None
        try:
            if trigger_rule:
                check_trigger(request.order_type, request.side, request.stop_price, last)
            request.validate()
            filters.validate(request, last)
        except OrderRejected as rejected:
            return _refused(rejected)
        estimate = _estimate(request, snapshot, last, filters)

        def walked() -> tuple[Decimal, Decimal] | None:
            quantity, cost = estimate.quantity, estimate.cost
            return (quantity, cost) if quantity is not None and cost is not None else None

        funds = funds_to_lock(request, filters, walked)
        available = free.get(funds.asset, ZERO) if funds is not None and free is not None else None
        if funds is not None and available is not None and funds.amount > available:
            return replace(estimate, funds=funds, available=available, error_code=INSUFFICIENT.code,
                           error=INSUFFICIENT.message, message=funds.shortfall_hint(available))
        if estimate.quantity is None or estimate.cost is None:
            return replace(estimate, funds=funds, available=available)
        fee, fee_asset = self._fee(request.side, estimate, filters)
        return replace(estimate, fee=fee, fee_asset=fee_asset, funds=funds, available=available)

    def _fee(self, side: Side, estimate: OrderPreview, filters: SymbolFilters) -> tuple[Decimal, str]:
        """The venue's fee: a limit order pays the taker's rate on what fills at once and the
        maker's on what rests (the same rate today: kept apart so a schedule that differs is right)."""
        quantity, cost = estimate.quantity or ZERO, estimate.cost or ZERO
        base, quote = filters.base_asset, filters.quote_asset
        taken = estimate.at_once
        if taken is None or not taken.quantity:
            return self._fees.on_amounts(side, quantity, cost, False, base, quote)
        fee, asset = self._fees.on_amounts(side, taken.quantity, taken.quote, False, base, quote)
        if quantity > taken.quantity:
            resting, _ = self._fees.on_amounts(side, quantity - taken.quantity, cost - taken.quote, True,
                                               base, quote)
            fee += resting
        return fee, asset

    def preview_oco(self, request: OcoRequest, market: MarketDataService | None = None,
                    free: Mapping[str, Decimal] | None = None) -> OrderPreview:
        """Both legs through the filters, their prices against the last one; the pair locks
        what the dearer leg needs, once."""
        snapshot = (market or self._market).snapshot(request.symbol)
        last = snapshot.last_trade.price if snapshot.last_trade else None
        legs = [self.preview(leg, market, trigger_rule=False)
                for leg in (request.limit_leg(), request.stop_leg())]
        for leg in legs:
            if leg.error:
                return leg
        try:
            request.check_price_relationship(last)
        except OrderRejected as rejected:
            return _refused(rejected)
        funds = oco_funds(legs)
        available = free.get(funds.asset, ZERO) if funds is not None and free is not None else None
        if funds is not None and available is not None and funds.amount > available:
            return OrderPreview(error=INSUFFICIENT.message, error_code=INSUFFICIENT.code, funds=funds,
                                message=funds.shortfall_hint(available), available=available)
        limit_leg = legs[0]
        return OrderPreview(average_price=request.limit_price, quantity=request.quantity, cost=limit_leg.cost,
                            fee=limit_leg.fee, fee_asset=limit_leg.fee_asset, funds=funds,
                            available=available, market_price=last)

    async def size_for_percent(
        self, user_id: Hashable, symbol: str, side: Side, order_type: OrderType | None, percent: Decimal,
        price: Decimal | None,
    ) -> tuple[Decimal | None, Decimal | None]:
        """The %-of-balance slider: (amount in base, total in quote) for that share of what
        is free; a market buy by total gets only the total."""
        filters = self.filters(symbol)
        free = await self.free(user_id)
        free_base, free_quote = free.get(filters.base_asset, ZERO), free.get(filters.quote_asset, ZERO)
        if price is None:
            price = (await self.market_for(user_id)).last_price(symbol)
        quantity = quantity_for_percent(percent, side, order_type, free_base, free_quote, price, filters)
        total = quote_for_percent(percent, free_quote) if side is Side.BUY else None
        return quantity, total
