"""exchangeInfo: parsed from Binance's shape, cached, and used to round and pre-check orders."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from numatix.domain.enums import OrderType, Side, TimeInForce
from numatix.domain.errors import ConfigurationError, OrderRejected
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.exchange.binance import BinanceOptions, BinanceVenue
from numatix.exchange.binance.rules import parse_exchange_info, prepare_oco, prepare_order, weight_limit
from tests.support.fake_binance import FakeBinance, FakeTime, ok

BTCUSDT = {
    "symbol": "BTCUSDT", "status": "TRADING", "baseAsset": "BTC", "baseAssetPrecision": 8, "quoteAsset": "USDT",
    "quotePrecision": 8, "quoteAssetPrecision": 8,
    "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
    "ocoAllowed": True, "quoteOrderQtyMarketAllowed": True,
    "filters": [
        {"filterType": "PRICE_FILTER", "minPrice": "0.01000000", "maxPrice": "1000000.00000000",
         "tickSize": "0.01000000"},
        {"filterType": "LOT_SIZE", "minQty": "0.00001000", "maxQty": "9000.00000000", "stepSize": "0.00001000"},
        {"filterType": "MARKET_LOT_SIZE", "minQty": "0.00000000", "maxQty": "120.00000000",
         "stepSize": "0.00000000"},
        {"filterType": "NOTIONAL", "minNotional": "5.00000000", "applyMinToMarket": True,
         "maxNotional": "9000000.00000000", "applyMaxToMarket": False, "avgPriceMins": 5},
        {"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": "5", "bidMultiplierDown": "0.2",
         "askMultiplierUp": "5", "askMultiplierDown": "0.2", "avgPriceMins": 5},
        {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
        {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
    ],
    "permissions": [], "permissionSets": [["SPOT"]],
}
EXCHANGE_INFO = {
    "timezone": "UTC", "serverTime": 1767225600000,
    "rateLimits": [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
                   {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50}],
    "exchangeFilters": [], "symbols": [BTCUSDT],
}
INFO = parse_exchange_info(EXCHANGE_INFO)


def test_exchange_info_filters_are_read_as_exact_decimals() -> None:
    info = INFO.symbols["BTCUSDT"]
    filters = info.filters
    assert (filters.base_asset, filters.quote_asset) == ("BTC", "USDT")
    assert filters.price.tick_size == D("0.01") and filters.lot_size.step_size == D("0.00001")
    assert filters.market_lot_size.max_qty == D("120")
    assert filters.notional.min_notional == D("5") and filters.notional.apply_min_to_market
    assert OrderType.STOP_LOSS not in info.order_types and OrderType.TAKE_PROFIT_LIMIT in info.order_types
    assert weight_limit(EXCHANGE_INFO) == 6000


def test_quantity_is_floored_to_the_step_and_price_rounded_to_the_tick() -> None:
    request = OrderRequest("BTCUSDT", Side.SELL, OrderType.LIMIT, quantity=D("0.123456789"), price=D("50000.006"),
                           time_in_force=TimeInForce.GTC)
    prepared = prepare_order(request, INFO)
    assert prepared.quantity == D("0.12345")  # never more than asked
    assert prepared.price == D("50000.01")


def test_quote_amount_is_floored_to_the_quote_precision() -> None:
    request = OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, quote_order_qty=D("10.123456789"))
    assert prepare_order(request, INFO).quote_order_qty == D("10.12345678")


@pytest.mark.parametrize(
    ("request_", "code", "message"),
    [
        (OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, quantity=D("0.000004")), -1013, "Filter failure: LOT_SIZE"),
        (OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, quantity=D("121")), -1013,
         "Filter failure: MARKET_LOT_SIZE"),
        (OrderRequest("BTCUSDT", Side.BUY, OrderType.LIMIT, quantity=D("0.0001"), price=D("10"),
                      time_in_force=TimeInForce.GTC), -1013, "Filter failure: NOTIONAL"),
        (OrderRequest("BTCUSDT", Side.BUY, OrderType.LIMIT, quantity=D("1"), price=D("2000000"),
                      time_in_force=TimeInForce.GTC), -1013, "Filter failure: PRICE_FILTER"),
        (OrderRequest("BTCUSDT", Side.SELL, OrderType.STOP_LOSS, quantity=D("1"), stop_price=D("40000")), -2010,
         "Stop loss orders are not supported for this symbol."),
        (OrderRequest("BTCUSDT", Side.BUY, OrderType.LIMIT, quantity=D("1"), price=D("100")), -1102,
         "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed."),
        (OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, quantity=D("1"), price=D("100")), -1106,
         "Parameter 'price' sent when not required."),
    ],
)
def test_orders_binance_would_refuse_are_refused_before_sending(request_: OrderRequest, code: int, message: str) -> None:
    with pytest.raises(OrderRejected) as refused:
        prepare_order(request_, INFO)
    assert (refused.value.code, refused.value.message) == (code, message)


def test_an_unknown_symbol_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        prepare_order(OrderRequest("DOGEUSDT", Side.BUY, OrderType.MARKET, quantity=D("1")), INFO)


def test_oco_legs_are_rounded_and_their_prices_checked() -> None:
    request = OcoRequest("BTCUSDT", Side.SELL, D("0.0100009"), limit_price=D("60000.004"), stop_price=D("40000"),
                         stop_limit_price=D("39990"), stop_time_in_force=TimeInForce.GTC)
    prepared = prepare_oco(request, INFO)
    assert (prepared.quantity, prepared.limit_price) == (D("0.01"), D("60000.00"))
    with pytest.raises(OrderRejected) as refused:
        prepare_oco(OcoRequest("BTCUSDT", Side.SELL, D("0.01"), limit_price=D("40000"), stop_price=D("60000"),
                               stop_limit_price=D("59990"), stop_time_in_force=TimeInForce.GTC), INFO)
    assert refused.value.message == "The relationship of the prices for the orders is not correct."


async def test_venue_caches_exchange_info_until_it_expires() -> None:
    time = FakeTime()
    fake = FakeBinance(time)
    fake.on("GET", "exchangeInfo", then=ok(EXCHANGE_INFO))
    venue = BinanceVenue("https://testnet.binance.vision", "wss://ws-api.testnet.binance.vision/ws-api/v3",
                         ["BTCUSDT"], options=BinanceOptions(exchange_info_ttl_seconds=600),
                         transport=fake.transport(), sleep=time.sleep, monotonic=time.monotonic)
    first = await venue.exchange_info()
    assert await venue.exchange_info() is first
    assert len(fake.calls("GET", "exchangeInfo")) == 1
    assert fake.params(fake.calls("GET", "exchangeInfo")[0]) == {"symbols": '["BTCUSDT"]'}
    assert venue.client.usage.weight_limit == 6000
    await time.sleep(601)
    await venue.exchange_info()
    assert len(fake.calls("GET", "exchangeInfo")) == 2
    await venue.close()
