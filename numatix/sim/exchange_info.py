"""``GET /api/v3/exchangeInfo``: symbols and their filters as decimal strings, the order
types the paper engine supports, and the rate limits this simulator enforces.

Clients round their prices and sizes from this document, so it is built from the very
filters the engine validates against.
"""

from __future__ import annotations

from collections.abc import Iterable

from numatix.domain.enums import OrderType, SelfTradePreventionMode
from numatix.domain.filters import SymbolFilters
from numatix.exchange.base import SymbolInfo
from numatix.exchange.paper.state import AVERAGE_PRICE_MINUTES
from numatix.sim.limits import RateLimit
from numatix.sim.wire import amount

ORDER_TYPES = ("LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT",
               "TAKE_PROFIT_LIMIT")
SELF_TRADE_PREVENTION_MODES = tuple(mode.value for mode in SelfTradePreventionMode)  # all implemented


def _multiplier(value) -> str:
    return format(value.normalize(), "f")


def filters_json(filters: SymbolFilters) -> list[dict[str, object]]:
    percent = filters.percent_price
    notional = filters.notional
    return [
        {"filterType": "PRICE_FILTER", "minPrice": amount(filters.price.min_price),
         "maxPrice": amount(filters.price.max_price), "tickSize": amount(filters.price.tick_size)},
        {"filterType": "LOT_SIZE", "minQty": amount(filters.lot_size.min_qty),
         "maxQty": amount(filters.lot_size.max_qty), "stepSize": amount(filters.lot_size.step_size)},
        {"filterType": "MARKET_LOT_SIZE", "minQty": amount(filters.market_lot_size.min_qty),
         "maxQty": amount(filters.market_lot_size.max_qty),
         "stepSize": amount(filters.market_lot_size.step_size)},
        {"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": _multiplier(percent.bid_multiplier_up),
         "bidMultiplierDown": _multiplier(percent.bid_multiplier_down),
         "askMultiplierUp": _multiplier(percent.ask_multiplier_up),
         "askMultiplierDown": _multiplier(percent.ask_multiplier_down),
         "avgPriceMins": AVERAGE_PRICE_MINUTES},
        {"filterType": "NOTIONAL", "minNotional": amount(notional.min_notional),
         "applyMinToMarket": notional.apply_min_to_market, "maxNotional": amount(notional.max_notional),
         "applyMaxToMarket": notional.apply_max_to_market, "avgPriceMins": AVERAGE_PRICE_MINUTES},
        {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": filters.max_orders.max_num_orders},
        {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": filters.max_algo_orders.max_num_orders},
    ]


def symbol_json(info: SymbolInfo) -> dict[str, object]:
    filters = info.filters
    supported = {order_type.value for order_type in info.order_types}
    return {
        "symbol": filters.symbol,
        "status": info.status,
        "baseAsset": filters.base_asset,
        "baseAssetPrecision": filters.base_precision,
        "quoteAsset": filters.quote_asset,
        "quotePrecision": filters.quote_precision,
        "quoteAssetPrecision": filters.quote_precision,
        "baseCommissionPrecision": filters.base_precision,
        "quoteCommissionPrecision": filters.quote_precision,
        "orderTypes": [name for name in ORDER_TYPES if name in supported],
        "icebergAllowed": False,
        "ocoAllowed": OrderType.LIMIT_MAKER in info.order_types,
        "otoAllowed": False,
        "opoAllowed": False,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": False,
        "cancelReplaceAllowed": False,
        "amendAllowed": False,
        "pegInstructionsAllowed": False,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": filters_json(filters),
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": list(SELF_TRADE_PREVENTION_MODES),
    }


def exchange_info_json(symbols: Iterable[SymbolInfo], rate_limits: Iterable[RateLimit],
                       server_time_ms: int) -> dict[str, object]:
    return {
        "timezone": "UTC",
        "serverTime": server_time_ms,
        "rateLimits": [limit.to_json() for limit in rate_limits],
        "exchangeFilters": [],
        "symbols": [symbol_json(info) for info in symbols],
    }
