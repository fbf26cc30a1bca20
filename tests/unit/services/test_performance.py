"""Performance, execution quality and order details over a real paper exchange."""

from decimal import Decimal as D

import pytest

from numatix.domain.enums import OrderStatus
from numatix.domain.errors import OrderNotFound
from numatix.domain.requests import OrderRequest
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.domain.timeline import Step
from numatix.services import exports
from numatix.services.events import EventBus
from numatix.services.performance import PerformanceService
from numatix.services.portfolio import PortfolioService
from numatix.services.trading import TradingService
from tests.unit.exchange.helpers import SYMBOL, make_exchange, trade

ALICE, BOB = 1, 2


@pytest.fixture
def world():
    exchange = make_exchange()
    trading = TradingService(exchange, EventBus())
    portfolio = PortfolioService(exchange, {SYMBOL: D(50000)}.get, DEFAULT_SYMBOLS)
    return exchange, trading, PerformanceService(trading, portfolio, DEFAULT_SYMBOLS)


async def test_a_bought_and_sold_back_position_is_one_lost_round_trip_with_the_positions_pnl(world):
    _, trading, performance = world
    await trading.place_order(ALICE, OrderRequest(SYMBOL, "BUY", "MARKET", quantity="0.001"))  # at 50001
    await trading.place_order(ALICE, OrderRequest(SYMBOL, "SELL", "MARKET", quantity="0.00099"))  # at 49999
    result = await performance.performance(ALICE)
    [btc] = result.symbols
    assert (btc.activity.fills, btc.activity.buys, btc.activity.sells) == (2, 1, 1)
    [trip] = btc.activity.round_trips
    assert not trip.won and btc.activity.win_rate == D("0.00")
    assert btc.realized_pnl == D("0.00099") * (D(49999) - D(50001))
    assert btc.fees_in_quote == D("0.000001") * 50001 + D("0.04949901")  # 0.1 % of each side
    assert result.total.realized_pnl == btc.realized_pnl and result.total.activity.round_trips == [trip]
    assert (await performance.performance(BOB)).symbols == []


async def test_execution_quality_of_a_resting_order_and_a_market_order(world):
    exchange, trading, performance = world
    resting = await trading.place_order(ALICE, OrderRequest(SYMBOL, "BUY", "LIMIT", quantity="0.05", price="49999",
                                                             time_in_force="GTC"))
    exchange.on_trade(trade("49999", "0.03", trade_id=5))  # 0.02 queued ahead, then 0.01 of ours
    await trading.cancel_order_by_id(ALICE, resting.venue_order_id)
    await trading.place_order(ALICE, OrderRequest(SYMBOL, "BUY", "MARKET", quantity="0.03"))  # 0.02@50001 0.01@50002
    rows, summary = await performance.executions(ALICE)
    market, limit = rows
    assert (limit.venue_order_id, limit.arrival_price, limit.average_price) == (resting.venue_order_id, D(50001),
                                                                                 D(49999))
    assert limit.slippage_bps_shown == D("-0.40") and limit.maker_share == D("100.00") and limit.fill_ratio == D("0.2")
    assert limit.time_to_fill_ms is None  # canceled before it filled
    assert market.slippage_bps_shown == D("0.07") and market.maker_share == D("0.00") and market.time_to_fill_ms == 0
    assert summary.orders == 2 and summary.fills == 3
    assert summary.maker_share == (D("499.99") / (D("499.99") + D("1500.04")) * 100).quantize(D("0.01"))
    csv_text = exports.executions_csv(rows)
    assert csv_text.splitlines()[0].startswith("order_id,symbol,side,type,status,placed_utc,arrival_price")
    assert f"{resting.venue_order_id},BTCUSDT,BUY,LIMIT,CANCELED," in csv_text


async def test_order_details_show_the_fills_fees_timeline_and_quality_of_that_order_only(world):
    exchange, trading, performance = world
    resting = await trading.place_order(ALICE, OrderRequest(SYMBOL, "BUY", "LIMIT", quantity="0.05", price="49999",
                                                             time_in_force="GTC"))
    await trading.place_order(ALICE, OrderRequest(SYMBOL, "BUY", "MARKET", quantity="0.001"))
    exchange.on_trade(trade("49999", "0.03", trade_id=5))
    await trading.cancel_order_by_id(ALICE, resting.venue_order_id)
    details = await performance.order_details(ALICE, resting.venue_order_id)
    assert details.order.status is OrderStatus.CANCELED
    assert [(f.quantity, f.price, f.is_maker) for f in details.fills] == [(D("0.01"), D(49999), True)]
    assert [e.step for e in details.timeline] == [Step.PLACED, Step.FILL, Step.CANCELED]
    assert details.fees == (("BTC", D("0.00001")),)
    assert details.execution.arrival_price == D(50001)
    with pytest.raises(OrderNotFound):
        await performance.order_details(BOB, resting.venue_order_id)
