"""The simulator's WebSockets over real sockets: market streams, the legacy listenKey user
stream and the WebSocket API's user data subscription."""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal

import pytest
import websockets

from numatix.exchange.binance.signing import signer_for, ws_payload
from numatix.sim.testing import SignedClient, running_simulator

SYMBOLS = ("BTCUSDT", "ETHUSDT")
QTY = "0.00100000"
WAIT = 30.0  # only so a message that never comes fails the test; not a speed target


@pytest.fixture
async def sim():
    async with running_simulator(symbols=SYMBOLS, history_days=1) as running:
        yield running


async def receive(socket, accept=lambda message: True, timeout: float = WAIT):
    """The next message ``accept`` likes, skipping the others."""
    async def wait():
        while True:
            message = json.loads(await socket.recv())
            if accept(message):
                return message
    return await asyncio.wait_for(wait(), timeout)


def signed_params(credentials, **extra) -> dict[str, object]:
    params = {"apiKey": credentials.api_key, "timestamp": time.time_ns() // 1_000_000, **extra}
    params["signature"] = signer_for(credentials).sign(ws_payload(params))
    return params


async def request(socket, method: str, params: dict | None = None, request_id: object = 1) -> dict:
    await socket.send(json.dumps({"id": request_id, "method": method, "params": params or {}}))
    return await receive(socket, lambda message: message.get("id") == request_id)


# ------------------------------------------------------------------ market streams
async def test_raw_trade_stream_sends_each_print(sim):
    async with websockets.connect(f"{sim.stream_url}/ws/btcusdt@trade") as socket:
        await asyncio.sleep(0.05)
        trade = sim.push_trade("BTCUSDT", "95000.5", "0.25")
        event = await receive(socket)
    assert event == {"e": "trade", "E": event["E"], "s": "BTCUSDT", "t": trade.trade_id,
                     "p": "95000.50000000", "q": "0.25000000", "T": trade.time_ms, "m": False, "M": True}


async def test_combined_streams_wrap_and_book_payloads_have_no_event_type(sim):
    names = "btcusdt@bookTicker/btcusdt@depth5@100ms/btcusdt@kline_1m/btcusdt@ticker"
    url = f"{sim.stream_url}/stream?streams={names}"
    async with websockets.connect(url) as socket:
        await asyncio.sleep(0.05)
        sim.push_trade("BTCUSDT", "95000", "0.5")
        seen = {}
        while len(seen) < 4:  # paced streams may first send the market as it was before the print
            message = await receive(socket)
            data = message["data"]
            if data.get("c", data.get("k", {}).get("c", "95000.00000000")) == "95000.00000000":
                seen[message["stream"]] = data
    book_ticker = seen["btcusdt@bookTicker"]
    assert set(book_ticker) == {"u", "s", "b", "B", "a", "A"}
    assert Decimal(book_ticker["b"]) < Decimal(95000) < Decimal(book_ticker["a"])
    depth = seen["btcusdt@depth5@100ms"]
    assert set(depth) == {"lastUpdateId", "bids", "asks"} and len(depth["bids"]) == len(depth["asks"]) == 5
    kline = seen["btcusdt@kline_1m"]
    assert (kline["e"], kline["k"]["i"], kline["k"]["c"], kline["k"]["x"]) == (
        "kline", "1m", "95000.00000000", False)
    ticker = seen["btcusdt@ticker"]
    assert (ticker["e"], ticker["c"], ticker["Q"]) == ("24hrTicker", "95000.00000000", "0.50000000")


async def test_depth_diffs_follow_on_without_gaps(sim):
    async with websockets.connect(f"{sim.stream_url}/ws/ethusdt@depth@100ms") as socket:
        await asyncio.sleep(0.05)
        sim.push_trade("ETHUSDT", "3000", "1")
        first = await receive(socket)
        sim.push_trade("ETHUSDT", "3000.05", "1")
        second = await receive(socket)
    assert first["e"] == second["e"] == "depthUpdate"
    assert second["U"] == first["u"] + 1
    removed = {price for price, quantity in second["b"] if quantity == "0.00000000"}
    # the book moved up 5 ticks: its 5 lowest bids left the 20 levels shown
    assert removed == {f"2999.8{tick}000000" for tick in range(5)}


async def test_subscribe_unsubscribe_and_list(sim):
    async with websockets.connect(f"{sim.stream_url}/ws") as socket:
        await socket.send(json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@aggTrade"], "id": 1}))
        assert await receive(socket) == {"result": None, "id": 1}
        await socket.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 2}))
        assert await receive(socket) == {"result": ["btcusdt@aggTrade"], "id": 2}
        sim.push_trade("BTCUSDT", "95000", "0.1")
        aggregate = await receive(socket)
        assert (aggregate["e"], aggregate["a"], aggregate["f"], aggregate["l"]) == (
            "aggTrade", aggregate["a"], aggregate["a"], aggregate["a"])
        await socket.send(json.dumps({"method": "UNSUBSCRIBE", "params": ["btcusdt@aggTrade"], "id": 3}))
        assert await receive(socket) == {"result": None, "id": 3}
        await socket.send(json.dumps({"method": "SUBSCRIBE", "params": ["nope@trade"], "id": 4}))
        error = await receive(socket)
        assert (error["id"], error["error"]["code"]) == (4, 2)
        sim.push_trade("BTCUSDT", "95001", "0.1")
        await socket.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 5}))
        assert await receive(socket) == {"result": [], "id": 5}  # no aggTrade arrived in between


