"""The original platform's README, API section, replayed example by example (PRODUCT.md,
"The original platform's documented examples"): a client written for it works unchanged.

Each request is sent as documented (numbers, not strings; a LIMIT without timeInForce; its
STOP_MARKET type; the event socket at ``/prices?token=``) and each documented response field
is checked. Deliberate differences, kept because the house rules ask for them, are asserted
too, so they cannot drift unnoticed: amounts come back as decimal strings (never floats), an
order's status is Binance's word (NEW/FILLED, where the original wrote PENDING), a new order
answers 201 (a replayed clientOrderId 200) and user ids are integers.

Registering with Binance keys that pass the check puts the account on the Binance Spot
Testnet, here our simulator (``numatix.sim``) over real sockets, as in the original.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from decimal import Decimal

import httpx
import pytest
from websockets.sync.client import connect

from numatix.sim.testing import SimulatorProcess
from tests.support.live_api import live_api, settings_for

PASSWORD = "password-123-harbour"  # the original's "password123" is too common for our strength rule
ORDER_FIELDS = ("orderId", "symbol", "side", "type", "quantity", "status", "createdAt")
POSITION_FIELDS = ("symbol", "side", "quantity", "entryPrice", "currentPrice", "pnl")


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """(API base URL, the simulator standing in for the Binance Spot Testnet)."""
    with SimulatorProcess(log_file=tmp_path_factory.mktemp("sim") / "sim.log") as sim:
        settings = settings_for(tmp_path_factory.mktemp("contract"),
                                NUMATIX_BINANCE_REST_URL=sim.rest_url,
                                NUMATIX_BINANCE_WS_API_URL=sim.ws_api_url,
                                NUMATIX_BINANCE_STREAM_URL=sim.stream_url)
        with live_api(settings) as base_url:
            yield base_url, sim


@pytest.fixture
def http(platform):
    base_url, _ = platform
    with httpx.Client(base_url=base_url, timeout=20) as client:
        yield client


def register(http: httpx.Client, email: str, **keys: str) -> dict:
    response = http.post("/api/auth/register", json={"email": email, "password": PASSWORD, **keys})
    assert response.status_code == 201, response.text
    body = response.json()
    assert isinstance(body["token"], str) and body["token"]
    assert body["user"]["email"] == email and isinstance(body["user"]["id"], int)
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def events_url(base_url: str, token: str, path: str = "/prices") -> str:
    return base_url.replace("http://", "ws://") + f"{path}?token={token}"


def next_event(socket, kind: str, timeout: float = 20.0, **matching) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        assert set(message) == {"type", "data"}
        if message["type"] == kind and all(message["data"].get(k) == v for k, v in matching.items()):
            return message["data"]
    raise AssertionError(f"no {kind} {matching} within {timeout} s")


def is_iso_utc(text: str) -> bool:
    return text.endswith("Z") and datetime.fromisoformat(text.replace("Z", "+00:00")).utcoffset() is not None


def test_register_login_and_the_documented_balance(http):
    signed_up = register(http, "original-1@example.com")
    assert signed_up["user"]["venue"] == "paper"  # no keys: the paper exchange
    login = http.post("/api/auth/login", json={"email": "original-1@example.com", "password": PASSWORD})
    assert login.status_code == 200
    assert login.json()["user"] == {"id": signed_up["user"]["id"], "email": "original-1@example.com",
                                    "venue": "paper"}
    balance = http.get("/api/trading/balance", headers=bearer(login.json()["token"]))
    assert balance.status_code == 200 and balance.json()["canTrade"] is True
    [usdt] = [b for b in balance.json()["balances"] if b["asset"] == "USDT"]
    documented = {"asset": "USDT", "free": 10000, "locked": 0, "total": 10000}
    assert {key: usdt[key] for key in documented} == {"asset": "USDT", "free": "10000", "locked": "0",
                                                      "total": "10000"}
    assert all(Decimal(usdt[key]) == value for key, value in documented.items() if key != "asset")


def test_orders_positions_cancel_and_events_as_the_original_documents_them(platform, http):
    base_url, _ = platform
    token = register(http, "original-2@example.com")["token"]
    with connect(events_url(base_url, token)) as socket:
        assert next_event(socket, "CONNECTED")["message"] == "Connected to trading platform"
        price = next_event(socket, "PRICE_UPDATE", symbol="BTCUSDT")
        assert Decimal(price["price"]) > 0 and isinstance(price["timestamp"], int)

        market = http.post("/api/trading/orders", headers=bearer(token), json={
            "symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": 0.001})
        assert market.status_code == 201, market.text
        assert set(market.json()) >= {"orderId", "status"} and market.json()["status"] == "FILLED"
        update = next_event(socket, "ORDER_UPDATE", orderId=market.json()["orderId"], status="FILLED")
        assert {k: update[k] for k in ("symbol", "side", "quantity")} == {
            "symbol": "BTCUSDT", "side": "BUY", "quantity": "0.001"}
        assert "price" in update

        below = int(Decimal(price["price"]) * Decimal("0.5"))  # a number, as the original sends it
        limit = http.post("/api/trading/orders", headers=bearer(token), json={
            "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": 0.001, "price": below})
        assert limit.status_code == 201, limit.text  # no timeInForce: it rests until canceled (GTC)
        assert limit.json()["status"] == "NEW" and limit.json()["timeInForce"] == "GTC"
        assert Decimal(limit.json()["price"]) == below
        update = next_event(socket, "ORDER_UPDATE", orderId=limit.json()["orderId"])
        assert Decimal(update["price"]) == below and update["status"] == "NEW"

    stop = http.post("/api/trading/orders", headers=bearer(token), json={
        "symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET", "quantity": 0.0005, "stopPrice": below})
    assert stop.status_code == 201, stop.text  # the original's stop type is Spot's STOP_LOSS
    assert stop.json()["type"] == "STOP_LOSS" and Decimal(stop.json()["stopPrice"]) == below

    orders = http.get("/api/trading/orders", headers=bearer(token)).json()
    assert {o["orderId"] for o in orders} == {market.json()["orderId"], limit.json()["orderId"],
                                             stop.json()["orderId"]}
    for order in orders:
        assert all(order[field] is not None for field in ORDER_FIELDS) and is_iso_utc(order["createdAt"])
    assert next(o for o in orders if o["orderId"] == market.json()["orderId"])["status"] == "FILLED"

    cancel = http.delete(f"/api/trading/orders/{limit.json()['orderId']}", headers=bearer(token))
    assert cancel.status_code == 200
    assert cancel.json() == {"message": "Cancel request submitted", "orderId": limit.json()["orderId"]}

    positions = http.get("/api/trading/positions", headers=bearer(token)).json()
    # the paper wallet's starting coins are positions too (entered at the price when the account opened)
    position = next(p for p in positions if p["symbol"] == "BTCUSDT")
    assert all(position[field] is not None for field in POSITION_FIELDS)
    assert (position["symbol"], position["side"]) == ("BTCUSDT", "BUY")


def test_a_type_neither_platform_knows_is_refused_naming_the_field(http):
    token = register(http, "original-3@example.com")["token"]
    refused = http.post("/api/trading/orders", headers=bearer(token), json={
        "symbol": "BTCUSDT", "side": "BUY", "type": "STOP_LIMIT", "quantity": 0.001, "price": 1})
    assert refused.status_code == 422 and "type" in refused.text


def test_registering_with_keys_that_pass_trades_on_the_binance_testnet(platform, http):
    """The original's sign-up with Binance keys: orders go to the exchange, and every price the
    user is shown (REST market data, the event socket) is that exchange's market."""
    base_url, sim = platform
    key = sim.create_key()
    refused = http.post("/api/auth/register", json={"email": "original-4@example.com", "password": PASSWORD,
                                                      "binanceApiKey": key.api_key, "binanceSecretKey": "x" * 64})
    assert refused.status_code == 401  # a key the exchange refuses opens no account
    assert http.post("/api/auth/login", json={"email": "original-4@example.com",
                                              "password": PASSWORD}).status_code == 401
    signed_up = register(http, "original-4@example.com", binanceApiKey=key.api_key,
                         binanceSecretKey=key.secret)
    assert signed_up["user"]["venue"] == "binance-testnet"
    token = signed_up["token"]

    with connect(events_url(base_url, token)) as socket:
        assert next_event(socket, "CONNECTED")["message"] == "Connected to trading platform"
        testnet_price = (sim.last_price("BTCUSDT") * Decimal("0.9731")).quantize(Decimal("0.01"))
        deadline = time.monotonic() + 60  # a guard, not a speed target
        while True:  # the testnet's market starts with its first user: print until it is heard
            sim.push_trade("BTCUSDT", testnet_price, "0.001")
            try:
                heard = next_event(socket, "PRICE_UPDATE", timeout=1.0, symbol="BTCUSDT")
                if Decimal(heard["price"]) == testnet_price:
                    break
            except (AssertionError, TimeoutError):
                assert time.monotonic() < deadline, "the testnet's print never reached the socket"
        ticker = http.get("/api/market/ticker", params={"symbol": "BTCUSDT"}, headers=bearer(token)).json()
        assert Decimal(ticker["lastPrice"]) == testnet_price  # REST market data: the same market
        anonymous = http.get("/api/market/ticker", params={"symbol": "BTCUSDT"}).json()
        assert Decimal(anonymous["lastPrice"]) != testnet_price  # the app's own (synthetic) feed

        placed = http.post("/api/trading/orders", headers=bearer(token), json={
            "symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": 0.001})
        assert placed.status_code == 201, placed.text
        next_event(socket, "ORDER_UPDATE", orderId=placed.json()["orderId"], status="FILLED")
    on_the_exchange = sim.account(key.api_key)["orders"]
    assert [o["orderId"] for o in on_the_exchange] == [placed.json()["orderId"]]


def test_the_event_socket_answers_at_both_paths_and_refuses_a_bad_token(platform, http):
    base_url, _ = platform
    token = register(http, "original-5@example.com")["token"]
    for path in ("/prices", "/ws/prices"):
        with connect(events_url(base_url, token, path)) as socket:
            assert next_event(socket, "CONNECTED")["message"] == "Connected to trading platform"
    with connect(events_url(base_url, "not-a-token")) as socket, pytest.raises(Exception) as closed:
        socket.recv(timeout=10)
    assert getattr(closed.value, "rcvd", None) is not None and closed.value.rcvd.code == 4401
