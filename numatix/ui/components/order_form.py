"""The order form: side, type, only the fields that type needs, a %-of-balance slider, estimates.

Only the submit button (and Enter in a field) places an order: every other button in the
form is ``type="button"``. Every control has a name a screen reader reads: labels are
bound to their inputs, and the slider and selects carry an ``aria-label``.
"""

from __future__ import annotations

import reflex as rx

from numatix.domain.order_types import TYPE_LABELS
from numatix.ui.states.account import AccountState
from numatix.ui.states.market import MarketState
from numatix.ui.states.order_form import ORDER_TYPES, OrderFormState


def _input(label, field: str, value, test_id: str, unit) -> rx.Component:
    input_id = f"order-{field.replace('_', '-')}"
    return rx.vstack(
        rx.el.label(label, html_for=input_id, font_size="12px", color="var(--gray-11)"),
        rx.input(
            rx.input.slot(rx.text(unit, size="1", color="var(--gray-10)", aria_hidden="true"), side="right"),
            value=value, on_change=lambda text: OrderFormState.edit(field, text), placeholder="0", name=field,
            id=input_id, input_mode="decimal", auto_complete="off", size="2", width="100%",
            data_testid=test_id,
        ),
        spacing="1",
        width="100%",
    )


def _select(options: list[str], value, on_change, test_id: str, size: str, label: str,
            names: dict[str, str] | None = None) -> rx.Component:
    """``names``: what the person reads for each option's value (the value is sent)."""
    names = names or {}
    return rx.select.root(
        rx.select.trigger(width="100%", data_testid=test_id, aria_label=label),
        rx.select.content(*[rx.select.item(names.get(option, option), value=option,
                                           data_value=option) for option in options]),
        value=value, on_change=on_change, size=size,
    )


def _side_button(side: str, color: str) -> rx.Component:
    return rx.button(
        "Buy" if side == "BUY" else "Sell",
        on_click=OrderFormState.choose_side(side),
        variant=rx.cond(OrderFormState.side == side, "solid", "soft"),
        color_scheme=color, flex="1", data_testid=f"side-{side.lower()}",
        aria_pressed=rx.cond(OrderFormState.side == side, "true", "false"),
        type="button",  # inside the form: without it, a click on a side would submit the order
    )


def _estimate(label: str, value, test_id: str) -> rx.Component:
    return rx.hstack(rx.text(label, size="1", color="var(--gray-11)"), rx.spacer(),
                     rx.text(value, size="1", data_testid=test_id), width="100%")


def _available() -> rx.Component:
    asset = rx.cond(OrderFormState.side == "BUY", MarketState.quote_asset, MarketState.base_asset)
    return rx.hstack(
        rx.text("Available", size="1", color="var(--gray-11)"), rx.spacer(),
        rx.text(AccountState.available[asset], " ", asset, size="1", data_testid="available"),
        width="100%",
    )


def _price_fields() -> rx.Component:
    return rx.fragment(
        rx.cond(OrderFormState.needs_stop,
                _input(OrderFormState.stop_label, "stop_price", OrderFormState.stop_price, "field-stop-price",
                       MarketState.quote_asset)),
        rx.cond(OrderFormState.needs_price,
                _input(rx.cond(OrderFormState.is_oco, "Limit price (take profit)", "Price"),
                       "price", OrderFormState.price, "field-price", MarketState.quote_asset)),
        rx.cond(OrderFormState.is_oco,
                _input("Stop-limit price (optional)", "stop_limit_price", OrderFormState.stop_limit_price,
                       "field-stop-limit-price", MarketState.quote_asset)),
    )