async def test_unknown_stream_names_are_refused(sim):
    with pytest.raises(websockets.InvalidStatus):
        async with websockets.connect(f"{sim.stream_url}/ws/nosuchcoin@trade"):
            pass


# ------------------------------------------------------------------ user streams
async def test_listen_key_stream_sends_bare_events_until_closed(sim):
    credentials = sim.create_key("hmac")
    async with SignedClient(sim.rest_url, credentials) as client:
        headers = {"X-MBX-APIKEY": credentials.api_key}
        listen_key = (await client.http.post("/api/v3/userDataStream", headers=headers)).json()["listenKey"]
        assert len(listen_key) == 60
        async with websockets.connect(f"{sim.stream_url}/ws/{listen_key}") as socket:
            await asyncio.sleep(0.05)
            placed = (await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "BUY",
                                                            "type": "MARKET", "quantity": QTY})).json()
            report = await receive(socket, lambda m: m.get("e") == "executionReport" and m["X"] == "FILLED")
            position = await receive(socket, lambda m: m.get("e") == "outboundAccountPosition")
            assert (report["i"], report["x"], report["z"]) == (placed["orderId"], "TRADE", QTY)
            assert {row["a"] for row in position["B"]} == {"BTC", "USDT"}

            kept = await client.http.put("/api/v3/userDataStream", params={"listenKey": listen_key},
                                         headers=headers)
            assert (kept.status_code, kept.json()) == (200, {})
            unknown = await client.http.put("/api/v3/userDataStream", params={"listenKey": "x" * 60},
                                            headers=headers)
            assert unknown.json() == {"code": -1125, "msg": "This listenKey does not exist."}

            closed = await client.http.delete("/api/v3/userDataStream", params={"listenKey": listen_key},
                                              headers=headers)
            assert closed.json() == {}
            expired = await receive(socket, lambda m: m.get("e") == "listenKeyExpired")
            assert expired["listenKey"] == listen_key
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(socket.recv(), WAIT)


@pytest.mark.parametrize("kind", ["hmac", "ed25519"])
async def test_ws_api_subscription_receives_the_fill_of_a_resting_order(sim, kind):
    credentials = sim.create_key(kind)
    async with websockets.connect(sim.ws_api_url) as socket, \
            SignedClient(sim.rest_url, credentials) as client:
        reply = await request(socket, "userDataStream.subscribe.signature", signed_params(credentials))
        assert (reply["status"], reply["result"]) == (200, {"subscriptionId": 0})
        assert reply["rateLimits"][0]["rateLimitType"] == "REQUEST_WEIGHT"
        price = sim.last_price("BTCUSDT") - 10
        placed = (await client.signed("POST", "order", {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
                                                        "timeInForce": "GTC", "quantity": QTY,
                                                        "price": str(price)})).json()
        new = await receive(socket, lambda m: m.get("event", {}).get("e") == "executionReport")
        assert (new["subscriptionId"], new["event"]["x"], new["event"]["i"]) == (0, "NEW", placed["orderId"])

        sim.push_trade("BTCUSDT", price - 1, "0.01")

        fill = await receive(socket, lambda m: m.get("event", {}).get("x") == "TRADE")
        event = fill["event"]
        assert (event["X"], event["l"], event["L"], event["m"], event["N"]) == (
            "FILLED", QTY, f"{price:.8f}", True, "BTC")
        assert Decimal(event["Y"]) == price * Decimal(QTY) and event["t"] > 0
        position = await receive(socket, lambda m: m.get("event", {}).get("e") == "outboundAccountPosition")
        assert position["subscriptionId"] == 0


