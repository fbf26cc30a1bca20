"""The Binance simulator's REST API over a real socket: shapes, errors, order lifecycles."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from numatix.sim.testing import SignedClient, running_simulator

SYMBOLS = ("BTCUSDT", "ETHUSDT")
QTY = "0.00100000"


@pytest.fixture
async def sim():
    async with running_simulator(symbols=SYMBOLS) as running:
        yield running


@pytest.fixture
async def client(sim):
    async with SignedClient(sim.rest_url, sim.create_key("hmac")) as signed:
        yield signed


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def assert_error(response, status: int, code: int, message: str) -> None:
    assert response.headers["content-type"] == "application/json"
    assert (response.status_code, response.json()) == (status, {"code": code, "msg": message})


async def order_state(client, order_id: int) -> dict:
    return (await client.signed("GET", "order", {"symbol": "BTCUSDT", "orderId": order_id})).json()


async def place(client, **params):
    response = await client.signed("POST", "order", {"symbol": "BTCUSDT", **params})
    assert response.status_code == 200, response.text
    return response.json()


# ------------------------------------------------------------------ public
async def test_public_endpoints_answer_in_binance_shapes(sim, client):
    assert (await client.public("GET", "ping")).json() == {}
    before = now_ms()
    server_time = (await client.public("GET", "time")).json()["serverTime"]
    assert before <= server_time <= now_ms()

    info = (await client.public("GET", "exchangeInfo", symbol="BTCUSDT")).json()
    symbol = info["symbols"][0]
    filters = {f["filterType"]: f for f in symbol["filters"]}
    assert (symbol["symbol"], symbol["baseAsset"], symbol["quoteAsset"]) == ("BTCUSDT", "BTC", "USDT")
    assert filters["PRICE_FILTER"]["tickSize"] == "0.01000000"
    assert filters["LOT_SIZE"]["stepSize"] == "0.00001000"
    assert "LIMIT_MAKER" in symbol["orderTypes"] and "STOP_LOSS_LIMIT" in symbol["orderTypes"]
    kinds = {limit["rateLimitType"] for limit in info["rateLimits"]}
    assert kinds == {"REQUEST_WEIGHT", "ORDERS", "RAW_REQUESTS"}

    last = sim.last_price("BTCUSDT")
    depth = (await client.public("GET", "depth", symbol="BTCUSDT", limit=5)).json()
    assert len(depth["bids"]) == 5 and Decimal(depth["bids"][0][0]) < last < Decimal(depth["asks"][0][0])
    trades = (await client.public("GET", "trades", symbol="BTCUSDT", limit=1)).json()
    assert set(trades[0]) == {"id", "price", "qty", "quoteQty", "time", "isBuyerMaker", "isBestMatch"}
    assert Decimal(trades[0]["price"]) == last
    klines = (await client.public("GET", "klines", symbol="BTCUSDT", interval="1h", limit=3)).json()
    assert len(klines) == 3 and all(len(row) == 12 for row in klines)
    assert klines[1][0] - klines[0][0] == 3_600_000 and klines[0][6] == klines[1][0] - 1
    price = (await client.public("GET", "ticker/price", symbol="BTCUSDT")).json()
    assert price == {"symbol": "BTCUSDT", "price": format(last.quantize(Decimal("0.00000001")), "f")}
    ticker = (await client.public("GET", "ticker/24hr", symbol="BTCUSDT")).json()
    assert Decimal(ticker["lastPrice"]) == last and ticker["count"] > 0


async def test_every_reply_carries_the_used_weight(client):
    first = await client.public("GET", "ping")
    second = await client.public("GET", "exchangeInfo")
    assert int(second.headers["X-MBX-USED-WEIGHT-1M"]) == int(first.headers["X-MBX-USED-WEIGHT-1M"]) + 20
    error = await client.public("GET", "depth", symbol="NOPE")
    assert_error(error, 400, -1121, "Invalid symbol.")
    assert "X-MBX-USED-WEIGHT-1M" in error.headers


async def test_weight_over_the_limit_is_429_with_retry_after():
    async with running_simulator(symbols=SYMBOLS, weight_limit=30) as sim:
        async with SignedClient(sim.rest_url) as client:
            replies = [await client.public("GET", "exchangeInfo") for _ in range(3)]  # 20 each: over 30
    assert replies[0].status_code == 200
    refused = [reply for reply in replies if reply.status_code == 429]  # (a new minute may start between)
    assert refused and refused[0].json()["code"] == -1003
    assert 1 <= int(refused[0].headers["Retry-After"]) <= 60


# ------------------------------------------------------------------ auth
async def test_tampered_signature_is_1022(client):
    params = f"symbol=BTCUSDT&timestamp={now_ms()}"
    signed = client.sign([("symbol", "BTCUSDT"), ("timestamp", now_ms())])
    tampered = signed.replace("symbol=BTCUSDT", "symbol=ETHUSDT")
    response = await client.http.get(f"/api/v3/openOrders?{tampered}",
                                     headers={"X-MBX-APIKEY": client.credentials.api_key})
    assert_error(response, 400, -1022, "Signature for this request is not valid.")
    unsigned = await client.http.get(f"/api/v3/openOrders?{params}",
                                     headers={"X-MBX-APIKEY": client.credentials.api_key})
    assert_error(unsigned, 400, -1102,
                 "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.")


async def test_stale_or_future_timestamps_are_1021(client):
    stale = await client.signed("GET", "account", timestamp_ms=now_ms() - 6000)
    assert_error(stale, 400, -1021, "Timestamp for this request is outside of the recvWindow.")
    widened = await client.signed("GET", "account", {"recvWindow": 10000}, timestamp_ms=now_ms() - 6000)
    assert widened.status_code == 200
    ahead = await client.signed("GET", "account", timestamp_ms=now_ms() + 2000)
    assert_error(ahead, 400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.")


async def test_missing_or_unknown_api_keys_are_401(sim, client):
    response = await client.http.get(f"/api/v3/account?timestamp={now_ms()}&signature=00")
    assert_error(response, 401, -2014, "API-key format invalid.")
    stranger = await client.http.get(f"/api/v3/account?timestamp={now_ms()}&signature=00",
                                     headers={"X-MBX-APIKEY": "A" * 64})
    assert_error(stranger, 401, -2015, "Invalid API-key, IP, or permissions for action.")


async def test_ed25519_keys_and_form_bodies_sign_like_binance(sim):
    async with SignedClient(sim.rest_url, sim.create_key("ed25519")) as client:
        order = await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                      "quantity": QTY}, in_body=True)
        assert order.status_code == 200, order.text
        assert order.json()["status"] == "FILLED"
    async with SignedClient(sim.rest_url, sim.create_key("hmac")) as client:
        # query and body together: the body is appended to the query with no separator (R3)
        query = "symbol=BTCUSDT&side=BUY&type=MARKET"
        body = f"quantity={QTY}&timestamp={now_ms()}"
        from numatix.exchange.binance.signing import signer_for
        signature = signer_for(client.credentials).sign(query + body)
        response = await client.http.post(f"/api/v3/order?{query}", content=f"{body}&signature={signature}",
                                          headers={"X-MBX-APIKEY": client.credentials.api_key,
                                                   "Content-Type": "application/json"})
        assert response.status_code == 200, response.text


# ------------------------------------------------------------------ rejections
async def test_parameter_errors_use_binance_codes_and_messages(client):
    missing = await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
                                                    "timeInForce": "GTC", "price": "90000"})
    assert_error(missing, 400, -1102,
                 "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.")
    exponent = await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                     "quantity": "3e-05"})
    assert_error(exponent, 400, -1100, "Illegal characters found in parameter 'quantity'; legal range is "
                                       "'^([0-9]{1,20})(\\.[0-9]{1,20})?$'.")
    extra = await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                  "quantity": QTY, "timeInForce": "GTC"})
    assert_error(extra, 400, -1106, "Parameter 'timeInForce' sent when not required.")
    bad_type = await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "BUY",
                                                     "type": "STOP_MARKET", "quantity": QTY})
    assert_error(bad_type, 400, -1116, "Invalid orderType.")


async def test_filter_failures_are_1013(sim, client):
    last = sim.last_price("BTCUSDT")
    lot = await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
                                                "timeInForce": "GTC", "quantity": "0.000015",
                                                "price": str(last - 100)})
    assert_error(lot, 400, -1013, "Filter failure: LOT_SIZE")
    tick = await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
                                                 "timeInForce": "GTC", "quantity": QTY,
                                                 "price": str(last - Decimal("100.005"))})
    assert_error(tick, 400, -1013, "Filter failure: PRICE_FILTER")
    tested = await client.signed("POST", "order/test", {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
                                                        "timeInForce": "GTC", "quantity": "0.000015",
                                                        "price": str(last - 100)})
    assert_error(tested, 400, -1013, "Filter failure: LOT_SIZE")


async def test_insufficient_balance_is_2010_and_locks_nothing(sim, client):
    last = sim.last_price("BTCUSDT")
    response = await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
                                                     "timeInForce": "GTC", "quantity": "1",
                                                     "price": str(last - 100)})
    assert_error(response, 400, -2010, "Account has insufficient balance for requested action.")
    view = await sim.account_of(client.credentials.api_key)
    assert view.balances["USDT"].locked == 0 and view.orders == []


async def test_unknown_orders_are_2013_on_query_and_2011_on_cancel(client):
    query = await client.signed("GET", "order", {"symbol": "BTCUSDT", "orderId": 424242})
    assert_error(query, 400, -2013, "Order does not exist.")
    by_client_id = await client.signed("GET", "order", {"symbol": "BTCUSDT", "origClientOrderId": "nope"})
    assert_error(by_client_id, 400, -2013, "Order does not exist.")
    cancel = await client.signed("DELETE", "order", {"symbol": "BTCUSDT", "orderId": 424242})
    assert_error(cancel, 400, -2011, "Unknown order sent.")


# ------------------------------------------------------------------ lifecycles
async def test_limit_order_rests_then_fills_from_a_print(sim, client):
    price = sim.last_price("BTCUSDT") - 50
    placed = await place(client, side="BUY", type="LIMIT", timeInForce="GTC", quantity=QTY, price=str(price),
                         newClientOrderId="my-limit-1")
    assert (placed["status"], placed["fills"], placed["clientOrderId"]) == ("NEW", [], "my-limit-1")
    locked = (await sim.account_of(client.credentials.api_key)).balances["USDT"].locked
    assert locked == price * Decimal(QTY)
    listed = (await client.signed("GET", "openOrders", {"symbol": "BTCUSDT"})).json()
    assert [order["orderId"] for order in listed] == [placed["orderId"]]
    assert listed[0]["stopPrice"] == "0.00000000" and listed[0]["icebergQty"] == "0.00000000"

    sim.push_trade("BTCUSDT", price - 1, "0.01")

    by_id = (await client.signed("GET", "order", {"symbol": "BTCUSDT", "orderId": placed["orderId"]})).json()
    by_client = (await client.signed("GET", "order", {"symbol": "BTCUSDT",
                                                      "origClientOrderId": "my-limit-1"})).json()
    assert by_id == by_client
    assert (by_id["status"], by_id["executedQty"]) == ("FILLED", QTY)
    assert Decimal(by_id["cummulativeQuoteQty"]) == price * Decimal(QTY)
    trades = (await client.signed("GET", "myTrades", {"symbol": "BTCUSDT"})).json()
    assert len(trades) == 1 and trades[0]["isMaker"] is True and trades[0]["isBuyer"] is True
    assert Decimal(trades[0]["price"]) == price
    balances = (await sim.account_of(client.credentials.api_key)).balances
    assert balances["USDT"].locked == 0
    assert balances["BTC"].free == 1 + Decimal(QTY) - Decimal(trades[0]["commission"])


async def test_market_orders_by_quantity_and_by_quote_amount(sim, client):
    by_quantity = await place(client, side="BUY", type="MARKET", quantity=QTY)
    assert by_quantity["status"] == "FILLED" and by_quantity["price"] == "0.00000000"
    assert sum(Decimal(fill["qty"]) for fill in by_quantity["fills"]) == Decimal(QTY)
    assert all(Decimal(fill["price"]) > sim.last_price("BTCUSDT") for fill in by_quantity["fills"])

    by_quote = await place(client, side="BUY", type="MARKET", quoteOrderQty="150")
    assert by_quote["status"] == "FILLED" and by_quote["origQuoteOrderQty"] == "150.00000000"
    spent = Decimal(by_quote["cummulativeQuoteQty"])
    assert Decimal(150) - sim.last_price("BTCUSDT") * Decimal("0.00001") * 2 < spent <= 150

    sell = await place(client, side="SELL", type="MARKET", quoteOrderQty="100")
    assert sell["status"] == "FILLED" and Decimal(sell["cummulativeQuoteQty"]) <= 100


async def test_stop_loss_limit_waits_for_its_trigger(sim, client):
    last = sim.last_price("BTCUSDT")
    now = await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "SELL",
                                                "type": "STOP_LOSS_LIMIT", "timeInForce": "GTC",
                                                "quantity": QTY, "stopPrice": str(last + 100),
                                                "price": str(last + 90)})
    assert_error(now, 400, -2010, "Order would trigger immediately.")
    placed = await place(client, side="SELL", type="STOP_LOSS_LIMIT", timeInForce="GTC", quantity=QTY,
                         stopPrice=str(last - 100), price=str(last - 110))
    assert set(placed) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}  # ACK
    waiting = await order_state(client, placed["orderId"])
    assert (waiting["status"], waiting["isWorking"], waiting["workingTime"]) == ("NEW", False, -1)

    sim.push_trade("BTCUSDT", last - 100, "0.01")  # last <= stop: a SELL stop fires, its limit takes the bids

    done = await order_state(client, placed["orderId"])
    assert (done["status"], done["isWorking"], done["executedQty"]) == ("FILLED", True, QTY)
    assert done["workingTime"] > 0


async def test_take_profit_limit_triggers_then_rests_until_a_print_crosses(sim, client):
    last = sim.last_price("BTCUSDT")
    placed = await place(client, side="SELL", type="TAKE_PROFIT_LIMIT", timeInForce="GTC", quantity=QTY,
                         stopPrice=str(last + 100), price=str(last + 100), newOrderRespType="RESULT")
    assert (placed["status"], placed["stopPrice"], placed["workingTime"]) == ("NEW", f"{last + 100:.8f}", -1)
    sim.push_trade("BTCUSDT", last + 100, "0.00001")  # last >= stop: fires; the limit rests above the bids
    resting = await order_state(client, placed["orderId"])
    assert (resting["status"], resting["isWorking"], resting["executedQty"]) == ("NEW", True, "0.00000000")
    sim.push_trade("BTCUSDT", last + 101, "0.01")
    filled = await order_state(client, placed["orderId"])
    assert filled["status"] == "FILLED"


async def test_limit_maker_that_would_take_is_rejected(sim, client):
    ask = Decimal((await client.public("GET", "depth", symbol="BTCUSDT", limit=1)).json()["asks"][0][0])
    response = await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "BUY",
                                                     "type": "LIMIT_MAKER", "quantity": QTY,
                                                     "price": str(ask)})
    assert_error(response, 400, -2010, "Order would immediately match and take.")
    maker = await place(client, side="BUY", type="LIMIT_MAKER", quantity=QTY, price=str(ask - 1))
    assert maker["orderId"] > 0


async def test_cancel_returns_the_order_and_releases_funds(sim, client):
    price = sim.last_price("BTCUSDT") - 500
    placed = await place(client, side="BUY", type="LIMIT", timeInForce="GTC", quantity=QTY, price=str(price),
                         newClientOrderId="to-cancel")
    canceled = await client.signed("DELETE", "order", {"symbol": "BTCUSDT", "origClientOrderId": "to-cancel"})
    body = canceled.json()
    assert canceled.status_code == 200
    assert (body["status"], body["origClientOrderId"], body["orderId"]) == ("CANCELED", "to-cancel",
                                                                          placed["orderId"])
    assert body["clientOrderId"] != "to-cancel"
    assert (await sim.account_of(client.credentials.api_key)).balances["USDT"].locked == 0
    again = await client.signed("DELETE", "order", {"symbol": "BTCUSDT", "orderId": placed["orderId"]})
    assert_error(again, 400, -2011, "Unknown order sent.")


async def test_cancel_all_and_all_orders(sim, client):
    price = sim.last_price("BTCUSDT") - 500
    ids = [(await place(client, side="BUY", type="LIMIT", timeInForce="GTC", quantity=QTY,
                        price=str(price - step)))["orderId"] for step in range(3)]
    canceled = (await client.signed("DELETE", "openOrders", {"symbol": "BTCUSDT"})).json()
    assert sorted(order["orderId"] for order in canceled) == ids
    assert all(order["status"] == "CANCELED" for order in canceled)
    history = (await client.signed("GET", "allOrders", {"symbol": "BTCUSDT"})).json()
    assert [order["orderId"] for order in history] == ids  # oldest first
    none_left = await client.signed("DELETE", "openOrders", {"symbol": "BTCUSDT"})
    assert_error(none_left, 400, -2011, "Unknown order sent.")


async def test_oco_one_leg_fills_and_the_other_expires(sim, client):
    last = sim.last_price("BTCUSDT")
    response = await client.signed("POST", "orderList/oco", {
        "symbol": "BTCUSDT", "side": "SELL", "quantity": QTY, "listClientOrderId": "my-oco",
        "aboveType": "LIMIT_MAKER", "abovePrice": str(last + 200),
        "belowType": "STOP_LOSS_LIMIT", "belowStopPrice": str(last - 200), "belowPrice": str(last - 210),
        "belowTimeInForce": "GTC"})
    assert response.status_code == 200, response.text
    oco = response.json()
    assert (oco["contingencyType"], oco["listStatusType"], oco["listOrderStatus"]) == (
        "OCO", "EXEC_STARTED", "EXECUTING")
    assert oco["listClientOrderId"] == "my-oco"
    assert len(oco["orders"]) == 2 and len(oco["orderReports"]) == 2
    types = {report["type"]: report["orderId"] for report in oco["orderReports"]}
    assert set(types) == {"LIMIT_MAKER", "STOP_LOSS_LIMIT"}
    assert {report["orderListId"] for report in oco["orderReports"]} == {oco["orderListId"]}

    sim.push_trade("BTCUSDT", last + 201, "0.01")

    maker = await order_state(client, types["LIMIT_MAKER"])
    stop = await order_state(client, types["STOP_LOSS_LIMIT"])
    assert (maker["status"], stop["status"]) == ("FILLED", "EXPIRED")
    assert (await sim.account_of(client.credentials.api_key)).balances["BTC"].locked == 0


async def test_oco_with_prices_the_wrong_way_round_is_rejected(sim, client):
    last = sim.last_price("BTCUSDT")
    response = await client.signed("POST", "orderList/oco", {
        "symbol": "BTCUSDT", "side": "SELL", "quantity": QTY,
        "aboveType": "LIMIT_MAKER", "abovePrice": str(last - 300),
        "belowType": "STOP_LOSS", "belowStopPrice": str(last - 200)})
    assert_error(response, 400, -2010, "The relationship of the prices for the orders is not correct.")


async def test_order_test_validates_without_placing(sim, client):
    response = await client.signed("POST", "order/test", {"symbol": "BTCUSDT", "side": "BUY",
                                                          "type": "MARKET", "quantity": QTY})
    assert (response.status_code, response.json()) == (200, {})
    assert (await sim.account_of(client.credentials.api_key)).orders == []


async def test_successful_orders_report_the_order_counts(client):
    first = await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                  "quantity": QTY})
    second = await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                   "quantity": QTY})
    assert (first.headers["X-MBX-ORDER-COUNT-1D"], second.headers["X-MBX-ORDER-COUNT-1D"]) == ("1", "2")
    # the 10-second window may roll over between the two orders
    assert second.headers["X-MBX-ORDER-COUNT-10S"] in ("1", "2")


async def test_account_lists_the_funded_wallet(client):
    account = (await client.signed("GET", "account")).json()
    balances = {row["asset"]: row for row in account["balances"]}
    assert balances["USDT"] == {"asset": "USDT", "free": "10000.00000000", "locked": "0.00000000"}
    assert balances["BTC"]["free"] == "1.00000000"
    assert (account["accountType"], account["canTrade"], account["permissions"]) == ("SPOT", True, ["SPOT"])


async def test_commission_and_order_rate_limits(client):
    rates = (await client.signed("GET", "account/commission", {"symbol": "BTCUSDT"})).json()
    assert rates["standardCommission"]["maker"] == "0.00100000"
    await place(client, side="BUY", type="MARKET", quantity=QTY)
    limits = (await client.signed("GET", "rateLimit/order")).json()
    assert [(row["interval"], row["limit"]) for row in limits] == [("SECOND", 50), ("DAY", 160_000)]
    assert limits[1]["count"] == 1 and limits[0]["count"] <= 1  # the 10-second window may have rolled


async def test_the_24h_ticker_follows_every_print(sim, client):
    for price in ("95000", "95010", "94990"):
        sim.push_trade("BTCUSDT", price, "0.1")
        ticker = (await client.public("GET", "ticker/24hr", symbol="BTCUSDT")).json()
        assert (ticker["lastPrice"], ticker["lastQty"]) == (f"{price}.00000000", "0.10000000")
