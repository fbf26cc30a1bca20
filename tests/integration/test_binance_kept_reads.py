"""A Binance user's page reads cost request weight once: after that, the user data stream's
reports keep them current. Counted on the simulator, which charges Binance's weights (an
all-symbol read asks every configured symbol: allOrders 20, myTrades 20; openOrders asks
once without a symbol, 80, not 6 a symbol)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from decimal import Decimal as D

import pytest
import pytest_asyncio

from numatix.domain.credentials import VenueChoice
from numatix.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.events import ExecutionReport, VenueEvent
from numatix.domain.requests import OrderRequest
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.exchange.binance import BinanceVenue, user_stream
from numatix.market.hub import MarketHub
from numatix.services.market_data import MarketDataService
from numatix.services.user_venues import UserVenues
from numatix.services.venue_router import VenueRouter
from numatix.sim.testing import running_simulator
from tests.integration.test_binance_venue_support import FAST, PRICE, SYMBOL, WAIT_SECONDS
from tests.unit.exchange.helpers import make_exchange
from tests.unit.market.fakes import ScriptedFeed

pytestmark = pytest.mark.asyncio(loop_scope="module")
USER = 41
SYMBOLS = tuple(DEFAULT_SYMBOLS)  # the app's configured symbols: every one costs weight on an all-symbol read
# A new user's key check, stream start, first "All symbols" page load and a minute of that page
# open (a reload every 2 s), of the 6000 a minute one IP may spend: a few colleagues fit. The
# first load alone is about 900 (allOrders and myTrades, 20 each, for each of the 20 symbols).
NEW_USER_BUDGET = 1500
# A reconnect's catch-up, with fills on two symbols and an order on a third missed: it used
# to read every symbol's open orders and trades (20 x 26 = 520) and the account.
RECONNECT_BUDGET = 300


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def simulator() -> AsyncIterator[object]:
    """The weight is counted here, not limited: the limit is per minute, and this module's tests
    (with the fresh reads that check their answers) spend more than 6000 within one."""
    async with running_simulator(weight_limit=1_000_000) as sim:
        yield sim


class WeightMeter:
    """Every unit of request weight the simulator charges, whatever the minute window says."""

    def __init__(self, sim) -> None:
        self.spent = 0
        weight = sim.simulator.weight
        spend, refund = weight.spend, weight.refund

        def counted_spend(ip: str, amount: int) -> int:
            self.spent += amount
            return spend(ip, amount)

        def counted_refund(ip: str, amount: int) -> None:
            self.spent -= amount
            refund(ip, amount)

        weight.spend, weight.refund = counted_spend, counted_refund


class Clock:
    """The router's clock: the page's minute passes without the test waiting for it."""

    now = 1_000.0

    def __call__(self) -> float:
        return self.now


class Reconnects:
    """Holds the venue's stream reconnects back while ``closed``: what happens then is missed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.open = asyncio.Event()
        self.open.set()
        connect = user_stream.connect
        reconnects = self

        class Held:
            def __init__(self, *args, **kwargs) -> None:
                self._args, self._kwargs = args, kwargs

            async def __aenter__(self):
                await reconnects.open.wait()
                self._inner = connect(*self._args, **self._kwargs)
                return await self._inner.__aenter__()

            async def __aexit__(self, *exc_info):
                return await self._inner.__aexit__(*exc_info)

        monkeypatch.setattr(user_stream, "connect", Held)


def binance_router(sim, key, clock: Callable[[], float] | None = None) -> tuple[BinanceVenue, VenueRouter]:
    """The app's router for a user who saved ``key`` and chose Binance Spot Testnet."""
    venue = BinanceVenue(sim.rest_url, sim.ws_api_url, SYMBOLS, options=FAST)
    app_market = MarketDataService(MarketHub(ScriptedFeed(SYMBOLS)))
    venues = UserVenues(lambda _user: (VenueChoice.BINANCE_TESTNET, key), app_market,
                        lambda: ScriptedFeed(SYMBOLS))
    return venue, VenueRouter(make_exchange(), venue, venues, **({"clock": clock} if clock else {}))


