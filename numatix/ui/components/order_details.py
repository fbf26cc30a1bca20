"""The order-details dialog: opened by a click on any order or trade row (and on the portfolio page)."""

from __future__ import annotations

import reflex as rx

from numatix.ui.states.order_details import OrderDetailsState

_CELL = {"font_family": "var(--code-font-family)", "font_size": "12px", "white_space": "nowrap"}
# A table as wide as its columns inside a box that scrolls and takes focus (so keys scroll it):
# left at 100 %, the table's own scroll area would scroll instead, and it cannot be focused.
WIDE_TABLE = {"width": "max-content", "min_width": "100%"}


def details_button(order_id, label=None) -> rx.Component:
    """The keyboard's way in (the row's click is the mouse's): a named button per row."""
    return rx.icon_button(
        rx.icon("info", size=14), size="1", variant="ghost", type="button",
        on_click=OrderDetailsState.show(order_id).stop_propagation,
        aria_label=label if label is not None else "Details of order " + order_id.to(str),
        data_testid="order-details-button",
    )


def row_opens_details(order_id) -> dict:
    """Props that make a table row open its order's details on a click."""
    return {"on_click": OrderDetailsState.show(order_id), "cursor": "pointer",
            "_hover": {"background": "var(--gray-a3)"}, "data_order_id": order_id}


def _pairs(rows, test_id: str) -> rx.Component:
    return rx.data_list.root(
        rx.foreach(rows, lambda row: rx.data_list.item(
            rx.data_list.label(row["label"], min_width="120px"),
            rx.data_list.value(row["value"], style=_CELL, data_testid=f"{test_id}-" + row["key"]),
        )),
        size="1", orientation=rx.breakpoints(initial="horizontal"), data_testid=test_id,
    )


def _fills() -> rx.Component:
    return rx.cond(
        OrderDetailsState.fills.length() > 0,
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                           ("Time", "Price", "Amount", "Total", "Fee", "Role")])),
            rx.table.body(rx.foreach(OrderDetailsState.fills, lambda f: rx.table.row(
                rx.table.cell(rx.moment(f["time_ms"], format="HH:mm:ss.SSS"), style=_CELL),
                rx.table.cell(f["price"], style=_CELL), rx.table.cell(f["quantity"], style=_CELL),
                rx.table.cell(f["total"], style=_CELL), rx.table.cell(f["fee"], style=_CELL),
                rx.table.cell(f["role"], style=_CELL), data_testid="details-fill"))),
            size="1", **WIDE_TABLE), overflow_x="auto", tab_index=0, width="100%"),
        rx.text("No fills.", size="2", color="var(--gray-11)", data_testid="details-no-fills"),
    )


def _timeline() -> rx.Component:
    return rx.box(
        rx.foreach(OrderDetailsState.timeline, lambda step: rx.hstack(
            rx.box(width="8px", height="8px", border_radius="50%", background="var(--accent-9)",
                   flex_shrink="0", margin_top="6px"),
            rx.vstack(
                rx.hstack(rx.text(step["step"], weight="medium", size="2", data_testid="timeline-step"),
                          rx.text(rx.moment(step["time_ms"], format="YYYY-MM-DD HH:mm:ss.SSS"), size="1",
                                  color="var(--gray-11)", style=_CELL), align="baseline", wrap="wrap"),
                rx.text(step["what"], size="1", color="var(--gray-11)"),
                spacing="0",
            ),
            align="start", spacing="2", padding_y="3px",
        )),
        data_testid="details-timeline",
    )


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(title, size="2"), *children, spacing="2", width="100%")


def order_details_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(OrderDetailsState.title, size="4", margin="0", data_testid="details-title"),
                rx.spacer(),
                rx.icon_button(rx.icon("refresh-cw", size=14), size="1", variant="ghost", type="button",
                               on_click=OrderDetailsState.refresh, aria_label="Refresh the order's details"),
                rx.dialog.close(rx.icon_button(rx.icon("x", size=16), size="1", variant="ghost",
                                               type="button", aria_label="Close",
                                               data_testid="details-close")),
                align="center", width="100%", spacing="3",
            ),
            rx.dialog.description("Fills, fees, timeline and fill quality of this order.", size="1",
                                  color="var(--gray-11)", margin_bottom="8px"),
            rx.cond(
                OrderDetailsState.error != "",
                rx.callout(OrderDetailsState.error, icon="triangle_alert", color_scheme="red", size="1",
                           data_testid="details-error"),
                rx.vstack(
                    _pairs(OrderDetailsState.summary, "details-summary"),
                    _section("Fills", _fills()),
                    _section("Timeline", _timeline()),
                    _section("Fill quality", _pairs(OrderDetailsState.quality, "details-quality"),
                             rx.cond(~OrderDetailsState.arrival_known,
                                     rx.text("Slippage needs the price the order arrived at, which only the "
                                             "paper venue records.", size="1", color="var(--gray-11)",
                                             data_testid="details-no-arrival"))),
                    spacing="4", width="100%",
                ),
            ),
            max_width="min(720px, calc(100vw - 16px))",
            width="100%",
            padding=rx.breakpoints(initial="14px", sm="24px"),
            data_testid="order-details",
            data_order_id=OrderDetailsState.order_id,
        ),
        open=OrderDetailsState.open,
        on_open_change=OrderDetailsState.set_open,
    )
