"""The services over a real paper exchange: what the UI and the API both rely on."""

import re
from decimal import Decimal as D

import pytest

from numatix.domain.enums import OrderStatus, Side
from numatix.domain.errors import OrderNotFound, OrderRejected, OutcomeUnknown, TransientVenueError
from numatix.domain.events import BalanceUpdate, ExecutionReport
from numatix.domain.requests import OrderRequest
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.services.events import EventBus
from numatix.services.portfolio import PortfolioService, WalletResetUnavailable
from numatix.services.trading import TradingService
from tests.unit.exchange.helpers import SYMBOL, make_exchange

ALICE, BOB = 1, 2


@pytest.fixture
def world():
    exchange = make_exchange()
    bus = EventBus()
    trading = TradingService(exchange, bus)
    exchange.add_listener(trading.on_venue_event)
    prices = {"BTCUSDT": D("50000"), "ETHUSDT": D("3000")}
    portfolio = PortfolioService(exchange, prices.get, DEFAULT_SYMBOLS)
    return exchange, bus, trading, portfolio, prices


def market_buy(quantity="0.01", **kwargs):
    return OrderRequest(SYMBOL, "BUY", "MARKET", quantity=quantity, **kwargs)


async def test_placing_an_order_publishes_its_reports_and_balances_to_that_user_only(world):
    exchange, bus, trading, _, _ = world
    alice, bob = bus.subscribe(ALICE), bus.subscribe(BOB)
    report = await trading.place_order(ALICE, market_buy())
    assert report.status is OrderStatus.FILLED
    assert re.fullmatch(r"[.A-Z:/a-z0-9_-]{1,36}", report.client_order_id)
    events = alice.drain()
    assert [e.status for e in events if isinstance(e, ExecutionReport)][-1] is OrderStatus.FILLED
    assert any(isinstance(e, BalanceUpdate) for e in events)
    assert bob.drain() == []


async def test_a_given_client_order_id_is_kept_and_ids_are_never_reused(world):
    _, _, trading, _, _ = world
    kept = await trading.place_order(ALICE, market_buy(client_order_id="mine-1"))
    first, second = await trading.place_order(ALICE, market_buy()), await trading.place_order(ALICE, market_buy())
    assert kept.client_order_id == "mine-1" and first.client_order_id != second.client_order_id


@pytest.mark.parametrize("request_, code, message", [
    (market_buy("0.000001"), -1013, "Filter failure: LOT_SIZE"),
    (market_buy("5"), -2010, "Account has insufficient balance for requested action."),
])
async def test_a_rejection_carries_binances_code_and_leaves_balances_untouched(world, request_, code, message):
    exchange, bus, trading, portfolio, _ = world
    before = await portfolio.balances(ALICE)
    reader = bus.subscribe(ALICE)
    with pytest.raises(OrderRejected) as rejected:
        await trading.place_order(ALICE, request_)
    assert (rejected.value.code, rejected.value.message) == (code, message)
    assert await portfolio.balances(ALICE) == before
    assert [e for e in reader.drain() if isinstance(e, ExecutionReport)] == []


async def test_cancel_by_id_cancel_all_and_history(world):
    _, _, trading, portfolio, _ = world
    resting = [
        await trading.place_order(ALICE, OrderRequest(SYMBOL, "BUY", "LIMIT", quantity="0.01", price=price,
                                                      time_in_force="GTC"))
        for price in ("40000", "41000", "42000")
    ]
    assert [o.venue_order_id for o in await trading.open_orders(ALICE)] == [r.venue_order_id for r in reversed(resting)]
    canceled = await trading.cancel_order_by_id(ALICE, resting[0].venue_order_id)
    assert canceled.status is OrderStatus.CANCELED
    with pytest.raises(OrderNotFound) as unknown:
        await trading.cancel_order_by_id(ALICE, resting[0].venue_order_id)
    assert unknown.value.code == -2011
    with pytest.raises(OrderNotFound):
        await trading.cancel_order_by_id(BOB, resting[1].venue_order_id)  # not Bob's order
    assert len(await trading.cancel_all(ALICE, SYMBOL)) == 2
    assert await trading.open_orders(ALICE) == []
    history = await trading.order_history(ALICE)
    assert [o.venue_order_id for o in history] == sorted((r.venue_order_id for r in resting), reverse=True)
    assert {o.status for o in history} == {OrderStatus.CANCELED}
    assert {b.asset: b.locked for b in await portfolio.balances(ALICE)}["USDT"] == 0


async def test_positions_carry_average_entry_and_pnl_at_the_last_price(world):
    exchange, _, trading, portfolio, prices = world
    bought = await trading.place_order(ALICE, market_buy("0.04"))  # 0.02@50001 + 0.02@50002
    fills = await trading.fills(ALICE)
    assert sum(f.quantity for f in fills) == bought.cumulative_quantity == D("0.04")
    [position] = await portfolio.positions(ALICE)
    received = D("0.04") - sum(f.commission for f in fills)  # buy fees are paid in BTC
    entry = sum((f.quantity - f.commission) * f.price for f in fills) / received  # what was paid, fees aside
    assert position.symbol == SYMBOL and position.quantity == received and position.side == "BUY"
    assert position.average_entry_price == entry
    assert position.fees_in_quote == sum(f.commission * f.price for f in fills)
    prices[SYMBOL] = D("51000")
    [position] = await portfolio.positions(ALICE)
    assert position.unrealized_pnl == received * (D("51000") - entry)
    await trading.place_order(ALICE, OrderRequest(SYMBOL, "SELL", "MARKET", quantity="0.02"))
    [position] = await portfolio.positions(ALICE)
    sells = [f for f in await trading.fills(ALICE) if f.side is Side.SELL]
    assert position.realized_pnl == sum(f.quantity * (f.price - entry) for f in sells)
    assert position.fees_in_quote == sum(f.commission * f.price for f in fills) + sum(f.commission for f in sells)


