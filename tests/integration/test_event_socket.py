"""The event socket over a real connection: prices, order updates from REST orders,
subscriptions, and closing with 4401 when the session ends or the token expires."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from tests.support.live_api import live_api, settings_for

PASSWORD = "violet-harbour-42"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("socket"), NUMATIX_SESSION_TTL_SECONDS="60")
    with live_api(settings) as base_url:
        yield base_url


async def sign_up(base_url: str, http: httpx.AsyncClient, email: str) -> str:
    response = await http.post(f"{base_url}/api/auth/register", json={"email": email, "password": PASSWORD})
    return response.json()["token"]


def socket_url(base_url: str, token: str, symbols: str | None = None) -> str:
    url = base_url.replace("http://", "ws://") + f"/ws/prices?token={token}"
    return url + (f"&symbols={symbols}" if symbols else "")


async def next_of(connection, kind: str, timeout: float = 10.0, **matching) -> dict:
    async def find():
        while True:
            received = json.loads(await connection.recv())
            if received["type"] == kind and all(received["data"].get(k) == v for k, v in matching.items()):
                return received["data"]
    return await asyncio.wait_for(find(), timeout)


async def test_a_bad_token_is_refused_with_4401(server):
    async with websockets.connect(socket_url(server, "not-a-token")) as connection:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await connection.recv()
    assert closed.value.rcvd.code == 4401


async def test_prices_then_an_order_placed_over_rest_arrives_as_order_update(server):
    async with httpx.AsyncClient(timeout=10) as http:
        token = await sign_up(server, http, "socket-1@example.com")
        async with websockets.connect(socket_url(server, token, "BTCUSDT")) as connection:
            connected = await next_of(connection, "CONNECTED")
            assert connected["symbols"] == ["BTCUSDT"] and connected["email"] == "socket-1@example.com"
            price = await next_of(connection, "PRICE_UPDATE")
            assert price["symbol"] == "BTCUSDT" and set(price) >= {"symbol", "price", "timestamp"}
            placed = (await http.post(f"{server}/api/trading/orders", headers={"Authorization": f"Bearer {token}"},
                                      json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                            "quantity": "0.001"})).json()
            update = await next_of(connection, "ORDER_UPDATE", orderId=placed["orderId"], status="FILLED")
            assert set(update) >= {"orderId", "status", "symbol", "side", "quantity", "price"}
            assert update["symbol"] == "BTCUSDT" and update["side"] == "BUY"
            balances = await next_of(connection, "BALANCE_UPDATE")
            assert {b["asset"] for b in balances["balances"]} >= {"BTC", "USDT"}

            await connection.send(json.dumps({"type": "SUBSCRIBE", "symbols": ["ethusdt", "DOGEUSDT"]}))
            subscribed = await next_of(connection, "SUBSCRIBED")
            assert subscribed == {"symbols": ["BTCUSDT", "ETHUSDT"], "unknown": ["DOGEUSDT"]}
            assert (await next_of(connection, "PRICE_UPDATE", symbol="ETHUSDT"))["price"]
            await connection.send("nonsense")
            assert "JSON" in (await next_of(connection, "ERROR"))["message"]
            await connection.send(json.dumps({"type": "PING"}))
            await next_of(connection, "PONG")


async def test_log_out_closes_the_socket_with_4401_and_others_stay_open(server):
    async with httpx.AsyncClient(timeout=10) as http:
        token = await sign_up(server, http, "socket-2@example.com")
        other = (await http.post(f"{server}/api/auth/login",
                                 json={"email": "socket-2@example.com", "password": PASSWORD})).json()["token"]
        async with websockets.connect(socket_url(server, token)) as leaving, \
                websockets.connect(socket_url(server, other)) as staying:
            await next_of(leaving, "CONNECTED")
            await next_of(staying, "CONNECTED")
            await http.post(f"{server}/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await next_of(leaving, "NEVER")
            assert closed.value.rcvd.code == 4401
            assert (await next_of(staying, "PRICE_UPDATE"))["symbol"]


async def test_an_expired_token_closes_the_socket_with_4401(tmp_path):
    settings = settings_for(tmp_path, NUMATIX_SESSION_TTL_SECONDS="60")
    with live_api(settings) as base_url:
        async with httpx.AsyncClient(timeout=10) as http:
            token = await sign_up(base_url, http, "socket-3@example.com")
        from numatix.api import socket as event_socket
        original = event_socket.time.time
        event_socket.time.time = lambda: original() + 59.5  # the token has half a second left
        try:
            async with websockets.connect(socket_url(base_url, token)) as connection:
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await next_of(connection, "NEVER", timeout=5)
        finally:
            event_socket.time.time = original
    assert closed.value.rcvd.code == 4401
