"""The Binance venue under the simulator's faults: each one survived without a lost, doubled
or phantom order or fill."""

from __future__ import annotations

import asyncio
from decimal import Decimal as D

import pytest

from numatix.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.errors import OrderRejected, TransientVenueError
from numatix.domain.requests import OrderRequest
from tests.integration.test_binance_venue_support import PRICE, SYMBOL, Trader, simulator, trader  # noqa: F401

pytestmark = pytest.mark.asyncio(loop_scope="module")


def market(client_order_id: str | None = None) -> OrderRequest:
    return OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, quantity=D("0.001"), client_order_id=client_order_id)


def resting_buy(price: D, client_order_id: str | None = None) -> OrderRequest:
    return OrderRequest(SYMBOL, Side.BUY, OrderType.LIMIT, quantity=D("0.001"), price=price,
                        time_in_force=TimeInForce.GTC, client_order_id=client_order_id)


async def orders_named(trader: Trader, client_order_id: str) -> list:
    view = await trader.sim.account_of(trader.account.api_key)
    return [order for order in view.orders if order.client_order_id == client_order_id]


async def reconnected(trader: Trader, connections_before: int) -> None:
    async def wait() -> None:
        while trader.venue.stream_connections(trader.account) <= connections_before:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(wait(), 10)


async def test_latency_slows_but_does_not_break_anything(trader: Trader) -> None:
    trader.sim.faults.set_latency(250)
    report = await trader.venue.submit(trader.account, market())
    assert report.status is OrderStatus.FILLED
    await trader.fills_of(report.client_order_id, D("0.001"))
    view = await trader.sim.account_of(trader.account.api_key)
    assert (await trader.venue.balances(trader.account))["BTC"].free == view.balances["BTC"].free > 1


async def test_server_errors_on_reads_are_retried(trader: Trader) -> None:
    trader.sim.faults.fail_next(2, status=503)
    assert (await trader.venue.balances(trader.account))["USDT"].free == D("10000")


async def test_a_server_error_on_an_order_is_looked_up_not_resent(trader: Trader) -> None:
    trader.sim.faults.fail_next(1, status=502)  # the simulator refuses before executing
    with pytest.raises(OrderRejected, match="not placed"):
        await trader.venue.submit(trader.account, market("after-502"))
    assert await orders_named(trader, "after-502") == []
    report = await trader.venue.submit(trader.account, market("after-502"))  # safe to send again, by the user
    assert report.status is OrderStatus.FILLED
    assert len(await orders_named(trader, "after-502")) == 1


