"""Issue 14 part 9: nothing a client sends on /ws/prices stops the server reading it or
closes it without a word. Before: one binary frame stopped the reading (no more PONG, the
socket left open); a 100k-deep or 16 MB message closed it with 1005 and no reason."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
import websockets

from tests.support.live_api import live_api, settings_for

PASSWORD = "violet-harbour-42"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_api(settings_for(tmp_path_factory.mktemp("robust"))) as base_url:
        yield base_url


@pytest.fixture
async def socket_url(server):
    async with httpx.AsyncClient(timeout=30) as http:
        token = (await http.post(f"{server}/api/auth/register", json={
            "email": f"r-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD})).json()["token"]
    return server.replace("http://", "ws://") + f"/ws/prices?token={token}&symbols=BTCUSDT"


async def next_of(connection, kind: str) -> dict:
    async def find():
        while True:
            received = json.loads(await connection.recv())
            if received["type"] == kind:
                return received["data"]
    return await asyncio.wait_for(find(), 30)


async def test_a_binary_frame_gets_an_error_and_the_socket_keeps_reading(socket_url):
    async with websockets.connect(socket_url) as connection:
        await next_of(connection, "CONNECTED")
        for frame in (b"\x00\x01binary", b'{"type": "PING"}', "not json", "[]", '{"type": "SUBSCRIBE"}',
                      '{"type": "SUBSCRIBE", "symbols": [{"a": 1}, null, 7]}', '"x"', "1e999"):
            await connection.send(frame)
        errors = [await next_of(connection, "ERROR") for _ in range(2)]
        assert "Binary frames are not read" in errors[0]["message"]
        await connection.send(json.dumps({"type": "PING"}))
        assert "timestamp" in await next_of(connection, "PONG")
        await connection.send(json.dumps({"type": "SUBSCRIBE", "symbols": ["ETHUSDT"]}))
        subscribed = await next_of(connection, "SUBSCRIBED")
        assert "BTCUSDT" in subscribed["symbols"]


@pytest.mark.parametrize("payload, reason", [
    ("x" * (16 * 1000 * 1000), "message too big"),
    ("[" * 100_000, "message too big"),
    ("[" * 30_000, "message nested too deeply"),  # 30 KB: small enough to be parsed
    ('{"type": "PING", "pad": "' + "y" * 70_000 + '"}', "message too big"),
])
async def test_a_huge_or_deep_message_closes_with_1009_and_says_why(socket_url, payload, reason):
    async with websockets.connect(socket_url, max_size=None) as connection:
        await next_of(connection, "CONNECTED")
        await connection.send(payload)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(connection.recv(), 60)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009 and closed.value.rcvd.reason.startswith(reason)


def plain_url(socket_url: str) -> tuple[str, str]:
    """(the socket's URL without its token, the token)."""
    base, _, query = socket_url.partition("?")
    token = dict(part.split("=", 1) for part in query.split("&"))["token"]
    return base + "?symbols=BTCUSDT", token


async def test_the_token_may_come_as_a_subprotocol_kept_out_of_urls_and_logs(socket_url):
    url, token = plain_url(socket_url)
    async with websockets.connect(url, subprotocols=["numatix", f"bearer.{token}"]) as connection:
        assert connection.subprotocol == "numatix"
        assert (await next_of(connection, "CONNECTED"))["symbols"] == ["BTCUSDT"]


async def test_the_token_may_come_in_a_first_auth_message(socket_url):
    url, token = plain_url(socket_url)
    async with websockets.connect(url) as connection:
        await connection.send(json.dumps({"type": "AUTH", "token": token}))
        assert (await next_of(connection, "CONNECTED"))["symbols"] == ["BTCUSDT"]
        await connection.send(json.dumps({"type": "PING"}))
        await next_of(connection, "PONG")


@pytest.mark.parametrize("first", [
    {"type": "AUTH", "token": "not-a-token"}, {"type": "PING"}, {"type": "AUTH"}, "not json", b"\x00",
])
async def test_anything_but_a_good_auth_first_is_refused_with_4401(socket_url, first):
    url, _ = plain_url(socket_url)
    async with websockets.connect(url) as connection:
        await connection.send(first if isinstance(first, (str, bytes)) else json.dumps(first))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(connection.recv(), 30)
    assert closed.value.rcvd.code == 4401
