"""The event socket's prices: a socket starts with the newest price and never misses the last one.

On a quiet market (the testnet prints only now and then) a print that came before the socket
was listening, or between its opening and its subscription, may be the last for minutes: the
socket must still say it.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from numatix.api.socket import PriceBroadcaster, SocketSession, _handle
from numatix.services.market_data import MarketDataService
from tests.unit.market.fakes import running_hub, trade

GUARD = 10.0  # only so a missing price fails the test instead of hanging it


@pytest.fixture
async def market():
    async for feed, hub in running_hub():
        yield feed, MarketDataService(hub)


def session_for(*symbols: str) -> SocketSession:
    return SocketSession(websocket=None, user_id=1, session_id="s", symbols=set(symbols))  # type: ignore[arg-type]


def price_waiting(session: SocketSession, symbol: str) -> str | None:
    text = session.prices.get(symbol)
    return json.loads(text)["data"]["price"] if text is not None else None


async def until_price(session: SocketSession, symbol: str, price: str) -> None:
    async def wait() -> None:
        while price_waiting(session, symbol) != price:
            await asyncio.sleep(0.01)
    await asyncio.wait_for(wait(), GUARD)


async def test_a_socket_starts_with_the_newest_price_printed_before_it_opened(market):
    feed, service = market
    feed.sink.on_trade(trade(1, "101.5"))
    feed.sink.on_trade(trade(2, "102.25"))
    session = session_for("BTCUSDT")
    PriceBroadcaster(service).attach(session)
    assert price_waiting(session, "BTCUSDT") == "102.25"
    assert price_waiting(session, "ETHUSDT") is None  # never traded: nothing to say


async def test_a_print_right_after_attaching_reaches_the_socket(market):
    """The print lands before the broadcaster's task has run once: it must still be heard."""
    feed, service = market
    feed.sink.on_trade(trade(1, "100"))
    session = session_for("BTCUSDT")
    PriceBroadcaster(service).attach(session)
    session.prices.clear()  # as if the opening price was sent
    feed.sink.on_trade(trade(2, "103.75"))
    await until_price(session, "BTCUSDT", "103.75")


async def test_a_second_socket_on_a_running_broadcaster_gets_the_newest_price_too(market):
    feed, service = market
    broadcaster = PriceBroadcaster(service)
    first = session_for("BTCUSDT")
    broadcaster.attach(first)
    feed.sink.on_trade(trade(1, "99.5"))
    await until_price(first, "BTCUSDT", "99.5")
    second = session_for("BTCUSDT")
    broadcaster.attach(second)
    assert price_waiting(second, "BTCUSDT") == "99.5"


async def test_a_burst_of_prints_ends_on_the_last_price(market):
    feed, service = market
    session = session_for("BTCUSDT")
    PriceBroadcaster(service).attach(session)
    for n in range(1, 200):
        feed.sink.on_trade(trade(n, f"{100 + n}"))
        if n % 7 == 0:
            await asyncio.sleep(0)
    await until_price(session, "BTCUSDT", "299")


async def test_subscribing_to_a_symbol_sends_its_newest_price(market):
    feed, service = market
    feed.sink.on_trade(trade(1, "2500", symbol="ETHUSDT"))
    broadcaster = PriceBroadcaster(service)
    session = session_for("BTCUSDT")
    broadcaster.attach(session)
    assert price_waiting(session, "ETHUSDT") is None
    _handle(session, broadcaster, json.dumps({"type": "SUBSCRIBE", "symbols": ["ETHUSDT"]}))
    assert price_waiting(session, "ETHUSDT") == "2500"
