"""POST /api/trading/orders/preview: the order form's checks and estimate for a script; nothing placed."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from numatix.domain.guidance import plain

from tests.support.api_client import api_client, signed_up


@pytest.fixture
async def api(tmp_path):
    async with api_client(tmp_path) as (http, runtime):
        yield http, runtime, await signed_up(http, "alice@example.com")


async def preview(http, headers, path="/api/trading/orders/preview", **body) -> dict:
    answer = await http.post(path, headers=headers, json={"symbol": "BTCUSDT", "side": "BUY", **body})
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_valid_order_is_estimated_and_nothing_is_placed(api):
    http, runtime, alice = api
    last = runtime.last_price("BTCUSDT")
    price = str((last * Decimal("0.95")).quantize(Decimal("0.01")))
    body = await preview(http, alice, type="LIMIT", quantity="0.01", price=price, timeInForce="GTC")
    assert body["ok"] is True and body["code"] is None and body["message"] is None
    assert Decimal(body["total"]) == Decimal(price) * Decimal("0.01")
    assert (body["fee"], body["feeAsset"]) == ("0.00001000", "BTC")
    assert (body["lockAsset"], Decimal(body["lockAmount"])) == ("USDT", Decimal(price) * Decimal("0.01"))
    assert Decimal(body["available"]) == Decimal("10000") and body["farFromMarket"] is False
    market = await preview(http, alice, type="MARKET", quantity="0.001")
    assert market["ok"] and Decimal(market["estimatedPrice"]) > 0 and market["feeAsset"] == "BTC"
    assert (await http.get("/api/trading/orders", headers=alice)).json() == []


async def test_a_refusal_carries_the_venues_code_and_words_and_the_traders(api):
    http, runtime, alice = api
    near = str(runtime.last_price("BTCUSDT").quantize(Decimal("0.01")))
    small = await preview(http, alice, type="LIMIT", quantity="0.00001", price=near, timeInForce="GTC")
    assert small["ok"] is False and (small["code"], small["msg"]) == (-1013, "Filter failure: NOTIONAL")
    assert small["message"] == "Minimum order is 5 USDT"
    step = await preview(http, alice, type="MARKET", quantity="0.000015")
    assert (step["code"], step["message"]) == (-1013, "Amount must be a multiple of 0.00001 BTC")
    poor = await preview(http, alice, type="MARKET", quoteOrderQty="20000")
    assert (poor["code"], poor["msg"]) == (-2010, "Account has insufficient balance for requested action.")
    assert poor["message"] == "Not enough USDT: this order needs 20,000 USDT, 10,000 USDT available"
    missing = await preview(http, alice, type="LIMIT", quantity="0.001", timeInForce="GTC")
    assert missing["code"] == -1102 and missing["message"] == "Enter the price"
    under = str((runtime.last_price("BTCUSDT") * Decimal("0.9")).quantize(Decimal("0.01")))
    stop = await preview(http, alice, type="STOP_LOSS", quantity="0.001", stopPrice=under)  # a buy stop under
    assert (stop["code"], stop["msg"]) == (-2010, "Order would trigger immediately.")
    assert re.fullmatch(r"For a buy stop-market order: stop price above the last price \([\d,.]+\); "
                        rf"at {re.escape(plain(Decimal(under)))} it would trigger at once", stop["message"])
    assert (await http.get("/api/trading/orders", headers=alice)).json() == []


async def test_a_far_limit_price_is_flagged_as_the_form_asks_to_confirm_it(api):
    http, runtime, alice = api
    far = str((runtime.last_price("BTCUSDT") * Decimal("0.8")).quantize(Decimal("0.01")))
    body = await preview(http, alice, type="LIMIT", quantity="0.001", price=far, timeInForce="GTC")
    assert body["ok"] is True and body["farFromMarket"] is True
    # The market moves between reading its price and the preview: the share is about 20 %.
    said = re.fullmatch(r"Your price (.+) is (\d+\.\d)% below the market \((.+)\)\. Place it anyway\?",
                        body["warning"])
    assert said is not None, body["warning"]
    assert said[1] == plain(Decimal(far)) and Decimal("19") <= Decimal(said[2]) <= Decimal("21")


async def test_an_oco_pair_is_previewed_too(api):
    http, runtime, alice = api
    last = runtime.last_price("BTCUSDT")
    above, below = (str((last * Decimal(f)).quantize(Decimal("0.01"))) for f in ("1.05", "0.95"))
    wrong = await preview(http, alice, "/api/trading/oco/preview", quantity="0.001", price=below, stopPrice=above,
                          side="SELL")
    assert wrong["code"] == -2010 and wrong["message"].startswith("For a sell OCO")
    good = await preview(http, alice, "/api/trading/oco/preview", quantity="0.001", price=above, stopPrice=below,
                         side="SELL")
    assert good["ok"] is True and good["lockAsset"] == "BTC"


async def test_the_preview_is_in_the_openapi_document(api):
    http, _, _ = api
    document = (await http.get("/api/openapi.json")).json()
    operation = document["paths"]["/api/trading/orders/preview"]["post"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("OrderPreviewOut")
    fields = document["components"]["schemas"]["OrderPreviewOut"]["properties"]
    assert {"ok", "code", "msg", "message", "estimatedPrice", "total", "fee", "available", "warning"} <= fields.keys()
