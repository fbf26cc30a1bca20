"""Order history against the fills, number by number; filters applied while reading, not after."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from numatix.domain.enums import OrderStatus, Side
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.services.events import EventBus
from numatix.services.history import OrderHistory
from numatix.services.trading import TradingService
from tests.unit.exchange.helpers import SYMBOL, make_exchange

ALICE = 1


@pytest.fixture
def world():
    trading = TradingService(make_exchange(), EventBus())
    return trading, OrderHistory(trading)


def limit(side: str, price: str, quantity: str = "0.01", time_in_force: str = "GTC") -> OrderRequest:
    return OrderRequest(SYMBOL, side, "LIMIT", quantity=quantity, price=price, time_in_force=time_in_force)


async def test_a_limit_that_filled_better_shows_its_fills_average_beside_its_limit(world):
    trading, history = world
    placed = await trading.place_order(ALICE, limit("BUY", "50100", "0.04"))  # asks at 50001 and 50002
    assert placed.status is OrderStatus.FILLED
    [row] = (await history.closed(ALICE)).records
    fills = [f for f in await trading.fills(ALICE) if f.venue_order_id == placed.venue_order_id]
    assert len(fills) == 2
    assert row.order.price == D("50100")  # what was asked
    assert row.average_price == sum(f.quote_quantity for f in fills) / sum(f.quantity for f in fills)
    assert row.average_price < D("50100")  # what it executed at
    assert row.filled_quantity == sum(f.quantity for f in fills) == D("0.04")
    assert row.filled_total == sum(f.quote_quantity for f in fills)
    assert row.fees.by_asset == {"BTC": sum(f.commission for f in fills)}
    assert (row.fees.asset, row.fees.amount) == ("BTC", sum(f.commission for f in fills))


async def test_a_sell_pays_its_fee_in_quote_and_an_unfilled_order_has_none(world):
    trading, history = world
    sold = await trading.place_order(ALICE, OrderRequest(SYMBOL, "SELL", "MARKET", quantity="0.01"))
    canceled = await trading.place_order(ALICE, limit("BUY", "40000"))
    await trading.cancel_order_by_id(ALICE, canceled.venue_order_id)
    rows = {r.order.venue_order_id: r for r in (await history.closed(ALICE)).records}
    fills = [f for f in await trading.fills(ALICE) if f.venue_order_id == sold.venue_order_id]
    assert rows[sold.venue_order_id].fees.by_asset == {"USDT": sum(f.commission for f in fills)}
    assert rows[canceled.venue_order_id].average_price is None
    assert rows[canceled.venue_order_id].fees.by_asset == {} and rows[canceled.venue_order_id].filled_total == 0


async def test_a_filtered_page_is_full_while_older_matches_exist(world):
    trading, history = world
    for n in range(30):  # one SELL among every ten BUYs, all canceled at once by IOC
        side, price = ("SELL", "60000") if n % 10 == 0 else ("BUY", "40000")
        await trading.place_order(ALICE, limit(side, price, time_in_force="IOC"))
    sells = await history.closed(ALICE, side=Side.SELL, limit=2)
    assert [r.order.side for r in sells.records] == [Side.SELL, Side.SELL] and sells.more
    older = await history.closed(ALICE, side=Side.SELL, limit=2, before=sells.records[-1].order.venue_order_id)
    assert len(older.records) == 1 and not older.more
    newest = (await trading.order_history(ALICE, limit=1))[0]
    late = await history.closed(ALICE, since_ms=newest.created_time_ms, limit=50)
    assert all(r.order.created_time_ms >= newest.created_time_ms for r in late.records) and late.records


async def test_the_legs_of_a_pair_are_listed_together(world):
    trading, history = world
    first = await trading.place_order(ALICE, limit("BUY", "40000"))
    await trading.place_oco(ALICE, OcoRequest(SYMBOL, "SELL", D("0.01"), D("52000"), D("48000")))
    last = await trading.place_order(ALICE, limit("BUY", "41000"))
    listed = await history.open(ALICE)
    assert listed[0].venue_order_id == last.venue_order_id and listed[-1].venue_order_id == first.venue_order_id
    pair = listed[1:3]
    assert pair[0].order_list_id == pair[1].order_list_id >= 0