async def test_a_read_waits_out_retry_after(trader: Trader, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # the client's own sleep, recorded (real time still passes)
        waits.append(seconds)
        await asyncio.sleep(seconds)

    monkeypatch.setattr(trader.venue.client, "_sleep", sleep)
    trader.sim.faults.throttle_next(1, retry_after=1)
    assert await trader.venue.open_orders(trader.account, SYMBOL) == []
    assert waits == [1]  # exactly what Binance said, before going again: no sooner, no guessing


async def test_a_throttled_order_is_refused_with_retry_after_and_not_placed(trader: Trader) -> None:
    trader.sim.faults.throttle_next(1, retry_after=1)
    with pytest.raises(TransientVenueError) as throttled:
        await trader.venue.submit(trader.account, market("throttled"))
    assert throttled.value.retry_after == 1
    assert await orders_named(trader, "throttled") == []
    with pytest.raises(TransientVenueError):  # refused here until Retry-After has passed
        await trader.venue.submit(trader.account, market("throttled"))
    assert await orders_named(trader, "throttled") == []
    await asyncio.sleep(throttled.value.retry_after)
    report = await trader.venue.submit(trader.account, market("throttled"))
    assert report.status is OrderStatus.FILLED
    assert len(await orders_named(trader, "throttled")) == 1


@pytest.mark.parametrize("skew_ms", [4_000, -4_000])
async def test_clock_skew_on_rest_is_healed_by_a_resync(trader: Trader, skew_ms: int) -> None:
    trader.sim.faults.skew_clock(skew_ms)
    report = await trader.venue.submit(trader.account, market(f"skew{skew_ms}".replace("-", "m")))
    assert report.status is OrderStatus.FILLED
    assert len(await orders_named(trader, report.client_order_id)) == 1
    assert abs(trader.venue.client.clock.offset_ms - skew_ms) < 500
    await trader.fills_of(report.client_order_id, D("0.001"))


async def test_clock_skew_on_the_stream_resubscription_is_healed_too(trader: Trader) -> None:
    trader.sim.faults.skew_clock(-4_000)
    connections = trader.venue.stream_connections(trader.account)
    assert trader.sim.faults.drop_streams() >= 1  # the stream signs its subscribe before REST has resynced
    await reconnected(trader, connections)
    assert abs(trader.venue.client.clock.offset_ms + 4_000) < 500
    report = await trader.venue.submit(trader.account, market())
    await trader.fills_of(report.client_order_id, D("0.001"))


async def test_fills_while_the_stream_is_down_arrive_once_after_reconnect(trader: Trader) -> None:
    first = await trader.venue.submit(trader.account, resting_buy(PRICE - 10))
    second = await trader.venue.submit(trader.account, resting_buy(PRICE - 20))
    await trader.until(lambda events: OrderStatus.NEW in trader.statuses(second.client_order_id, events))
    connections = trader.venue.stream_connections(trader.account)
    assert trader.sim.faults.drop_streams() >= 1
    trader.sim.push_trade(SYMBOL, str(PRICE - 30), "0.01")  # fills both before the stream is back
    await trader.fills_of(first.client_order_id, D("0.001"))
    await trader.fills_of(second.client_order_id, D("0.001"))
    assert trader.venue.stream_connections(trader.account) > connections
    # A fill after the reconnect comes over the stream, and nothing above is told again:
    third = await trader.venue.submit(trader.account, resting_buy(PRICE - 40))
    trader.sim.push_trade(SYMBOL, str(PRICE - 50), "0.01")
    await trader.fills_of(third.client_order_id, D("0.001"))
    for report in (first, second):
        assert trader.statuses(report.client_order_id).count(OrderStatus.FILLED) == 1
    trades = [fill.trade_id for fill in await trader.venue.my_trades(trader.account, SYMBOL)]
    streamed = [e.trade_id for e in trader.events if getattr(e, "trade_id", -1) >= 0]
    assert sorted(streamed) == sorted(trades)


async def test_repeated_drops_lose_and_double_nothing(trader: Trader) -> None:
    placed = []
    for step in range(3):
        placed.append(await trader.venue.submit(trader.account, resting_buy(PRICE - 10 - step)))
        connections = trader.venue.stream_connections(trader.account)
        assert trader.sim.faults.drop_streams() >= 1
        trader.sim.push_trade(SYMBOL, str(PRICE - 10 - step), "0.001")
        await reconnected(trader, connections)
    for report in placed:
        await trader.fills_of(report.client_order_id, D("0.001"))
    trades = [fill.trade_id for fill in await trader.venue.my_trades(trader.account, SYMBOL)]
    streamed = [e.trade_id for e in trader.events if getattr(e, "trade_id", -1) >= 0]
    assert sorted(streamed) == sorted(trades) and len(trades) == 3


@pytest.mark.parametrize("mode", ["error", "hang"])
async def test_a_lost_order_reply_is_resolved_to_exactly_one_order(trader: Trader, mode: str) -> None:
    trader.sim.faults.lose_next_order_reply(mode, hold_seconds=5)
    client_order_id = f"lost-{mode}"
    report = await trader.venue.submit(trader.account, market(client_order_id))
    assert (report.client_order_id, report.status) == (client_order_id, OrderStatus.FILLED)
    assert len(await orders_named(trader, client_order_id)) == 1
    await trader.fills_of(client_order_id, D("0.001"))


async def test_a_lost_reply_for_a_resting_order(trader: Trader) -> None:
    trader.sim.faults.lose_next_order_reply("error")
    report = await trader.venue.submit(trader.account, resting_buy(PRICE - 500, "lost-resting"))
    assert (report.status, report.price) == (OrderStatus.NEW, PRICE - 500)
    assert [order.status for order in await orders_named(trader, "lost-resting")] == [OrderStatus.NEW]