async def until(condition: Callable[[], bool]) -> None:
    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.02)
    await asyncio.wait_for(wait(), WAIT_SECONDS)


async def page_reads(router: VenueRouter) -> tuple:
    """What a page showing "All symbols" reads on each reload (AccountState._read_all)."""
    return (await router.open_orders(USER), await router.all_orders(USER, None, 200, None, False),
            await router.my_trades(USER), await router.balances(USER))


async def test_after_the_first_load_a_fill_and_a_cancel_cost_no_weight_to_read_again(simulator) -> None:
    sim = simulator
    sim.push_trade(SYMBOL, str(PRICE), "0.001")
    key = replace(sim.create_key(), user_id=USER)  # a stored key names its app user
    venue, router = binance_router(sim, key)
    heard: list[VenueEvent] = []
    router.add_listener(heard.append)

    async def hear(condition: Callable[[ExecutionReport], bool]) -> None:
        async def wait() -> None:
            while not any(isinstance(e, ExecutionReport) and condition(e) for e in heard):
                await asyncio.sleep(0.02)
        await asyncio.wait_for(wait(), WAIT_SECONDS)

    try:
        higher, lower = [await router.submit(USER, OrderRequest(
            SYMBOL, Side.BUY, OrderType.LIMIT, quantity=D("0.002"), price=PRICE - below,
            time_in_force=TimeInForce.GTC)) for below in (100, 200)]
        await hear(lambda e: e.venue_order_id == lower.venue_order_id)
        meter = WeightMeter(sim)
        await page_reads(router)
        first_load = meter.spent
        assert first_load >= 80 + len(SYMBOLS) * (20 + 20)

        sim.push_trade(SYMBOL, str(PRICE - 150), "1")  # through the higher buy only
        await hear(lambda e: e.venue_order_id == higher.venue_order_id and e.status is OrderStatus.FILLED)
        await router.cancel(USER, SYMBOL, venue_order_id=lower.venue_order_id)
        await hear(lambda e: e.venue_order_id == lower.venue_order_id and e.status is OrderStatus.CANCELED)
        await asyncio.sleep(0.2)  # the balance updates that follow them
        before_reload = meter.spent
        open_orders, history, trades, balances = await page_reads(router)
        assert meter.spent == before_reload  # the reload after a fill and a cancel: no weight at all

        assert open_orders == []
        assert {(o.venue_order_id, o.status) for o in history} == {
            (higher.venue_order_id, OrderStatus.FILLED), (lower.venue_order_id, OrderStatus.CANCELED)}
        assert trades == await venue.my_trades(key)  # what a new read shows, fill for fill
        assert balances == await venue.balances(key)
        assert [(o.venue_order_id, o.status, o.executed_quantity, o.cumulative_quote) for o in history] == [
            (o.venue_order_id, o.status, o.executed_quantity, o.cumulative_quote)
            for o in await venue.all_orders(key, None, 200, None, False)]
    finally:
        await router.close()


async def test_a_new_users_sign_up_first_page_and_a_minute_of_it_stay_within_budget(simulator) -> None:
    """Was 5224 on 20 symbols: the stream's start read every symbol's trades and open orders
    (520), the first page was read again once the stream was up (1463 in all) and the page
    re-read everything every 15 s (3740 a minute)."""
    sim, clock = simulator, Clock()
    key = replace(sim.create_key(), user_id=USER + 1)
    venue, router = binance_router(sim, key, clock)
    try:
        await venue.exchange_info()  # loaded once for the app, whoever comes
        meter = WeightMeter(sim)
        await router.check_credentials(key)  # saving the key
        first_page = await page_reads(router)
        for _ in range(30):  # a minute of the page open: its reloads every 2 s
            clock.now += 2
            assert await page_reads(router) == first_page
        spent = meter.spent
        assert spent <= NEW_USER_BUDGET, f"{spent} weight"
        open_orders, history, trades, balances = first_page
        assert balances == await venue.balances(key) and balances["USDT"].free > 0  # and it is right
        assert open_orders == await venue.open_orders(key) and trades == await venue.my_trades(key)
        assert history == await venue.all_orders(key, None, 200, None, False)
    finally:
        await router.close()


