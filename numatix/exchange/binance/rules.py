"""exchangeInfo -> our filters, and the rounding and checks an order gets before it is sent.

Binance rejects a quantity off its step or a price off its tick (-1013) and counts the
rejection against our weight, so we round first (quantity down to the step, so we never
sell more than asked; price to the nearest tick) and run the same filters it would.
Checks that need live data we do not hold (PERCENT_PRICE_BY_SIDE's average price, open
order counts) are left to Binance.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_DOWN, Decimal
from typing import Any

from numatix.domain import errors
from numatix.domain.enums import OrderType
from numatix.domain.errors import OrderRejected
from numatix.domain.filters import (
    LotSizeFilter,
    MaxNumOrdersFilter,
    NotionalFilter,
    PercentPriceBySideFilter,
    PriceFilter,
    SymbolFilters,
)
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.exchange.base import ExchangeInfo, SymbolInfo
from numatix.exchange.errors import error_from_binance

ZERO = Decimal(0)
Json = dict[str, Any]

_TYPE_WORDS = {
    OrderType.LIMIT: "Limit",
    OrderType.MARKET: "Market",
    OrderType.STOP_LOSS: "Stop loss",
    OrderType.STOP_LOSS_LIMIT: "Stop loss limit",
    OrderType.TAKE_PROFIT: "Take profit",
    OrderType.TAKE_PROFIT_LIMIT: "Take profit limit",
    OrderType.LIMIT_MAKER: "Limit maker",
}


def _number(data: Json, key: str) -> Decimal:
    value = data.get(key)
    return Decimal(str(value)) if value not in (None, "") else ZERO


def parse_exchange_info(data: Json) -> ExchangeInfo:
    return ExchangeInfo({entry["symbol"]: parse_symbol(entry) for entry in data.get("symbols", ())})


def weight_limit(data: Json) -> int | None:
    """REQUEST_WEIGHT per minute from exchangeInfo.rateLimits."""
    for limit in data.get("rateLimits", ()):
        if limit.get("rateLimitType") == "REQUEST_WEIGHT" and limit.get("interval") == "MINUTE":
            return int(limit["limit"]) // max(1, int(limit.get("intervalNum", 1)))
    return None


def parse_symbol(entry: Json) -> SymbolInfo:
    filters = {item["filterType"]: item for item in entry.get("filters", ())}
    order_types = tuple(OrderType(name) for name in entry.get("orderTypes",
                                                              ()) if name in OrderType.__members__)
    symbol_filters = SymbolFilters(
        symbol=entry["symbol"],
        base_asset=entry.get("baseAsset", ""),
        quote_asset=entry.get("quoteAsset", ""),
        price=_price_filter(filters.get("PRICE_FILTER", {})),
        lot_size=_lot_size(filters.get("LOT_SIZE", {}), "LOT_SIZE"),
        market_lot_size=_lot_size(filters.get("MARKET_LOT_SIZE", {}), "MARKET_LOT_SIZE"),
        notional=_notional(filters),
        percent_price=_percent_price(filters.get("PERCENT_PRICE_BY_SIDE")),
        max_orders=MaxNumOrdersFilter(int(filters.get("MAX_NUM_ORDERS", {}).get("maxNumOrders", 200))),
        max_algo_orders=MaxNumOrdersFilter(
            int(filters.get("MAX_NUM_ALGO_ORDERS", {}).get("maxNumAlgoOrders", 5)), name="MAX_NUM_ALGO_ORDERS"
        ),
        base_precision=int(entry.get("baseAssetPrecision", 8)),
        quote_precision=int(entry["quoteAssetPrecision"] if "quoteAssetPrecision" in entry
                            else entry.get("quotePrecision", 8)),
    )
    return SymbolInfo(symbol_filters, order_types or tuple(OrderType), str(entry.get("status", "TRADING")))


def _price_filter(data: Json) -> PriceFilter:
    return PriceFilter(_number(data, "minPrice"), _number(data, "maxPrice"), _number(data, "tickSize"))


def _lot_size(data: Json, name: str) -> LotSizeFilter:
    return LotSizeFilter(_number(data, "minQty"), _number(data, "maxQty"), _number(data, "stepSize"),
                         name=name)


def _notional(filters: dict[str, Json]) -> NotionalFilter:
    if "NOTIONAL" in filters:
        data = filters["NOTIONAL"]
        return NotionalFilter(
            _number(data, "minNotional"), _number(data, "maxNotional"),
            bool(data.get("applyMinToMarket", True)), bool(data.get("applyMaxToMarket", False)),
        )
    data = filters.get("MIN_NOTIONAL", {})
    return NotionalFilter(_number(data, "minNotional"), ZERO, bool(data.get("applyToMarket", True)),
                          name="MIN_NOTIONAL")


def _percent_price(data: Json | None) -> PercentPriceBySideFilter:
    if not data:
        return PercentPriceBySideFilter()
    return PercentPriceBySideFilter(
        _number(data, "bidMultiplierUp"), _number(data, "bidMultiplierDown"),
        _number(data, "askMultiplierUp"), _number(data, "askMultiplierDown"),
    )


# ---------------------------------------------------------------- pre-checks
def symbol_info(info: ExchangeInfo, symbol: str) -> SymbolInfo:
    found = info.symbols.get(symbol)
    if found is None:
        raise error_from_binance(errors.INVALID_SYMBOL, errors.MSG_INVALID_SYMBOL, 400)
    return found


def round_order(request: OrderRequest, filters: SymbolFilters) -> OrderRequest:
    """Quantity floored to the step (MARKET_LOT_SIZE's too for market types), prices to the tick,
    a quote amount floored to the quote asset's precision."""
    changes: dict[str, Decimal] = {}
    if request.quantity is not None:
        quantity = filters.lot_size.floor(request.quantity)
        if request.order_type.executes_as_market:
            quantity = filters.market_lot_size.floor(quantity)
        changes["quantity"] = quantity
    for name in ("price", "stop_price"):
        value = getattr(request, name)
        if value is not None:
            changes[name] = filters.round_price(value)
    if request.quote_order_qty is not None:
        step = Decimal(1).scaleb(-filters.quote_precision)
        changes["quote_order_qty"] = request.quote_order_qty.quantize(step, rounding=ROUND_DOWN)
    return replace(request, **changes)  # type: ignore[arg-type]  # every change is a Decimal field


def prepare_order(request: OrderRequest, info: ExchangeInfo) -> OrderRequest:
    """The request as it will be sent, or Binance's own rejection without sending it."""
    request.validate()
    found = symbol_info(info, request.symbol)
    if request.order_type not in found.order_types:
        raise OrderRejected(
            errors.NEW_ORDER_REJECTED,
            f"{_TYPE_WORDS[request.order_type]} orders are not supported for this symbol."
        )
    rounded = round_order(request, found.filters)
    found.filters.validate(rounded, reference_price=None)
    return rounded


def prepare_oco(request: OcoRequest, info: ExchangeInfo) -> OcoRequest:
    """Both legs rounded and checked; the prices' relationship checked without a last price."""
    filters = symbol_info(info, request.symbol).filters
    rounded = replace(
        request,
        quantity=filters.floor_quantity(request.quantity),
        limit_price=filters.round_price(request.limit_price),
        stop_price=filters.round_price(request.stop_price),
        stop_limit_price=(None if request.stop_limit_price is None
                          else filters.round_price(request.stop_limit_price)),
    )
    rounded.check_price_relationship(None)
    for leg in (rounded.limit_leg(), rounded.stop_leg()):
        prepare_order(leg, info)
    return rounded
