"""A Binance user's page reads cost request weight once: after that, the user data stream's
reports keep them current. Counted on the simulator, which charges Binance's weights (an
all-symbol read asks every configured symbol: allOrders 20, myTrades 20; openOrders asks
once without a symbol, 80, not 6 a symbol)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal as D

import pytest

from numatix.domain.credentials import VenueChoice
from numatix.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.events import ExecutionReport, VenueEvent
from numatix.domain.requests import OrderRequest
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.exchange.binance import BinanceVenue
from numatix.market.hub import MarketHub
from numatix.services.market_data import MarketDataService
from numatix.services.user_venues import UserVenues
from numatix.services.venue_router import VenueRouter
from tests.integration.test_binance_venue_support import FAST, PRICE, SYMBOL, WAIT_SECONDS, simulator  # noqa: F401
from tests.unit.exchange.helpers import make_exchange
from tests.unit.market.fakes import ScriptedFeed

pytestmark = pytest.mark.asyncio(loop_scope="module")
USER = 41
SYMBOLS = tuple(DEFAULT_SYMBOLS)  # the app's configured symbols: every one costs weight on an all-symbol read


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


async def page_reads(router: VenueRouter) -> tuple:
    """What a page showing "All symbols" reads on each reload (AccountState._read_all)."""
    return (await router.open_orders(USER), await router.all_orders(USER, None, 200, None, False),
            await router.my_trades(USER), await router.balances(USER))


async def test_after_the_first_load_a_fill_and_a_cancel_cost_no_weight_to_read_again(simulator) -> None:
    sim = simulator
    sim.push_trade(SYMBOL, str(PRICE), "0.001")
    key = replace(sim.create_key(), user_id=USER)  # a stored key names its app user
    venue = BinanceVenue(sim.rest_url, sim.ws_api_url, SYMBOLS, options=FAST)
    app_market = MarketDataService(MarketHub(ScriptedFeed(SYMBOLS)))
    venues = UserVenues(lambda _user: (VenueChoice.BINANCE_TESTNET, key), app_market,
                        lambda: ScriptedFeed(SYMBOLS))
    router = VenueRouter(make_exchange(), venue, venues)
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
