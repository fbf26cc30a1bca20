"""Self-trade prevention through the simulator, as a Binance client sees it: every mode Binance lists
is accepted and does what the STP FAQ says, in the order replies and in the user data stream."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest
import websockets

from numatix.sim.testing import SignedClient, running_simulator

WAIT = 30.0  # only so a message that never comes fails the test; not a speed target


@pytest.fixture
async def sim():
    async with running_simulator(symbols=("BTCUSDT",), history_days=1) as running:
        yield running


def price(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


async def receive(socket, accept):
    async def wait():
        while True:
            message = json.loads(await socket.recv())
            if accept(message):
                return message

    return await asyncio.wait_for(wait(), WAIT)


async def test_exchange_info_lists_every_mode_and_each_is_accepted(sim):
    async with SignedClient(sim.rest_url, sim.create_key("hmac")) as client:
        info = (await client.public("GET", "exchangeInfo", symbol="BTCUSDT")).json()["symbols"][0]
        modes = info["allowedSelfTradePreventionModes"]
        assert modes == ["NONE", "EXPIRE_MAKER", "EXPIRE_TAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER"]
        far = price(sim.last_price("BTCUSDT") * Decimal("0.9"))
        for mode in modes:
            placed = await client.signed(
                "POST",
                "order",
                {
                    "symbol": "BTCUSDT",
                    "side": "BUY",
                    "type": "LIMIT",
                    "timeInForce": "GTC",
                    "quantity": "0.001",
                    "price": far,
                    "selfTradePreventionMode": mode,
                },
            )
            assert placed.status_code == 200 and placed.json()["selfTradePreventionMode"] == mode
        wrong = await client.signed(
            "POST",
            "order",
            {
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.001",
                "price": far,
                "selfTradePreventionMode": "EXPIRE_NOBODY",
            },
        )
        assert wrong.json()["code"] == -1102


async def test_decrement_shows_in_the_replies_and_the_user_stream(sim):
    credentials = sim.create_key("hmac")
    last = sim.last_price("BTCUSDT")  # the quiet market's best bid is a tick below, its best ask a tick above
    async with SignedClient(sim.rest_url, credentials) as client:
        headers = {"X-MBX-APIKEY": credentials.api_key}
        listen_key = (await client.http.post("/api/v3/userDataStream", headers=headers)).json()["listenKey"]
        async with websockets.connect(f"{sim.stream_url}/ws/{listen_key}") as socket:
            await asyncio.sleep(0.05)
            maker = (
                await client.signed(
                    "POST",
                    "order",
                    {
                        "symbol": "BTCUSDT",
                        "side": "BUY",
                        "type": "LIMIT",
                        "timeInForce": "GTC",
                        "quantity": "0.006",
                        "price": price(last),
                    },
                )
            ).json()
            taker = (
                await client.signed(
                    "POST",
                    "order",
                    {
                        "symbol": "BTCUSDT",
                        "side": "SELL",
                        "type": "LIMIT",
                        "timeInForce": "GTC",
                        "quantity": "0.002",
                        "price": price(last),
                        "selfTradePreventionMode": "DECREMENT",
                        "newOrderRespType": "RESULT",
                    },
                )
            ).json()
            assert taker["status"] == "EXPIRED_IN_MATCH" and taker["executedQty"] == "0.00000000"
            assert taker["preventedQuantity"] == "0.00200000" and taker["preventedMatchId"] >= 0
            report = await receive(
                socket,
                lambda m: (
                    m.get("e") == "executionReport"
                    and m["x"] == "TRADE_PREVENTION"
                    and m["i"] == maker["orderId"]
                ),
            )
            assert (report["X"], report["v"], report["A"], report["B"], report["U"]) == (
                "NEW",
                taker["preventedMatchId"],
                "0.00200000",
                "0.00200000",
                taker["orderId"],
            )
            assert (report["pl"], report["pL"], report["Cs"]) == (
                "0.00200000",
                price(last) + "000000",
                "BTCUSDT",
            )
        state = (
            await client.signed("GET", "order", {"symbol": "BTCUSDT", "orderId": maker["orderId"]})
        ).json()
        assert (state["status"], state["preventedQuantity"]) == ("NEW", "0.00200000")
        account = (await client.signed("GET", "account")).json()
        usdt = next(row for row in account["balances"] if row["asset"] == "USDT")
        assert Decimal(usdt["locked"]) == Decimal("0.004") * Decimal(price(last))  # only what is left to buy
