"""Where the trade page's chart draws each open order."""

from __future__ import annotations

from decimal import Decimal as D

from numatix.domain.enums import OrderType, Side, TimeInForce
from numatix.domain.orders import Order
from numatix.ui.states import account


def test_a_stop_stands_on_the_chart_at_its_trigger_until_it_triggers():
    """An OCO's stop leg (stop 94,000, limit 93,900) was drawn at 93,900: the trigger, the
    number a trader watches, was nowhere on the chart."""
    waiting = Order(5, "c-5", "BTCUSDT", Side.SELL, OrderType.STOP_LOSS_LIMIT, TimeInForce.GTC, D("0.01"),
                    price=D(93900), stop_price=D(94000), is_working=False)
    assert account.line_price(waiting) == D(94000)
    triggered = Order(5, "c-5", "BTCUSDT", Side.SELL, OrderType.STOP_LOSS_LIMIT, TimeInForce.GTC, D("0.01"),
                      price=D(93900), stop_price=D(94000), is_working=True)
    assert account.line_price(triggered) == D(93900)
    limit = Order(6, "c-6", "BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, D("0.01"), price=D(90000))
    assert account.line_price(limit) == D(90000)
    stop_market = Order(7, "c-7", "BTCUSDT", Side.SELL, OrderType.STOP_LOSS, TimeInForce.GTC, D("0.01"),
                        stop_price=D(95000), is_working=False)
    assert account.line_price(stop_market) == D(95000)
