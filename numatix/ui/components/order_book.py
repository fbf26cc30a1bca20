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
        flex_shrink="0",
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


def _side_rows(rows, color: str, test_id: str, justify: str) -> rx.Component:
    """As many levels as the panel has room for: asks keep the ones next to the spread (at the
    bottom), bids the ones at the top; the far end is clipped, and fades instead of being cut. A
    side is never taller than its levels, so a tall window leaves its room below the bids, not a
    gap above the asks."""
    fade = "to bottom" if justify == "end" else "to top"
    return rx.flex(
        rx.foreach(rows, lambda row: _level(row, color, test_id)),
        direction="column",
        justify=justify,
        flex="0 1 auto",
        min_height="0",
        overflow="hidden",
        width="100%",
        style={"mask_image": f"linear-gradient({fade}, transparent 0, black 20px)"},
    )


def order_book() -> rx.Component:
    return rx.flex(
        rx.text("Order book", weight="bold", size="2", padding_x="8px", as_="div"),
        _heading("Price", "Amount"),
        _side_rows(MarketState.asks.reverse(), "red", "book-ask", "end"),
        rx.hstack(
            rx.text(MarketState.last_price, weight="bold", size="4",
                    color=rx.cond(MarketState.price_direction == "down", "var(--red-11)", "var(--green-11)")),
            rx.text("spread ", MarketState.spread, size="1", color="var(--gray-10)"),
            align="baseline",
            justify="between",
            width="100%",
            padding_x="8px",
            padding_y="4px",
            flex_shrink="0",
        ),
        _side_rows(MarketState.bids, "green", "book-bid", "start"),
        direction="column",
        gap="1",
        width="100%",
        height="100%",
        data_testid="order-book",
    )


def recent_trades() -> rx.Component:
    return rx.flex(
        rx.text("Recent trades", weight="bold", size="2", padding_x="8px", as_="div"),
        _heading("Price", "Amount", "Time"),
        rx.flex(
            rx.foreach(
                MarketState.trades,
                lambda row: rx.hstack(
                    rx.text(row["price"], flex="1",
                            color=rx.cond(row["side"] == "BUY", "var(--green-11)", "var(--red-11)")),
                    rx.text(row["quantity"], flex="1", text_align="right"),
                    rx.moment(row["time_ms"], format="HH:mm:ss", flex="1", text_align="right"),
                    width="100%",
                    padding_x="8px",
                    flex_shrink="0",
                    style=_ROW,
                    data_testid="trade-row",
                ),
            ),
            direction="column",
            flex="1 1 0",
            min_height="0",
            overflow="hidden",
            width="100%",
        ),
        direction="column",
        gap="1",
        width="100%",
        height="100%",
        data_testid="recent-trades",
    )
