"""Every injectable fault, seen from a client over real sockets (and set both through the
test API and through ``/sim/admin/faults``)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
import websockets

from numatix.exchange.binance.signing import signer_for, ws_payload
from numatix.sim.testing import SignedClient, running_simulator

QTY = "0.00100000"
MARKET_BUY = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": QTY}


@pytest.fixture
async def sim():
    async with running_simulator(symbols=("BTCUSDT",), history_days=1) as running:
        yield running


@pytest.fixture
async def client(sim):
    async with SignedClient(sim.rest_url, sim.create_key("hmac")) as signed:
        yield signed


async def orders_of(sim, client) -> list:
    return (await sim.account_of(client.credentials.api_key)).orders


async def test_latency_delays_every_reply(sim, client):
    sim.faults.set_latency(300)
    started = time.monotonic()
    response = await client.public("GET", "ping")
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3  # a lower bound the simulator guarantees: load only adds to it
    sim.faults.set_latency(0)


async def test_failing_requests_answer_5xx_and_execute_nothing(sim, client):
    sim.faults.fail_next(2)
    first = await client.signed("POST", "order", MARKET_BUY)
    second = await client.public("GET", "time")
    third = await client.public("GET", "time")
    assert (first.status_code, first.json()["code"]) == (503, -1001)
    assert first.json()["msg"] == "Internal error; unable to process your request. Please try again."
    assert second.status_code == 503 and third.status_code == 200
    assert await orders_of(sim, client) == []
    sim.faults.fail_next(1, status=500)
    unknown = await client.public("GET", "ping")
    assert (unknown.status_code, unknown.json()["code"]) == (500, -1000)


@pytest.mark.parametrize("status", [429, 418])
async def test_throttled_requests_carry_retry_after(sim, client, status):
    sim.faults.throttle_next(1, retry_after=3, status=status)
    throttled = await client.public("GET", "ping")
    assert (throttled.status_code, throttled.json()["code"]) == (status, -1003)
    assert throttled.headers["Retry-After"] == "3"
    assert (await client.public("GET", "ping")).status_code == 200


async def test_clock_skew_gives_1021_until_the_client_resyncs(sim, client):
    sim.faults.skew_clock(20_000)
    refused = await client.signed("GET", "account")
    assert refused.json()["code"] == -1021
    server_time = (await client.public("GET", "time")).json()["serverTime"]
    offset = server_time - time.time_ns() // 1_000_000
    assert offset > 15_000
    resynced = await client.signed("GET", "account", timestamp_ms=time.time_ns() // 1_000_000 + offset)
    assert resynced.status_code == 200


async def test_a_lost_order_reply_is_5xx_but_the_order_stands(sim, client):
    sim.faults.lose_next_order_reply("error")
    lost = await client.signed("POST", "order", {**MARKET_BUY, "newClientOrderId": "lost-1"})
    assert (lost.status_code, lost.json()) == (503, {
        "code": -1007,
        "msg": "Timeout waiting for response from backend server. "
               "Send status unknown; execution status unknown."})
    found = await client.signed("GET", "order", {"symbol": "BTCUSDT", "origClientOrderId": "lost-1"})
    assert found.json()["status"] == "FILLED"
    after = await client.signed("POST", "order", MARKET_BUY)
    assert after.status_code == 200, after.text  # one reply lost, not all


async def test_a_hung_order_reply_times_the_client_out_but_the_order_stands(sim, client):
    sim.faults.lose_next_order_reply("hang")
    with pytest.raises(httpx.ReadTimeout):
        await client.signed("POST", "order", {**MARKET_BUY, "newClientOrderId": "hung-1"}, timeout=0.5)
    found = await client.signed("GET", "order", {"symbol": "BTCUSDT", "origClientOrderId": "hung-1"})
    assert found.json()["status"] == "FILLED"


async def test_dropping_streams_closes_every_socket(sim, client):
    credentials = client.credentials
    listen_key = (await client.http.post("/api/v3/userDataStream",
                                         headers={"X-MBX-APIKEY": credentials.api_key})).json()["listenKey"]
    async with websockets.connect(f"{sim.stream_url}/ws/btcusdt@trade") as market, \
            websockets.connect(f"{sim.stream_url}/ws/{listen_key}") as user, \
            websockets.connect(sim.ws_api_url) as api:
        params = {"apiKey": credentials.api_key, "timestamp": time.time_ns() // 1_000_000}
        params["signature"] = signer_for(credentials).sign(ws_payload(params))
        await api.send(json.dumps({"id": 1, "method": "userDataStream.subscribe.signature",
                                   "params": params}))
        assert json.loads(await api.recv())["status"] == 200
        assert sim.faults.drop_streams() == 3
        for socket in (market, user, api):
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(socket.recv(), 3)


async def test_admin_endpoint_sets_faults_makes_keys_and_prints_trades(sim):
    async with httpx.AsyncClient(base_url=sim.rest_url) as http:
        made = (await http.post("/sim/admin/keys", json={"kind": "ed25519"})).json()
        assert made["kind"] == "ED25519" and made["privateKey"].startswith("-----BEGIN PRIVATE KEY-----")
        state = (await http.post("/sim/admin/faults", json={"fail_next": 1, "fail_status": 502})).json()
        assert (state["fail_next"], state["fail_status"]) == (1, 502)
        assert (await http.get("/api/v3/ping")).status_code == 502
        assert (await http.get("/api/v3/ping")).status_code == 200
        await http.post("/sim/admin/faults", json={"throttle_next": 1, "retry_after": 2})
        assert (await http.get("/api/v3/ping")).status_code == 429
        await http.post("/sim/admin/faults", json={"skew_ms": 5000})
        assert sim.simulator.faults.skew_ms == 5000
        cleared = (await http.post("/sim/admin/faults", json={"clear": True})).json()
        assert cleared["skew_ms"] == 0 and cleared["fail_next"] == 0
        trade = (await http.post("/sim/admin/trades",
                                 json={"symbol": "BTCUSDT", "price": "91000", "qty": "2"})).json()
        assert trade["price"] == "91000.00000000"
        assert str(sim.last_price("BTCUSDT")) == "91000"
        account = (await http.get(f"/sim/admin/accounts/{made['apiKey']}")).json()
        assert {row["asset"]: row["free"] for row in account["balances"]}["USDT"] == "10000.00000000"
        bad = await http.post("/sim/admin/trades", json={"symbol": "BTCUSDT"})
        assert bad.status_code == 400
