"""Binance's symbol filters: round what we send and validate what we receive.

Each filter is a small frozen value with one ``check``; ``SymbolFilters.validate`` runs
them in Binance's order and raises ``OrderRejected(-1013, "Filter failure: NAME")``.
A limit of zero disables that part of a filter, as on Binance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from numatix.domain import errors
from numatix.domain.enums import OrderType, Side
from numatix.domain.requests import OrderRequest
from numatix.domain.symbols import SymbolSpec

ZERO = Decimal(0)
MAX_PRECISION = 8


def _is_multiple(value: Decimal, step: Decimal) -> bool:
    return step == 0 or value % step == 0


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@dataclass(frozen=True, slots=True)
class PriceFilter:
    min_price: Decimal
    max_price: Decimal
    tick_size: Decimal

    def round(self, price: Decimal) -> Decimal:
        if self.tick_size == 0:
            return price
        return (price / self.tick_size).to_integral_value(ROUND_HALF_UP) * self.tick_size

    def check(self, price: Decimal) -> None:
        too_low = self.min_price != 0 and price < self.min_price
        too_high = self.max_price != 0 and price > self.max_price
        if price <= 0 or too_low or too_high or not _is_multiple(price, self.tick_size):
            raise errors.filter_failure("PRICE_FILTER")


@dataclass(frozen=True, slots=True)
class LotSizeFilter:
    min_qty: Decimal
    max_qty: Decimal
    step_size: Decimal
    name: str = "LOT_SIZE"

    def floor(self, quantity: Decimal) -> Decimal:
        if self.step_size == 0:
            return quantity
        return (quantity / self.step_size).to_integral_value(ROUND_DOWN) * self.step_size

    def check(self, quantity: Decimal) -> None:
        too_low = quantity < self.min_qty or quantity <= 0
        too_high = self.max_qty != 0 and quantity > self.max_qty
        if too_low or too_high or not _is_multiple(quantity, self.step_size):
            raise errors.filter_failure(self.name)


@dataclass(frozen=True, slots=True)
class NotionalFilter:
    """NOTIONAL (or the older MIN_NOTIONAL when ``max_notional`` is zero and named so)."""

    min_notional: Decimal
    max_notional: Decimal
    apply_min_to_market: bool = True
    apply_max_to_market: bool = False
    name: str = "NOTIONAL"

    def check(self, notional: Decimal, is_market: bool) -> None:
        if (not is_market or self.apply_min_to_market) and notional < self.min_notional:
            raise errors.filter_failure(self.name)
        check_max = (not is_market or self.apply_max_to_market) and self.max_notional != 0
        if check_max and notional > self.max_notional:
            raise errors.filter_failure(self.name)


@dataclass(frozen=True, slots=True)
class PercentPriceBySideFilter:
    bid_multiplier_up: Decimal = Decimal(5)
    bid_multiplier_down: Decimal = Decimal("0.2")
    ask_multiplier_up: Decimal = Decimal(5)
    ask_multiplier_down: Decimal = Decimal("0.2")

    def check(self, side: Side, price: Decimal, average_price: Decimal) -> None:
        if side is Side.BUY:
            low, high = self.bid_multiplier_down, self.bid_multiplier_up
        else:
            low, high = self.ask_multiplier_down, self.ask_multiplier_up
        if not average_price * low <= price <= average_price * high:
            raise errors.filter_failure("PERCENT_PRICE_BY_SIDE")


@dataclass(frozen=True, slots=True)
class MaxNumOrdersFilter:
    max_num_orders: int = 200
    name: str = "MAX_NUM_ORDERS"

    def check(self, open_count: int) -> None:
        """``open_count`` excludes the new order: reaching the limit is allowed, passing it not."""
        if open_count + 1 > self.max_num_orders:
            raise errors.filter_failure(self.name)


@dataclass(frozen=True, slots=True)
class SymbolFilters:
    symbol: str
    base_asset: str
    quote_asset: str
    price: PriceFilter
    lot_size: LotSizeFilter
    market_lot_size: LotSizeFilter
    notional: NotionalFilter
    percent_price: PercentPriceBySideFilter
    max_orders: MaxNumOrdersFilter
    max_algo_orders: MaxNumOrdersFilter
    base_precision: int = MAX_PRECISION
    quote_precision: int = MAX_PRECISION

    @classmethod
    def from_spec(cls, spec: SymbolSpec) -> "SymbolFilters":
        return cls(
            symbol=spec.symbol,
            base_asset=spec.base_asset,
            quote_asset=spec.quote_asset,
            price=PriceFilter(spec.min_price, spec.max_price, spec.tick_size),
            lot_size=LotSizeFilter(spec.min_qty, spec.max_qty, spec.step_size),
            market_lot_size=LotSizeFilter(ZERO, spec.max_qty, ZERO, name="MARKET_LOT_SIZE"),
            notional=NotionalFilter(spec.min_notional, spec.max_notional),
            percent_price=PercentPriceBySideFilter(),
            max_orders=MaxNumOrdersFilter(200),
            max_algo_orders=MaxNumOrdersFilter(5, name="MAX_NUM_ALGO_ORDERS"),
            base_precision=spec.base_precision,
            quote_precision=spec.quote_precision,
        )

    def round_price(self, price: Decimal) -> Decimal:
        return self.price.round(price)

    def floor_quantity(self, quantity: Decimal) -> Decimal:
        return self.lot_size.floor(quantity)

    def validate(
        self,
        request: OrderRequest,
        reference_price: Decimal | None,
        open_orders: int = 0,
        open_algo_orders: int = 0,
    ) -> None:
        """Binance's pre-trade checks; ``reference_price`` is the average/last price, if known."""
        self._check_precision(request)
        for price in (request.price, request.stop_price):
            if price is not None:
                self.price.check(price)
        if request.price is not None and reference_price:
            self.percent_price.check(request.side, request.price, reference_price)
        if request.quantity is not None:
            self.lot_size.check(request.quantity)
            if request.order_type.executes_as_market:
                self.market_lot_size.check(request.quantity)
        self._check_notional(request, reference_price)
        self.max_orders.check(open_orders)
        if request.order_type.is_conditional:
            self.max_algo_orders.check(open_algo_orders)

    def _check_precision(self, request: OrderRequest) -> None:
        limits = {
            "quantity": self.base_precision,
            "quoteOrderQty": self.quote_precision,
            "price": self.quote_precision,
            "stopPrice": self.quote_precision,
        }
        values = (request.quantity, request.quote_order_qty, request.price, request.stop_price)
        for (wire_name, limit), value in zip(limits.items(), values):
            if value is not None and _decimals(value) > limit:
                raise errors.too_much_precision(wire_name)

    def _check_notional(self, request: OrderRequest, reference_price: Decimal | None) -> None:
        is_market = request.order_type.executes_as_market
        if request.quote_order_qty is not None:
            notional = request.quote_order_qty
        elif request.quantity is None:
            return
        elif request.price is not None:
            notional = request.price * request.quantity
        elif request.order_type is not OrderType.MARKET and request.stop_price is not None:
            notional = request.stop_price * request.quantity
        elif reference_price:
            notional = reference_price * request.quantity
        else:
            return
        self.notional.check(notional, is_market)
