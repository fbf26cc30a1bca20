"""Order book (asks above, bids below, depth bars) and the recent trades list."""

from __future__ import annotations

import reflex as rx

from numatix.ui.states.market import MarketState
from numatix.ui.states.order_form import OrderFormState

_ROW = {"font_family": "var(--code-font-family)", "font_size": "12px", "line_height": "20px"}


def _level(row: dict, color: str, test_id: str) -> rx.Component:
    depth = row["depth"]
    return rx.hstack(
        rx.text(row["price"], color=f"var(--{color}-11)", flex="1"),
        rx.text(row["quantity"], text_align="right", flex="1"),
        width="100%",
        padding_x="8px",
        background=f"linear-gradient(to left, var(--{color}-a4) {depth}, transparent {depth})",
        data_testid=test_id,
        data_price=row["raw_price"],
        style=_ROW,
        cursor="pointer",
        on_click=OrderFormState.use_price(row["raw_price"]),
    )


def _heading(*labels: str) -> rx.Component:
    return rx.hstack(
        *[rx.text(label, flex="1", text_align="right" if i else "left") for i, label in enumerate(labels)],
        width="100%",
        padding_x="8px",
        color="var(--gray-10)",
        font_size="11px",
    )


def order_book() -> rx.Component:
    return rx.vstack(
        rx.text("Order book", weight="bold", size="2", padding_x="8px"),
        _heading("Price", "Amount"),
        rx.vstack(
            rx.foreach(MarketState.asks.reverse(), lambda row: _level(row, "red", "book-ask")),
            spacing="0",
            width="100%",
        ),
        rx.hstack(
            rx.text(MarketState.last_price, weight="bold", size="4",
                    color=rx.cond(MarketState.price_direction == "down", "var(--red-11)", "var(--green-11)")),
            rx.text("spread ", MarketState.spread, size="1", color="var(--gray-10)"),
            align="baseline",
            justify="between",
            width="100%",
            padding_x="8px",
            padding_y="4px",
        ),
        rx.vstack(
            rx.foreach(MarketState.bids, lambda row: _level(row, "green", "book-bid")),
            spacing="0",
            width="100%",
        ),
        spacing="1",
        width="100%",
        data_testid="order-book",
    )


def recent_trades() -> rx.Component:
    return rx.vstack(
        rx.text("Recent trades", weight="bold", size="2", padding_x="8px"),
        _heading("Price", "Amount", "Time"),
        rx.vstack(
            rx.foreach(
                MarketState.trades,
                lambda row: rx.hstack(
                    rx.text(row["price"], flex="1",
                            color=rx.cond(row["side"] == "BUY", "var(--green-11)", "var(--red-11)")),
                    rx.text(row["quantity"], flex="1", text_align="right"),
                    rx.moment(row["time_ms"], format="HH:mm:ss", flex="1", text_align="right"),
                    width="100%",
                    padding_x="8px",
                    style=_ROW,
                    data_testid="trade-row",
                ),
            ),
            spacing="0",
            width="100%",
        ),
        spacing="1",
        width="100%",
        data_testid="recent-trades",
    )
