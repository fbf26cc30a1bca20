"""An execution report says what its order and its fill now are, as a query would show them."""

from dataclasses import replace
from decimal import Decimal as D

from numatix.domain.enums import ExecutionType, OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.events import ExecutionReport, PreventedMatch
from numatix.domain.orders import Fill, Order

RESTING = Order(9, "mine", "ETHUSDT", Side.SELL, OrderType.STOP_LOSS_LIMIT, TimeInForce.GTC, quantity=D("1.5"),
                price=D("2990"), stop_price=D("3000"), status=OrderStatus.PARTIALLY_FILLED,
                executed_quantity=D("0.5"), cumulative_quote=D("1495"), created_time_ms=1_000, update_time_ms=2_000,
                working_time_ms=1_500, order_list_id=4)
FILL = Fill(77, 9, "mine", "ETHUSDT", Side.SELL, D("2990"), D("0.5"), D("1495"), D("1.495"), "USDT", False, 2_000)


def test_a_trade_report_gives_back_its_order_and_its_fill() -> None:
    report = ExecutionReport.from_order("account", RESTING, ExecutionType.TRADE, 2_000, fill=FILL)
    assert report.order() == RESTING
    assert report.fill() == FILL


def test_a_cancels_report_names_the_order_by_its_own_client_id_and_has_no_fill() -> None:
    canceled = replace(RESTING, status=OrderStatus.CANCELED, update_time_ms=3_000)
    report = ExecutionReport.from_order("account", canceled, ExecutionType.CANCELED, 3_000,
                                        original_client_order_id="mine", client_order_id="the-cancel")
    assert report.order() == canceled and report.fill() is None


def test_a_market_order_has_no_prices_and_the_last_prevention_is_remembered() -> None:
    market = Order(3, "m", "BTCUSDT", Side.BUY, OrderType.MARKET, TimeInForce.GTC, quantity=D("0.1"),
                   update_time_ms=5, prevented_quantity=D("0.05"), prevented_match_id=12)
    prevented = ExecutionReport.from_order("account", market, ExecutionType.TRADE_PREVENTION, 5,
                                           prevention=PreventedMatch(12, D("0.05"), 4, D("100"), D("0.05")))
    assert prevented.order() == market and market.price is None
    later = replace(prevented, prevention=None, execution_type=ExecutionType.EXPIRED)
    assert later.order().prevented_match_id == -1
    assert later.order(known=market).prevented_match_id == 12


def test_a_report_behind_what_was_read_is_known_as_such() -> None:
    earlier = ExecutionReport.from_order("account", replace(RESTING, executed_quantity=D("0.2")),
                                         ExecutionType.TRADE, 1_800)
    assert earlier.is_behind(RESTING)
    assert not ExecutionReport.from_order("account", RESTING, ExecutionType.TRADE, 2_000).is_behind(
        replace(RESTING, executed_quantity=D("0.2")))
    assert ExecutionReport.from_order("account", RESTING, ExecutionType.NEW, 1_000).is_behind(
        replace(RESTING, status=OrderStatus.FILLED))