async def test_ws_api_refuses_bad_signatures_and_stale_timestamps(sim):
    credentials = sim.create_key("hmac")
    async with websockets.connect(sim.ws_api_url) as socket:
        params = signed_params(credentials)
        params["timestamp"] += 1  # signed over the old value
        bad = await request(socket, "userDataStream.subscribe.signature", params, "bad")
        assert (bad["status"], bad["error"]) == (
            400, {"code": -1022, "msg": "Signature for this request is not valid."})
        stale = signed_params(credentials)
        stale["timestamp"] -= 10_000
        stale["signature"] = signer_for(credentials).sign(ws_payload(stale))
        old = await request(socket, "userDataStream.subscribe.signature", stale, "stale")
        assert old["error"]["code"] == -1021
        assert (await request(socket, "ping", request_id="p"))["result"] == {}
        server_time = (await request(socket, "time", request_id="t"))["result"]["serverTime"]
        assert abs(server_time - time.time_ns() // 1_000_000) < 5000


async def test_ws_api_session_logon_subscribe_and_unsubscribe(sim):
    credentials = sim.create_key("ed25519")
    async with websockets.connect(sim.ws_api_url) as socket:
        refused = await request(socket, "userDataStream.subscribe", request_id="early")
        assert refused["status"] == 401
        logon = await request(socket, "session.logon", signed_params(credentials), "logon")
        assert logon["result"]["apiKey"] == credentials.api_key
        subscribed = await request(socket, "userDataStream.subscribe", request_id="sub")
        subscription = subscribed["result"]["subscriptionId"]
        await socket.send(json.dumps({"id": "unsub", "method": "userDataStream.unsubscribe", "params": {}}))
        terminated = await receive(socket, lambda m: m.get("event", {}).get("e") == "eventStreamTerminated")
        assert terminated["subscriptionId"] == subscription


async def test_oco_emits_list_status_events(sim):
    credentials = sim.create_key("hmac")
    async with websockets.connect(sim.ws_api_url) as socket, \
            SignedClient(sim.rest_url, credentials) as client:
        await request(socket, "userDataStream.subscribe.signature", signed_params(credentials))
        last = sim.last_price("BTCUSDT")
        oco = (await client.signed("POST", "orderList/oco", {
            "symbol": "BTCUSDT", "side": "SELL", "quantity": QTY, "listClientOrderId": "oco-events",
            "aboveType": "LIMIT_MAKER", "abovePrice": str(last + 100),
            "belowType": "STOP_LOSS", "belowStopPrice": str(last - 100)})).json()
        started = await receive(socket, lambda m: m.get("event", {}).get("e") == "listStatus")
        event = started["event"]
        assert (event["l"], event["L"], event["C"], event["g"]) == (
            "EXEC_STARTED", "EXECUTING", "oco-events", oco["orderListId"])
        sim.push_trade("BTCUSDT", last - 100, "0.01")  # the stop fires; the limit leg expires
        done = await receive(socket, lambda m: m.get("event", {}).get("e") == "listStatus")
        assert (done["event"]["l"], done["event"]["L"]) == ("ALL_DONE", "ALL_DONE")
        assert sorted(leg["i"] for leg in done["event"]["O"]) == sorted(o["orderId"] for o in oco["orders"])


async def test_ws_api_trades_with_a_signed_request_or_a_logged_on_session(sim):
    credentials = sim.create_key("ed25519")
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": QTY}
    async with websockets.connect(sim.ws_api_url) as socket:
        placed = await request(socket, "order.place", signed_params(credentials, **order), "place")
        assert (placed["status"], placed["result"]["status"], placed["result"]["executedQty"]) == (
            200, "FILLED", QTY)
        await request(socket, "session.logon", signed_params(credentials), "logon")
        now = time.time_ns() // 1_000_000
        status = await request(socket, "order.status", {"symbol": "BTCUSDT", "timestamp": now,
                                                        "orderId": placed["result"]["orderId"]}, "status")
        assert status["result"]["status"] == "FILLED"
        cancel = await request(socket, "order.cancel", {"symbol": "BTCUSDT", "timestamp": now,
                                                        "orderId": placed["result"]["orderId"]}, "cancel")
        assert (cancel["status"], cancel["error"]) == (400, {"code": -2011, "msg": "Unknown order sent."})
        account = await request(socket, "account.status", {"timestamp": now}, "account")
        balances = {row["asset"]: row for row in account["result"]["balances"]}
        assert Decimal(balances["BTC"]["free"]) > 1
