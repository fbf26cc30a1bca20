"""The composed runtime: synthetic market → paper venue on SQLite → services, across a restart."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from numatix.config import load_settings
from numatix.domain.enums import OrderStatus
from numatix.domain.events import ExecutionReport
from numatix.domain.requests import OrderRequest
from numatix.services.runtime import lifespan
from tests.support.database import migrated

PASSWORD = "violet-harbour-42"


def settings_in(tmp_path):
    settings = load_settings({"NUMATIX_DATA_DIR": str(tmp_path), "NUMATIX_MARKET_DATA": "synthetic",
                              "NUMATIX_SYMBOLS": "BTCUSDT,ETHUSDT"})
    migrated(settings.database_url)
    return settings


async def wait_for_price(runtime, symbol="BTCUSDT") -> Decimal:
    for _ in range(200):
        price = runtime.last_price(symbol)
        if price is not None and runtime.hub.snapshot(symbol).book is not None:
            return price
        await asyncio.sleep(0.05)
    raise AssertionError("the synthetic market never traded")


async def amounts(runtime, user: int) -> dict[str, tuple[Decimal, Decimal]]:
    return {b.asset: (b.free, b.locked) for b in await runtime.portfolio.balances(user)}


async def test_orders_trade_on_the_live_market_and_survive_a_restart(tmp_path):
    settings = settings_in(tmp_path)
    async with lifespan(settings) as runtime:
        user = (await runtime.accounts.register("trader@example.com", PASSWORD)).user.id
        price = await wait_for_price(runtime)
        events = runtime.events.subscribe(user)
        bought = await runtime.trading.place_order(user, OrderRequest("BTCUSDT", "BUY", "MARKET", quantity="0.001"))
        assert bought.status is OrderStatus.FILLED
        assert abs(bought.cumulative_quote / Decimal("0.001") - price) / price < Decimal("0.01")
        resting_price = (price * Decimal("0.5")).quantize(Decimal("0.01"))
        resting = await runtime.trading.place_order(user, OrderRequest(
            "BTCUSDT", "BUY", "LIMIT", quantity="0.001", price=str(resting_price), time_in_force="GTC"))
        assert resting.status is OrderStatus.NEW
        reports = [e for e in events.drain() if isinstance(e, ExecutionReport)]
        bought_statuses = [r.status for r in reports if r.venue_order_id == bought.venue_order_id]
        assert bought_statuses[0] is OrderStatus.NEW and bought_statuses[-1] is OrderStatus.FILLED
        assert [r.status for r in reports if r.venue_order_id == resting.venue_order_id] == [OrderStatus.NEW]
        balances_before = await amounts(runtime, user)
        positions = {p.symbol: p for p in await runtime.portfolio.positions(user)}
        position = positions["BTCUSDT"]  # the starting wallet's coins and the one just bought
        held = (await runtime.portfolio.balances(user))
        assert position.quantity == next(b.total for b in held if b.asset == "BTC")
        assert position.quantity > 0 and position.unrealized_pnl is not None

    async with lifespan(settings) as runtime:
        [restored] = await runtime.trading.open_orders(user)
        assert restored.venue_order_id == resting.venue_order_id and restored.price == resting_price
        assert await amounts(runtime, user) == balances_before
        canceled = await runtime.trading.cancel_order_by_id(user, resting.venue_order_id)
        assert canceled.status is OrderStatus.CANCELED
        history = await runtime.trading.order_history(user)
        assert [o.status for o in history] == [OrderStatus.CANCELED, OrderStatus.FILLED]
        free, locked = (await amounts(runtime, user))["USDT"]
        assert locked == 0 and free == sum(balances_before["USDT"])
