"""The order form: side, type, only the fields that type needs, a %-of-balance slider, estimates."""

from __future__ import annotations

import reflex as rx

from numatix.ui.states.market import MarketState
from numatix.ui.states.order_form import ORDER_TYPES, OrderFormState


def _input(label, field: str, value, test_id: str, unit) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color="var(--gray-11)"),
        rx.input(
            rx.input.slot(rx.text(unit, size="1", color="var(--gray-10)"), side="right"),
            value=value, on_change=lambda text: OrderFormState.edit(field, text), placeholder="0", name=field,
            input_mode="decimal", size="2", width="100%", data_testid=test_id,
        ),
        spacing="1",
        width="100%",
    )


def _select(options: list[str], value, on_change, test_id: str, size: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", data_testid=test_id),
        rx.select.content(*[rx.select.item(option, value=option) for option in options]),
        value=value, on_change=on_change, size=size,
    )


def _side_button(side: str, color: str) -> rx.Component:
    return rx.button(
        "Buy" if side == "BUY" else "Sell",
        on_click=OrderFormState.choose_side(side),
        variant=rx.cond(OrderFormState.side == side, "solid", "soft"),
        color_scheme=color, flex="1", data_testid=f"side-{side.lower()}",
    )


def _estimate(label: str, value, test_id: str) -> rx.Component:
    return rx.hstack(rx.text(label, size="1", color="var(--gray-11)"), rx.spacer(),
                     rx.text(value, size="1", data_testid=test_id), width="100%")


def order_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(_side_button("BUY", "green"), _side_button("SELL", "red"), width="100%", data_side=OrderFormState.side,
                      data_testid="order-side"),
            _select(ORDER_TYPES, OrderFormState.order_type, OrderFormState.choose_type, "order-type", "2"),
            rx.cond(OrderFormState.needs_stop,
                    _input("Stop price", "stop_price", OrderFormState.stop_price, "field-stop-price",
                           MarketState.quote_asset)),
            rx.cond(OrderFormState.needs_price,
                    _input(rx.cond(OrderFormState.order_type == "OCO", "Limit price (take profit)", "Price"),
                           "price", OrderFormState.price, "field-price", MarketState.quote_asset)),
            rx.cond(OrderFormState.order_type == "OCO",
                    _input("Stop-limit price (optional)", "stop_limit_price", OrderFormState.stop_limit_price,
                           "field-stop-limit-price", MarketState.quote_asset)),
            rx.cond(OrderFormState.is_market,
                    rx.segmented_control.root(
                        rx.segmented_control.item("Amount", value="quantity"),
                        rx.segmented_control.item("Total", value="quote"),
                        value=OrderFormState.market_by, on_change=lambda v: OrderFormState.edit("market_by", v),
                        size="1", width="100%", data_testid="market-by",
                    )),
            rx.cond(OrderFormState.is_market & (OrderFormState.market_by == "quote"),
                    _input("Total", "quote_amount", OrderFormState.quote_amount, "field-quote-amount",
                           MarketState.quote_asset),
                    _input("Amount", "quantity", OrderFormState.quantity, "field-quantity", MarketState.base_asset)),
            rx.slider(value=[OrderFormState.percent], on_change=OrderFormState.use_percent.throttle(150), min=0,
                      max=100, step=25, size="1", data_testid="percent-slider"),
            rx.cond(OrderFormState.needs_time_in_force,
                    _select(["GTC", "IOC", "FOK"], OrderFormState.time_in_force,
                            lambda v: OrderFormState.edit("time_in_force", v), "time-in-force", "1")),
            _estimate("Est. price", OrderFormState.estimate_price, "estimate-price"),
            _estimate("Est. total", OrderFormState.estimate_cost, "estimate-cost"),
            _estimate("Est. fee", OrderFormState.estimate_fee, "estimate-fee"),
            rx.cond(OrderFormState.check != "",
                    rx.text(OrderFormState.check, size="1", color="var(--red-11)", data_testid="order-check")),
            rx.button(
                rx.cond(OrderFormState.side == "BUY", "Buy ", "Sell "), MarketState.base_asset,
                type="submit", width="100%", size="3", loading=OrderFormState.submitting,
                color_scheme=rx.cond(OrderFormState.side == "BUY", "green", "red"), data_testid="place-order",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=OrderFormState.submit,
        reset_on_submit=False,
        width="100%",
        data_testid="order-form",
    )
