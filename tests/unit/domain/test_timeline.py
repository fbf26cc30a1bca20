"""An order's timeline: placed, triggered, each fill, and its end."""

from decimal import Decimal

from numatix.domain.enums import ExpiryReason, OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.orders import Fill, Order, OrderCanceled, OrderExpired
from numatix.domain.timeline import Step, order_timeline

D = Decimal


def _order(order_type: OrderType = OrderType.LIMIT, quantity: str = "2") -> Order:
    return Order(7, "c7", "ETHUSDT", Side.BUY, order_type, TimeInForce.GTC, D(quantity), price=D(100),
                 stop_price=D(99) if order_type.is_conditional else None, created_time_ms=1_000,
                 update_time_ms=1_000, working_time_ms=1_000)


def _fill(o: Order, trade_id: int, quantity: str, time_ms: int) -> Fill:
    f = Fill(trade_id, o.venue_order_id, o.client_order_id, o.symbol, o.side, D(100), D(quantity), D(100) * D(quantity),
             D("0.001"), "ETH", True, time_ms)
    o.apply(f)
    return f


def test_placed_partly_filled_then_canceled():
    o = _order()
    fills = [_fill(o, 1, "0.5", 2_000)]
    o.apply(OrderCanceled(3_000))
    other = Fill(9, 99, "x", "ETHUSDT", Side.BUY, D(1), D(1), D(1), D(0), "ETH", False, 2_500)
    steps = order_timeline(o, [other, *fills])
    assert [(e.step, e.time_ms, e.status, e.executed_quantity) for e in steps] == [
        (Step.PLACED, 1_000, OrderStatus.NEW, 0),
        (Step.FILL, 2_000, OrderStatus.PARTIALLY_FILLED, D("0.5")),
        (Step.CANCELED, 3_000, OrderStatus.CANCELED, D("0.5")),
    ]
    assert steps[1].fill is fills[0]


def test_filled_in_two_fills_ends_filled_at_the_last_fill():
    o = _order()
    fills = [_fill(o, 2, "1.5", 2_200), _fill(o, 1, "0.5", 2_100)]
    steps = order_timeline(o, fills)
    assert [e.step for e in steps] == [Step.PLACED, Step.FILL, Step.FILL, Step.FILLED]
    assert [e.fill.trade_id for e in steps if e.fill] == [1, 2]  # in time order
    assert steps[-1].time_ms == 2_200 and steps[2].status is OrderStatus.FILLED


def test_a_stop_shows_when_it_triggered_and_an_expiry_its_reason():
    o = _order(OrderType.STOP_LOSS_LIMIT)
    o.is_working, o.working_time_ms = True, 1_800
    o.apply(OrderExpired(4_000, ExpiryReason.UNFILLED_IOC_QUANTITY_EXPIRED))
    steps = order_timeline(o, [])
    assert [(e.step, e.time_ms) for e in steps] == [(Step.PLACED, 1_000), (Step.TRIGGERED, 1_800),
                                                    (Step.EXPIRED, 4_000)]
    assert steps[-1].reason is ExpiryReason.UNFILLED_IOC_QUANTITY_EXPIRED


def test_an_open_order_has_no_end_yet():
    assert [e.step for e in order_timeline(_order(), [])] == [Step.PLACED]