async def test_balances_are_valued_in_usdt(world):
    _, _, _, portfolio, prices = world
    balances = {b.asset: b for b in await portfolio.balances(ALICE)}
    assert balances["USDT"].value_usdt == D("10000")
    assert balances["BTC"].value_usdt == D("0.1") * prices["BTCUSDT"]
    assert balances["BNB"].value_usdt is None  # no BNBUSDT price in this world
    assert await portfolio.total_value_usdt(ALICE) == D("10000") + D("5000") + D("3000")


async def test_wallet_reset_restores_the_start_clears_positions_and_leaves_a_ledger_entry(world):
    exchange, bus, trading, portfolio, _ = world
    await trading.place_order(ALICE, market_buy("0.04"))
    await trading.place_order(ALICE, OrderRequest(SYMBOL, "BUY", "LIMIT", quantity="0.01", price="40000",
                                                  time_in_force="GTC"))
    reader = bus.subscribe(ALICE)
    await portfolio.reset_wallet(ALICE)
    assert await trading.open_orders(ALICE) == []
    assert {b.asset: b.total for b in await portfolio.balances(ALICE)} == {
        "USDT": D("10000"), "BTC": D("0.1"), "ETH": D("1"), "BNB": D("10")}
    assert await portfolio.positions(ALICE) == []
    [entry] = await portfolio.ledger(ALICE)
    assert entry.balances_before["BTC"] > D("0.1") and entry.balances_after["BTC"] == D("0.1")
    assert any(isinstance(e, BalanceUpdate) for e in reader.drain())


async def test_a_venue_without_wallet_reset_says_so(world):
    exchange, _, _, portfolio, _ = world
    exchange.can_reset_wallet = False
    with pytest.raises(WalletResetUnavailable):
        await portfolio.reset_wallet(ALICE)


async def test_the_21st_order_in_a_minute_waits_and_says_how_long():
    from numatix.security.rate_limits import RateLimiter
    from numatix.services.errors import RateLimited

    exchange = make_exchange()
    trading = TradingService(exchange, EventBus(), limiter=RateLimiter())
    for _ in range(20):
        await trading.place_order(ALICE, market_buy("0.0001"))
    with pytest.raises(RateLimited) as limited:
        await trading.place_order(ALICE, market_buy("0.0001"))
    assert limited.value.message.startswith("Too many orders this minute. Try again in")
    assert 1 <= limited.value.retry_after_seconds <= 60
    await trading.place_order(BOB, market_buy("0.0001"))  # per user
    assert len(await trading.order_history(ALICE)) == 20  # the refused one never reached the venue


async def test_shutdown_lets_orders_in_flight_finish_and_refuses_new_ones():
    import asyncio

    from numatix.exchange.paper import FakeClock, FixedLatency
    from numatix.services.errors import ServiceUnavailable

    clock = FakeClock()
    exchange = make_exchange(clock=clock, latency=FixedLatency(entry_ms=200, cancel_ms=0))
    trading = TradingService(exchange, EventBus())
    in_flight = asyncio.create_task(trading.place_order(ALICE, market_buy()))
    await asyncio.sleep(0)
    draining = asyncio.create_task(trading.drain(timeout=5))
    await asyncio.sleep(0)
    assert not draining.done()
    with pytest.raises(ServiceUnavailable):
        await trading.place_order(BOB, market_buy())
    await clock.advance(200)
    assert (await in_flight).status is OrderStatus.FILLED
    assert await draining is True


async def test_an_order_placed_whose_read_back_fails_is_reported_as_look_it_up_never_as_not_run(world, monkeypatch):
    # A cluster engine changing hands between the placement and the read that follows it: the
    # order is placed, so "try again, nothing ran" (503) would be a lie; a retry finds it.
    exchange, _, trading, _, _ = world

    async def engine_changing_hands(*_arguments):
        raise TransientVenueError("The paper exchange did not answer in time; try again in a moment.")
    read = exchange.order_by_id
    monkeypatch.setattr(exchange, "order_by_id", engine_changing_hands)
    with pytest.raises(OutcomeUnknown) as unknown:
        await trading.place_order_once(ALICE, market_buy(client_order_id="read-back-1"))
    assert unknown.value.client_order_id == "read-back-1"

    monkeypatch.setattr(exchange, "order_by_id", read)
    again, created = await trading.place_order_once(ALICE, market_buy(client_order_id="read-back-1"))
    assert not created and again.status is OrderStatus.FILLED
    assert [o.client_order_id for o in await trading.order_history(ALICE)] == ["read-back-1"]