async def test_fills_missed_while_the_stream_was_down_are_caught_up_within_budget(
        simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the user's stream is down: their resting BTC buy fills, another worker of the app
    (same key, its own venue) buys ETH at market and leaves a SOL buy resting. After the
    reconnect each is reported, each fill once, reading only where something happened; and
    the page shows what a fresh read shows, not what was kept before the drop."""
    sim = simulator
    reconnects = Reconnects(monkeypatch)
    for symbol, price in (("ETHUSDT", "3000"), ("SOLUSDT", "150")):
        sim.push_trade(symbol, price, "1")
    sim.push_trade(SYMBOL, str(PRICE), "0.001")
    key = replace(sim.create_key(), user_id=USER + 2)
    venue, router = binance_router(sim, key)
    other_worker = BinanceVenue(sim.rest_url, sim.ws_api_url, SYMBOLS, options=FAST)
    heard: list[ExecutionReport] = []
    router.add_listener(lambda event: heard.append(event) if isinstance(event, ExecutionReport) else None)
    try:
        resting = await router.submit(USER + 2, OrderRequest(
            SYMBOL, Side.BUY, OrderType.LIMIT, quantity=D("0.002"), price=PRICE - 100,
            time_in_force=TimeInForce.GTC))
        await until(lambda: any(e.venue_order_id == resting.venue_order_id for e in heard))
        await page_reads(router)  # kept

        reconnects.open.clear()
        assert sim.faults.drop_streams() >= 1
        await until(lambda: venue.listening(key) is None)
        sim.push_trade(SYMBOL, str(PRICE - 150), "1")  # through the resting buy
        eth = await other_worker.submit(key, OrderRequest("ETHUSDT", Side.BUY, OrderType.MARKET,
                                                          quantity=D("0.01")))
        sol = await other_worker.submit(key, OrderRequest(
            "SOLUSDT", Side.BUY, OrderType.LIMIT, quantity=D("1"), price=D("100"), time_in_force=TimeInForce.GTC))
        assert eth.status is OrderStatus.FILLED
        await asyncio.sleep(0.2)
        assert venue.listening(key) is None and not any(
            e.venue_order_id in (eth.venue_order_id, sol.venue_order_id) for e in heard)  # all missed so far

        meter = WeightMeter(sim)
        reconnects.open.set()
        await until(lambda: venue.listening(key) is not None)
        spent = meter.spent
        assert spent <= RECONNECT_BUDGET, f"{spent} weight"

        def statuses(report: ExecutionReport) -> list[OrderStatus]:
            return [e.status for e in heard if (e.symbol, e.venue_order_id) == (report.symbol, report.venue_order_id)]

        assert statuses(resting)[-1] is OrderStatus.FILLED
        assert statuses(eth) == [OrderStatus.NEW, OrderStatus.FILLED]
        assert statuses(sol) == [OrderStatus.NEW]
        streamed = sorted((e.symbol, e.trade_id) for e in heard if e.trade_id >= 0)
        assert streamed == sorted((f.symbol, f.trade_id) for f in await venue.my_trades(key))  # each once

        open_orders, history, trades, balances = await page_reads(router)
        assert [o.venue_order_id for o in open_orders] == [sol.venue_order_id]
        assert open_orders == await venue.open_orders(key) and trades == await venue.my_trades(key)
        assert balances == await venue.balances(key)
        assert [(o.symbol, o.venue_order_id, o.status) for o in history] == [
            (o.symbol, o.venue_order_id, o.status) for o in await venue.all_orders(key, None, 200, None, False)]
    finally:
        reconnects.open.set()
        await other_worker.close()
        await router.close()
