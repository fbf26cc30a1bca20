"""Filters judge orders against Binance's reference price, over real sockets: PERCENT_PRICE_BY_SIDE and
a MARKET order's NOTIONAL use the volume-weighted average of the last avgPriceMins minutes (what
GET avgPrice reports), so one tiny print far from the market moves neither."""

from __future__ import annotations

from decimal import ROUND_UP, Decimal

import pytest

from numatix.sim.testing import SignedClient, running_simulator


@pytest.fixture
async def sim():
    async with running_simulator(symbols=("BTCUSDT",), history_days=1) as running:
        yield running


async def test_a_far_print_on_a_tiny_size_moves_neither_the_average_price_nor_the_filters(sim):
    async with SignedClient(sim.rest_url, sim.create_key("hmac")) as client:
        info = (await client.public("GET", "exchangeInfo", symbol="BTCUSDT")).json()["symbols"][0]
        filters = {item["filterType"]: item for item in info["filters"]}
        band, notional = filters["PERCENT_PRICE_BY_SIDE"], filters["NOTIONAL"]
        assert band["avgPriceMins"] == notional["avgPriceMins"] == 5 and notional["applyMinToMarket"]
        for _ in range(5):
            sim.push_trade("BTCUSDT", "95000", "1")
        sim.push_trade("BTCUSDT", "60000", "0.0001")  # the last price, on almost nothing
        average = (await client.public("GET", "avgPrice", symbol="BTCUSDT")).json()
        assert average["mins"] == 5
        price = Decimal(average["price"])
        assert Decimal(94_990) < price < Decimal(95_000)

        lowest_bid = price * Decimal(band["bidMultiplierDown"])  # the last price would allow far lower
        below = (lowest_bid - 100).quantize(Decimal("0.01"))
        assert below > Decimal(60_000) * Decimal(band["bidMultiplierDown"])
        refused = await client.signed("POST", "order", {
            "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001",
            "price": format(below, "f")})
        assert (refused.status_code, refused.json()["code"]) == (400, -1013)
        assert "PERCENT_PRICE_BY_SIDE" in refused.json()["msg"]

        minimum = Decimal(notional["minNotional"])
        step = Decimal(filters["LOT_SIZE"]["stepSize"])
        quantity = (minimum / price / step).to_integral_value(ROUND_UP) * step
        assert quantity * Decimal(60_000) < minimum <= quantity * price  # too small at the last price
        bought = await client.signed("POST", "order", {
            "symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": format(quantity, "f")})
        assert bought.status_code == 200, bought.text
        assert bought.json()["status"] == "FILLED"