def _amount_fields() -> rx.Component:
    return rx.fragment(
        rx.cond(OrderFormState.is_market,
                rx.segmented_control.root(
                    rx.segmented_control.item("Amount", value="quantity"),
                    rx.segmented_control.item("Total", value="quote"),
                    value=OrderFormState.market_by, on_change=lambda v: OrderFormState.edit("market_by", v),
                    size="1", width="100%", data_testid="market-by", aria_label="Size a market order by",
                )),
        rx.cond(OrderFormState.is_market & (OrderFormState.market_by == "quote"),
                _input("Total", "quote_amount", OrderFormState.quote_amount, "field-quote-amount",
                       MarketState.quote_asset),
                _input("Amount", "quantity", OrderFormState.quantity, "field-quantity",
                       MarketState.base_asset)),
        # The slider keeps its own position (a key press moves it at once, a second one
        # steps on from there, not from where the server last saw it) and reports every
        # step; the form draws it anew (a new key) at 0, or at a quick pick's share.
        rx.slider(default_value=[OrderFormState.percent], key=OrderFormState.slider_key,
                  on_change=OrderFormState.use_percent, min=0, max=100, step=1, size="1",
                  data_testid="percent-slider", aria_label="Share of available balance"),
        _percent_marks(),
        rx.cond(OrderFormState.shows_total,
                _input("Total", "total", OrderFormState.total, "field-total", MarketState.quote_asset)),
    )


def _percent_marks() -> rx.Component:
    """Quick picks under the slider (it moves by 1 %), and the share it is at."""
    return rx.hstack(
        *[rx.button(f"{mark}%", type="button", size="1", variant="ghost", color_scheme="gray",
                    on_click=OrderFormState.use_mark(mark), data_testid=f"percent-{mark}",
                    aria_label=f"{mark} % of available balance", padding_x="4px")
          for mark in (0, 25, 50, 75, 100)],
        justify="between", width="100%", margin_top="-4px",
    )


def _confirmation() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(rx.cond(OrderFormState.confirm_text.contains("fills now"),
                                          "Trades at once, far from your price", "Far from the market")),
            rx.alert_dialog.description(OrderFormState.confirm_text, data_testid="confirm-text"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Change it", variant="soft", color_scheme="gray",
                                                 type="button",
                                                 data_testid="confirm-cancel")),
                rx.alert_dialog.action(rx.button("Place order", type="button",
                                                 on_click=OrderFormState.confirm,
                                                 data_testid="confirm-place")),
                justify="end", spacing="3", margin_top="12px",
            ),
        ),
        open=OrderFormState.confirming,
        on_open_change=OrderFormState.dismiss_confirmation,
    )


def order_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(_side_button("BUY", "green"), _side_button("SELL", "red"), width="100%",
                      data_side=OrderFormState.side,
                      data_testid="order-side", role="group", aria_label="Side"),
            _select(ORDER_TYPES, OrderFormState.order_type, OrderFormState.choose_type, "order-type", "2",
                    "Order type", TYPE_LABELS),
            rx.el.input(type="hidden", name="symbol", value=OrderFormState.symbol, read_only=True),
            rx.el.input(type="hidden", name="placed", value=OrderFormState.placed, read_only=True),
            _price_fields(),
            _amount_fields(),
            rx.cond(OrderFormState.needs_time_in_force,
                    _select(["GTC", "IOC", "FOK"], OrderFormState.time_in_force,
                            lambda v: OrderFormState.edit("time_in_force", v), "time-in-force", "1",
                            "Time in force")),
            _available(),
            _estimate("Est. price", OrderFormState.estimate_price, "estimate-price"),
            _estimate("Est. total", OrderFormState.estimate_cost, "estimate-cost"),
            _estimate("Est. fee", OrderFormState.estimate_fee, "estimate-fee"),
            rx.cond(OrderFormState.estimate_at_once != "",
                    rx.text(OrderFormState.estimate_at_once, size="1", color="var(--amber-11)",
                            data_testid="estimate-at-once")),
            rx.cond(OrderFormState.check != "",
                    rx.text(OrderFormState.check, size="1", color="var(--red-11)", data_testid="order-check",
                            role="alert")),
            rx.button(
                rx.cond(OrderFormState.side == "BUY", "Buy ", "Sell "), MarketState.base_asset,
                type="submit", width="100%", size="3", loading=OrderFormState.submitting,
                color_scheme=rx.cond(OrderFormState.side == "BUY", "green", "red"), data_testid="place-order",
            ),
            _confirmation(),
            spacing="2",
            width="100%",
        ),
        on_submit=OrderFormState.submit,
        reset_on_submit=False,
        width="100%",
        data_testid="order-form",
        aria_label="Place an order",
    )
