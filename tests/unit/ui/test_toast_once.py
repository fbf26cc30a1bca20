"""A trade tab toasts each piece of news once, even when a reload (a reconnect) briefly gives
it two event followers that both heard it, and the superseded follower still shows what only
it heard (it used to drop its last batch, so a fill in that moment never got its toast)."""

from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

from numatix.domain.enums import ExecutionType, OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.events import ExecutionReport
from numatix.domain.orders import Order
from numatix.ui.states import account
from numatix.ui.states.account import AccountState

first_news = AccountState.__dict__["_first_news"]


def report(status: OrderStatus, executed: str, order_id: int = 1) -> ExecutionReport:
    order = Order(order_id, f"c-{order_id}", "BTCUSDT", Side.BUY, OrderType.MARKET, TimeInForce.GTC, D("0.01"),
                  status=status, executed_quantity=D(executed), cumulative_quote=D(executed) * 95_000)
    return ExecutionReport.from_order(7, order, ExecutionType.TRADE, 1)


def tab() -> SimpleNamespace:
    return SimpleNamespace(_shown=[])


def test_the_same_news_heard_by_two_followers_is_toasted_once():
    page = tab()
    filled = report(OrderStatus.FILLED, "0.01")
    assert first_news(page, filled) is True
    assert first_news(page, report(OrderStatus.FILLED, "0.010")) is False  # the other follower's copy
    assert account._toasts_for(filled), "a fill has a toast"


def test_each_step_of_an_order_is_news_of_its_own():
    page = tab()
    assert first_news(page, report(OrderStatus.PARTIALLY_FILLED, "0.004")) is True
    assert first_news(page, report(OrderStatus.PARTIALLY_FILLED, "0.007")) is True
    assert first_news(page, report(OrderStatus.FILLED, "0.01")) is True
    assert first_news(page, report(OrderStatus.FILLED, "0.01", order_id=2)) is True


def test_a_tab_remembers_a_bounded_number_of_toasts():
    page = tab()
    for order_id in range(account.SHOWN_KEPT + 50):
        first_news(page, report(OrderStatus.FILLED, "0.01", order_id))
    assert len(page._shown) == account.SHOWN_KEPT
    assert first_news(page, report(OrderStatus.FILLED, "0.01", account.SHOWN_KEPT + 49)) is False

