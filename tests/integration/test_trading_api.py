"""The trading API against PRODUCT.md's contract: paths, fields, idempotent retries, isolation."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from tests.support.api_client import api_client, signed_up

ORDER_FIELDS = {"orderId", "symbol", "side", "type", "quantity", "price", "status", "createdAt"}


@pytest.fixture
async def api(tmp_path):
    async with api_client(tmp_path) as (http, runtime):
        alice = await signed_up(http, "alice@example.com")
        bob = await signed_up(http, "bob@example.com")
        yield http, runtime, alice, bob


async def test_market_buy_fills_and_shows_in_orders_trades_positions_and_balance(api):
    http, runtime, alice, _ = api
    placed = await http.post("/api/trading/orders", headers=alice,
                             json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"})
    assert placed.status_code == 201
    body = placed.json()
    assert {"orderId", "status"} <= body.keys() and body["status"] == "FILLED"
    listed = (await http.get("/api/trading/orders", headers=alice)).json()
    assert ORDER_FIELDS <= listed[0].keys() and listed[0]["orderId"] == body["orderId"]
    assert listed[0]["quantity"] == "0.001" and listed[0]["createdAt"].endswith("Z")
    trades = (await http.get("/api/trading/trades", headers=alice)).json()
    assert sum(Decimal(t["quantity"]) for t in trades) == Decimal("0.001")
    assert {"tradeId", "orderId", "price", "quantity", "commission", "commissionAsset", "isMaker"} <= trades[0].keys()
    positions = (await http.get("/api/trading/positions", headers=alice)).json()
    position = next(p for p in positions if p["symbol"] == "BTCUSDT")  # the starting wallet's coins are held too
    assert {"symbol", "side", "quantity", "entryPrice", "currentPrice", "pnl"} <= position.keys()
    assert position["symbol"] == "BTCUSDT" and position["side"] == "BUY"
    balance = (await http.get("/api/trading/balance", headers=alice)).json()
    assert balance["canTrade"] is True
    btc = next(b for b in balance["balances"] if b["asset"] == "BTC")
    assert {"asset", "free", "locked", "total"} <= btc.keys() and Decimal(btc["total"]) > Decimal("0.1")


async def test_a_limit_order_rests_lists_as_open_and_cancels_with_the_contracts_answer(api):
    http, runtime, alice, _ = api
    price = f'{(runtime.last_price("BTCUSDT") * Decimal("0.5")).quantize(Decimal("0.1")):.2f}'  # "….x0"
    placed = (await http.post("/api/trading/orders", headers=alice, json={
        "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.00100", "price": price,
        "timeInForce": "GTC"})).json()
    assert placed["status"] == "NEW" and Decimal(placed["price"]) == Decimal(price)
    open_orders = (await http.get("/api/trading/orders", headers=alice, params={"status": "open"})).json()
    assert [o["orderId"] for o in open_orders] == [placed["orderId"]]
    # the engine's answer and the stored order read alike, digit for digit: no trailing zeros
    assert (placed["quantity"], placed["price"]) == (open_orders[0]["quantity"], open_orders[0]["price"])
    assert placed["quantity"] == "0.001" and placed["price"] == price.rstrip("0").rstrip(".")
    cancelled = await http.delete(f"/api/trading/orders/{placed['orderId']}", headers=alice)
    assert cancelled.status_code == 200
    assert cancelled.json() == {"message": "Cancel request submitted", "orderId": placed["orderId"]}
    again = await http.delete(f"/api/trading/orders/{placed['orderId']}", headers=alice)
    assert again.status_code == 404 and again.json()["error"] == {"code": -2011, "message": "Unknown order sent.",
                                                                  "requestId": again.headers["x-request-id"]}
    assert (await http.get(f"/api/trading/orders/{placed['orderId']}", headers=alice)).json()["status"] == "CANCELED"


async def test_the_same_client_order_id_twice_gives_the_same_order_once(api):
    http, runtime, alice, _ = api
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001", "clientOrderId": "retry-me-1"}
    first, second = await asyncio.gather(
        http.post("/api/trading/orders", headers=alice, json=order),
        http.post("/api/trading/orders", headers=alice, json=order))
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 201] and first.json()["orderId"] == second.json()["orderId"]
    third = await http.post("/api/trading/orders", headers=alice, json=order)
    assert third.status_code == 200 and third.json()["orderId"] == first.json()["orderId"]
    assert len((await http.get("/api/trading/orders", headers=alice)).json()) == 1


async def test_an_oco_pair_protects_a_position_and_a_retry_returns_the_same_pair(api):
    http, runtime, alice, _ = api
    last = runtime.last_price("BTCUSDT")
    pair = {"symbol": "BTCUSDT", "side": "SELL", "quantity": "0.01",
            "price": str((last * Decimal("1.2")).quantize(Decimal("0.01"))),
            "stopPrice": str((last * Decimal("0.8")).quantize(Decimal("0.01"))),
            "stopLimitPrice": str((last * Decimal("0.79")).quantize(Decimal("0.01"))),
            "stopLimitTimeInForce": "GTC", "limitClientOrderId": "protect-1"}
    placed = await http.post("/api/trading/oco", headers=alice, json=pair)
    assert placed.status_code == 201, placed.text
    body = placed.json()
    assert [o["type"] for o in body["orders"]] == ["LIMIT_MAKER", "STOP_LOSS_LIMIT"]
    assert [o["status"] for o in body["orders"]] == ["NEW", "NEW"] and body["orderListId"] >= 0
    btc = next(b for b in (await http.get("/api/trading/balance", headers=alice)).json()["balances"]
               if b["asset"] == "BTC")
    assert Decimal(btc["locked"]) == Decimal("0.01")  # one lock for both legs

    retried = await http.post("/api/trading/oco", headers=alice, json=pair)
    assert retried.status_code == 200 and retried.json() == body
    assert len((await http.get("/api/trading/orders", headers=alice, params={"status": "open"})).json()) == 2

    cancelled = await http.delete(f"/api/trading/orders/{body['orders'][0]['orderId']}", headers=alice)
    assert cancelled.status_code == 200
    statuses = [(await http.get(f"/api/trading/orders/{o['orderId']}", headers=alice)).json()["status"]
                for o in body["orders"]]
    assert statuses == ["CANCELED", "CANCELED"]  # one cancels the other


async def test_an_oco_with_prices_the_wrong_way_round_is_refused_with_binances_code(api):
    http, runtime, alice, _ = api
    last = runtime.last_price("BTCUSDT")
    refused = await http.post("/api/trading/oco", headers=alice, json={
        "symbol": "BTCUSDT", "side": "SELL", "quantity": "0.01",
        "price": str((last * Decimal("0.8")).quantize(Decimal("0.01"))),
        "stopPrice": str((last * Decimal("1.2")).quantize(Decimal("0.01")))})
    assert refused.status_code == 400
    assert refused.json()["error"] == {"code": -2010, "requestId": refused.headers["x-request-id"],
                                       "message": "The relationship of the prices for the orders is not correct."}
    assert (await http.get("/api/trading/orders", headers=alice)).json() == []


async def test_another_users_order_is_404_not_403(api):
    http, runtime, alice, bob = api
    price = f'{(runtime.last_price("BTCUSDT") * Decimal("0.5")).quantize(Decimal("0.1")):.2f}'  # "….x0"
    placed = (await http.post("/api/trading/orders", headers=alice, json={
        "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.00100", "price": price,
        "timeInForce": "GTC"})).json()
    assert (await http.get(f"/api/trading/orders/{placed['orderId']}", headers=bob)).status_code == 404
    assert (await http.delete(f"/api/trading/orders/{placed['orderId']}", headers=bob)).status_code == 404
    assert (await http.get(f"/api/trading/orders/{placed['orderId'] + 999}", headers=alice)).status_code == 404
    assert (await http.get("/api/trading/orders", headers=bob)).json() == []
    assert (await http.delete("/api/trading/orders", headers=bob, params={"symbol": "BTCUSDT"})).json()["orderIds"] == []
    assert (await http.get(f"/api/trading/orders/{placed['orderId']}", headers=alice)).json()["status"] == "NEW"


async def test_rejections_carry_binances_code_and_leave_balances_alone(api):
    http, runtime, alice, _ = api
    async def amounts() -> list[tuple[str, str, str]]:  # not their value: the market moves meanwhile
        balances = (await http.get("/api/trading/balance", headers=alice)).json()["balances"]
        return [(b["asset"], b["free"], b["locked"]) for b in balances]

    before = await amounts()
    lot = await http.post("/api/trading/orders", headers=alice,
                          json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.0000001"})
    assert lot.status_code == 400 and lot.json()["error"] == {"code": -1013, "message": "Filter failure: LOT_SIZE",
                                                              "requestId": lot.headers["x-request-id"]}
    poor = await http.post("/api/trading/orders", headers=alice,
                           json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "5"})
    assert poor.json()["error"]["code"] == -2010
    missing = await http.post("/api/trading/orders", headers=alice,
                              json={"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001"})
    assert missing.status_code == 400 and missing.json()["error"]["code"] == -1102
    bad_side = await http.post("/api/trading/orders", headers=alice,
                               json={"symbol": "BTCUSDT", "side": "HOLD", "type": "MARKET", "quantity": "1"})
    assert bad_side.status_code == 422 and bad_side.json()["error"]["field"] == "side"
    assert await amounts() == before
    assert (await http.get("/api/trading/orders", headers=alice)).status_code == 200
    assert (await http.post("/api/trading/orders", json={})).status_code in (401, 422)


async def test_orders_page_back_with_a_cursor(api):
    http, runtime, alice, _ = api
    price = str((runtime.last_price("BTCUSDT") * Decimal("0.5")).quantize(Decimal("0.01")))
    ids = []
    for _ in range(5):
        ids.append((await http.post("/api/trading/orders", headers=alice, json={
            "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001", "price": price,
            "timeInForce": "GTC"})).json()["orderId"])
    first = await http.get("/api/trading/orders", headers=alice, params={"limit": 2})
    second = await http.get("/api/trading/orders", headers=alice,
                            params={"limit": 2, "cursor": first.headers["X-Next-Cursor"]})
    third = await http.get("/api/trading/orders", headers=alice,
                           params={"limit": 2, "cursor": second.headers["X-Next-Cursor"]})
    pages = [[o["orderId"] for o in page.json()] for page in (first, second, third)]
    assert pages == [ids[4:2:-1], ids[2:0:-1], ids[0:1]] and "X-Next-Cursor" not in third.headers
    cancelled = await http.delete("/api/trading/orders", headers=alice, params={"symbol": "btcusdt"})
    assert sorted(cancelled.json()["orderIds"]) == ids


async def test_market_ticker_depth_and_alerts(api):
    http, runtime, alice, bob = api
    ticker = (await http.get("/api/market/ticker", params={"symbol": "BTCUSDT"})).json()
    assert {"symbol", "lastPrice", "priceChangePercent", "highPrice", "lowPrice", "volume"} <= ticker.keys()
    depth = (await http.get("/api/market/depth", params={"symbol": "BTCUSDT", "limit": 5})).json()
    assert len(depth["bids"]) == 5 and Decimal(depth["bids"][0][0]) < Decimal(depth["asks"][0][0])
    level = str((Decimal(ticker["lastPrice"]) * 2).quantize(Decimal("0.01")))
    created = await http.post("/api/alerts", headers=alice, json={"symbol": "BTCUSDT", "direction": "above",
                                                                  "price": level})
    assert created.status_code == 201 and created.json()["active"] is True
    assert [a["id"] for a in (await http.get("/api/alerts", headers=alice)).json()] == [created.json()["id"]]
    assert (await http.delete(f"/api/alerts/{created.json()['id']}", headers=bob)).status_code == 404
    assert (await http.delete(f"/api/alerts/{created.json()['id']}", headers=alice)).status_code == 204
    assert (await http.get("/api/alerts", headers=alice)).json() == []
