"""Binance's symbol filters: round what we send and validate what we receive.

Each filter is a small frozen value with one ``check``; ``SymbolFilters.validate`` runs
them in Binance's order and raises ``OrderRejected(-1013, "Filter failure: NAME")``.
A limit of zero disables that part of a filter, as on Binance. Each refusal also carries
a hint in a trader's words with the number the filter needs ("Minimum order is 5 USDT"):
the filter is the one place that knows that number.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

from numatix.domain import errors
from numatix.domain.enums import OrderType, Side
from numatix.domain.guidance import plain
from numatix.domain.requests import OrderRequest
from numatix.domain.symbols import SymbolSpec
from numatix.domain.triggers import trigger_label

ZERO = Decimal(0)
MAX_PRECISION = 8


def _is_multiple(value: Decimal, step: Decimal) -> bool:
    return step == 0 or value % step == 0


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _with_unit(value: Decimal, unit: str) -> str:
    return f"{plain(value)} {unit}".rstrip()


@dataclass(frozen=True, slots=True)
class PriceFilter:
    min_price: Decimal
    max_price: Decimal
    tick_size: Decimal
    unit: str = ""

    def round(self, price: Decimal) -> Decimal:
        if self.tick_size == 0:
            return price
        return (price / self.tick_size).to_integral_value(ROUND_HALF_UP) * self.tick_size

    def check(self, price: Decimal, label: str = "Price") -> None:
        if price <= 0 or (self.min_price != 0 and price < self.min_price):
            raise errors.filter_failure("PRICE_FILTER", f"{label} must be at least "
                                        f"{_with_unit(self.min_price or self.tick_size, self.unit)}")
        if self.max_price != 0 and price > self.max_price:
            raise errors.filter_failure("PRICE_FILTER",
                                        f"{label} can be at most {_with_unit(self.max_price, self.unit)}")
        if not _is_multiple(price, self.tick_size):
            tick = _with_unit(self.tick_size, self.unit)
            raise errors.filter_failure("PRICE_FILTER", f"{label} must be a multiple of {tick}")


@dataclass(frozen=True, slots=True)
class LotSizeFilter:
    min_qty: Decimal
    max_qty: Decimal
    step_size: Decimal
    name: str = "LOT_SIZE"
    unit: str = ""

    def floor(self, quantity: Decimal) -> Decimal:
        if self.step_size == 0:
            return quantity
        return (quantity / self.step_size).to_integral_value(ROUND_DOWN) * self.step_size

    def check(self, quantity: Decimal) -> None:
        what = "A market order's amount" if self.name == "MARKET_LOT_SIZE" else "Amount"
        if quantity < self.min_qty or quantity <= 0:
            raise errors.filter_failure(self.name, f"{what} must be at least "
                                        f"{_with_unit(self.min_qty or self.step_size, self.unit)}")
        if self.max_qty != 0 and quantity > self.max_qty:
            raise errors.filter_failure(self.name,
                                        f"{what} can be at most {_with_unit(self.max_qty, self.unit)}")
        if not _is_multiple(quantity, self.step_size):
            raise errors.filter_failure(self.name, f"{what} must be a multiple of "
                                        f"{_with_unit(self.step_size, self.unit)}")

    def step_hint(self) -> str:
        return f"Amount must be a multiple of {_with_unit(self.step_size, self.unit)}"


@dataclass(frozen=True, slots=True)
class NotionalFilter:
    """NOTIONAL (or the older MIN_NOTIONAL when ``max_notional`` is zero and named so)."""

    min_notional: Decimal
    max_notional: Decimal
    apply_min_to_market: bool = True
    apply_max_to_market: bool = False
    name: str = "NOTIONAL"
    unit: str = ""

    def check(self, notional: Decimal, is_market: bool) -> None:
        if (not is_market or self.apply_min_to_market) and notional < self.min_notional:
            raise errors.filter_failure(self.name,
                                        f"Minimum order is {_with_unit(self.min_notional, self.unit)}")
        check_max = (not is_market or self.apply_max_to_market) and self.max_notional != 0
        if check_max and notional > self.max_notional:
            raise errors.filter_failure(self.name,
                                        f"Maximum order is {_with_unit(self.max_notional, self.unit)}")


@dataclass(frozen=True, slots=True)
class PercentPriceBySideFilter:
    bid_multiplier_up: Decimal = Decimal(5)
    bid_multiplier_down: Decimal = Decimal("0.2")
    ask_multiplier_up: Decimal = Decimal(5)
    ask_multiplier_down: Decimal = Decimal("0.2")
    tick_size: Decimal = ZERO
    unit: str = ""

    def bounds(self, side: Side, average_price: Decimal) -> tuple[Decimal, Decimal]:
        """The lowest and highest price allowed now, on the tick inside the band."""
        if side is Side.BUY:
            low, high = self.bid_multiplier_down, self.bid_multiplier_up
        else:
            low, high = self.ask_multiplier_down, self.ask_multiplier_up
        lowest, highest = average_price * low, average_price * high
        if self.tick_size:
            lowest = (lowest / self.tick_size).to_integral_value(ROUND_UP) * self.tick_size
            highest = (highest / self.tick_size).to_integral_value(ROUND_DOWN) * self.tick_size
        return lowest, highest

    def check(self, side: Side, price: Decimal, average_price: Decimal) -> None:
        lowest, highest = self.bounds(side, average_price)
        if not lowest <= price <= highest:
            raise errors.filter_failure("PERCENT_PRICE_BY_SIDE", f"Price must be between {plain(lowest)} and "
                                        f"{_with_unit(highest, self.unit)} now (a band around the market)")


@dataclass(frozen=True, slots=True)
class MaxNumOrdersFilter:
    max_num_orders: int = 200
    name: str = "MAX_NUM_ORDERS"

    def check(self, open_count: int) -> None:
        """``open_count`` excludes the new order: reaching the limit is allowed, passing it not."""
        if open_count + 1 > self.max_num_orders:
            kind = "stop orders" if self.name == "MAX_NUM_ALGO_ORDERS" else "orders"
            raise errors.filter_failure(self.name, f"At most {self.max_num_orders} open {kind} per symbol: "
                                        "cancel one first")


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
    def from_spec(cls, spec: SymbolSpec) -> SymbolFilters:
        return cls(
            symbol=spec.symbol,
            base_asset=spec.base_asset,
            quote_asset=spec.quote_asset,
            price=PriceFilter(spec.min_price, spec.max_price, spec.tick_size, unit=spec.quote_asset),
            lot_size=LotSizeFilter(spec.min_qty, spec.max_qty, spec.step_size, unit=spec.base_asset),
            market_lot_size=LotSizeFilter(ZERO, spec.max_qty, ZERO, name="MARKET_LOT_SIZE",
                                          unit=spec.base_asset),
            notional=NotionalFilter(spec.min_notional, spec.max_notional, unit=spec.quote_asset),
            percent_price=PercentPriceBySideFilter(tick_size=spec.tick_size, unit=spec.quote_asset),
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
        stop_label = trigger_label(request.order_type)
        for price, label in ((request.price, "Price"), (request.stop_price, stop_label)):
            if price is not None:
                self.price.check(price, label)
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
                raise errors.too_much_precision(wire_name, self._precision_hint(wire_name, limit, request))

    def _precision_hint(self, wire_name: str, limit: int, request: OrderRequest) -> str:
        if wire_name == "quantity":
            return self.lot_size.step_hint()
        label = errors.FIELD_LABELS[wire_name]
        if wire_name == "stopPrice":
            label = trigger_label(request.order_type)
        if wire_name in ("price", "stopPrice") and self.price.tick_size:
            return f"{label} must be a multiple of {_with_unit(self.price.tick_size, self.price.unit)}"
        return f"{label} can have at most {limit} decimals"

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
