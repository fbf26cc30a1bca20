"""Fill quality per order and over many: slippage against arrival, time to fill, maker share."""

from decimal import Decimal

from numatix.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.execution_quality import executions, order_execution, summarize
from numatix.domain.orders import Fill, Order

D = Decimal


def order(order_id: int, side: str, quantity: str, arrival: str | None, created: int = 1_000,
          order_type: OrderType = OrderType.MARKET) -> Order:
    return Order(order_id, f"c{order_id}", "BTCUSDT", Side(side), order_type, TimeInForce.GTC, D(quantity),
                 created_time_ms=created, arrival_price=D(arrival) if arrival else None)


def execute(o: Order, trade_id: int, quantity: str, price: str, time_ms: int, maker: bool = False,
            fee: str = "0") -> Fill:
    f = Fill(trade_id, o.venue_order_id, o.client_order_id, o.symbol, o.side, D(price), D(quantity),
             D(price) * D(quantity), D(fee), "USDT", maker, time_ms)
    o.apply(f)
    return f


def test_a_buy_that_paid_above_arrival_has_positive_slippage_and_its_times():
    buy = order(1, "BUY", "1", "100")
    fills = [execute(buy, 1, "0.5", "100.1", 1_040, fee="0.05"),
             execute(buy, 2, "0.5", "100.3", 1_250, maker=True, fee="0.03")]
    row = order_execution(buy, fills)
    assert row.average_price == D("100.2")
    assert row.slippage_bps == 20 and row.slippage_bps_shown == D("20.00")
    assert (row.time_to_first_fill_ms, row.time_to_fill_ms) == (40, 250)
    assert row.fill_ratio == 1 and row.fills == 2
    assert row.maker_share == D("50.05")  # 50.15 of 100.2 traded value rested
    assert row.fees == (("USDT", D("0.08")),)


def test_a_sell_that_received_more_than_arrival_has_negative_slippage():
    sell = order(2, "SELL", "2", "50")
    fills = [execute(sell, 3, "2", "50.5", 1_100)]
    assert order_execution(sell, fills).slippage_bps == -100


def test_a_slippage_that_rounds_to_nothing_has_no_sign():
    """-0.001 bps is shown (page and API alike) as 0.00, never "-0.00"."""
    buy = order(3, "BUY", "1", "100000")
    row = order_execution(buy, [execute(buy, 4, "1", "99999.99", 1_100)])
    assert row.slippage_bps is not None and -D("0.005") < row.slippage_bps < 0
    assert str(row.slippage_bps_shown) == "0.00"
    assert str(summarize([row]).average_slippage_bps) == "0.00"


def test_a_partly_filled_canceled_order_has_no_time_to_fill_but_a_fill_ratio():
    buy = order(3, "BUY", "4", "10", order_type=OrderType.LIMIT)
    fills = [execute(buy, 4, "1", "10", 1_500, maker=True)]
    buy.status = OrderStatus.CANCELED
    row = order_execution(buy, fills)
    assert row.time_to_fill_ms is None and row.time_to_first_fill_ms == 500
    assert row.fill_ratio == D("0.25") and row.maker_share == D("100.00")


def test_the_summary_weights_slippage_and_maker_share_by_traded_value():
    small, large, unpriced = order(1, "BUY", "1", "100"), order(2, "BUY", "1", "1000"), order(3, "SELL", "1", None)
    fills = [execute(small, 1, "1", "101", 1_100),  # +100 bps on 101 of value
             execute(large, 2, "1", "1000", 1_300, maker=True),  # 0 bps on 1000
             execute(unpriced, 3, "1", "10", 1_500)]  # no arrival: not in slippage
    untraded = order(4, "BUY", "1", "5")
    rows = executions([small, large, unpriced, untraded], fills)
    assert [r.venue_order_id for r in rows] == [3, 2, 1]  # newest first; the untraded one is left out
    summary = summarize(rows)
    assert summary.orders == 3 and summary.fills == 3
    assert summary.quote_volume == D(1111)
    assert summary.average_slippage_bps == D("9.17")  # 100 * 101 / 1101
    assert summary.maker_share == D("90.01")  # 1000 / 1111
    assert summary.median_time_to_fill_ms == 300  # 100, 300, 500
    assert summary.average_fill_ratio == D("100.00")


def test_a_summary_of_nothing_says_nothing():
    summary = summarize([])
    assert (summary.orders, summary.average_slippage_bps, summary.median_time_to_fill_ms,
            summary.maker_share, summary.average_fill_ratio) == (0, None, None, None, None)
