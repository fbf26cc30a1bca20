"""Open orders, order history, trade history, balances, positions and alerts, as tabs."""

from __future__ import annotations

import reflex as rx

from numatix.ui.components.order_details import details_button, row_opens_details
from numatix.ui.states.account import AccountState
from numatix.ui.states.alerts import AlertsState

_CELL = {"font_family": "var(--code-font-family)", "font_size": "12px", "white_space": "nowrap"}


def _table(headers: list[str], rows, cells, test_id: str, empty: str, row_props=None) -> rx.Component:
    def row(item) -> rx.Component:
        props = row_props(item) if row_props else {}
        return rx.table.row(*cells(item), data_testid=f"{test_id}-row", **props)

    return rx.cond(
        rows.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, row)),
            size="1", width="100%", data_testid=test_id,
        ),
        rx.text(empty, size="2", color="var(--gray-10)", padding="12px", data_testid=f"{test_id}-empty"),
    )


def _cell(value, **props) -> rx.Component:
    return rx.table.cell(value, style=_CELL, **props)


def _time(row) -> rx.Component:
    """In the browser's own time zone."""
    return rx.table.cell(rx.moment(row["time_ms"], format="YYYY-MM-DD HH:mm:ss"), style=_CELL)


def _side(row) -> rx.Component:
    return _cell(row["side"], color=rx.cond(row["side"] == "BUY", "var(--green-11)", "var(--red-11)"))


def open_orders() -> rx.Component:
    cancel_all = rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Cancel all", size="1", variant="soft", color_scheme="red",
                                          data_testid="cancel-all")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cancel every open order for this symbol?"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep them", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button("Cancel all", color_scheme="red",
                                                 on_click=AccountState.cancel_all,
                                                 data_testid="confirm-cancel-all")),
                justify="end", spacing="3", margin_top="12px",
            ),
        ),
    )
    return rx.vstack(
        rx.hstack(rx.spacer(), cancel_all, width="100%"),
        _table(
            ["Time", "Symbol", "Type", "Side", "Price", "Stop", "Amount", "Filled", "Status", "Action"],
            AccountState.open_orders,
            lambda o: [_time(o), _cell(o["symbol"]), _cell(o["type"], data_testid="open-order-type"),
                       _side(o),
                       _cell(o["price"]), _cell(o["stop"]), _cell(o["quantity"]), _cell(o["filled"]),
                       _cell(o["status"], data_testid="open-order-status"), _cancel_cell(o)],
            "open-orders", "No open orders.", row_props=_pair_row,
        ),
        width="100%",
    )


def _pair_row(order) -> dict:
    """The legs of a one-cancels-the-other pair: one bracketed block, one cancel. A click on a
    leg opens its details."""
    in_pair = order["pair"] != ""
    return {**row_opens_details(order["id"]), "data_pair": order["pair"],
            "box_shadow": rx.cond(in_pair, "inset 3px 0 0 var(--accent-9)", "none"),
            "border_bottom": rx.cond(in_pair & (order["pair_first"] == "yes"), "0", "")}


def _cancel_cell(order) -> rx.Component:
    label = rx.cond(order["pair"] != "", "Cancel pair", "Cancel")
    return rx.table.cell(rx.hstack(details_button(order["id"]), rx.cond(
        order["pair_first"] == "yes",
        rx.button(label, size="1", variant="ghost", color_scheme="red",
                  on_click=AccountState.cancel(order["id"]).stop_propagation,
                  aria_label=rx.cond(order["pair"] != "", "Cancel OCO pair " + order["pair"].to(str),
                                     "Cancel order " + order["id"].to(str)),
                  data_testid="cancel-order", type="button"),
    ), spacing="3", align="center"))


def order_history() -> rx.Component:
    return rx.vstack(
        _table(["Time", "Symbol", "Type", "Side", "Avg price", "Price", "Stop", "Amount", "Filled", "Total",
                "Fee", "Status", "Details"],
               AccountState.history,
               lambda o: [_time(o), _cell(o["symbol"]), _cell(o["type"]), _side(o),
                          _cell(o["average"], data_testid="history-average"),
                          _cell(o["price"], data_testid="history-price"),
                          _cell(o["stop"], data_testid="history-stop"),
                          _cell(o["quantity"]), _cell(o["filled"], data_testid="history-filled"),
                          _cell(o["total"], data_testid="history-total"),
                          _cell(o["fee"], data_testid="history-fee"),
                          _cell(o["status"], data_testid="history-status"),
                          rx.table.cell(details_button(o["id"]))],
               "order-history", "No closed orders yet.", row_props=lambda o: row_opens_details(o["id"])),
        rx.hstack(
            rx.button("Newer", size="1", variant="soft", on_click=AccountState.newer_history,
                      disabled=AccountState.history_cursor == 0, data_testid="history-newer",
                      aria_label="Newer orders"),
            rx.button("Older", size="1", variant="soft", on_click=AccountState.older_history,
                      disabled=~AccountState.history_more, data_testid="history-older",
                      aria_label="Older orders"),
            justify="end", width="100%",
        ),
        width="100%",
    )


def trade_history() -> rx.Component:
    return rx.vstack(
        _table(["Time", "Symbol", "Side", "Price", "Amount", "Fee", "Role", "Order"],
               AccountState.fills,
               lambda f: [_time(f), _cell(f["symbol"]), _side(f), _cell(f["price"]),
                          _cell(f["quantity"], data_testid="fill-quantity"),
                          _cell(rx.text.span(f["fee"], " ", f["fee_asset"])), _cell(f["role"]),
                          rx.table.cell(details_button(f["order"], "Details of order " + f["order"].to(str)
                                                       + ", which made trade " + f["id"].to(str)))],
               "trade-history", "No trades yet.", row_props=lambda f: row_opens_details(f["order"])),
        rx.hstack(
            rx.text(AccountState.fills_total, rx.cond(AccountState.fills_total == 1, " trade", " trades"),
                    size="1", color="var(--gray-10)", data_testid="trades-count"),
            rx.spacer(),
            rx.button("Newer", size="1", variant="soft", on_click=AccountState.fills_page_step(-1),
                      disabled=AccountState.fills_page == 0, aria_label="Newer trades"),
            rx.button("Older", size="1", variant="soft", on_click=AccountState.fills_page_step(1),
                      aria_label="Older trades"),
            rx.button("Export CSV", size="1", on_click=AccountState.export_trades,
                      data_testid="export-trades"),
            width="100%", align="center",
        ),
        width="100%",
    )


def balances() -> rx.Component:
    return _table(["Asset", "Free", "Locked", "Total", "Value (USDT)"], AccountState.balances,
                  lambda b: [_cell(b["asset"]), _cell(b["free"]), _cell(b["locked"]), _cell(b["total"]),
                             _cell(b["value"])],
                  "balances", "No balances.")


def positions() -> rx.Component:
    def pnl(row, key, positive_key="positive", **props):
        return _cell(row[key], color=rx.cond(row[positive_key] == "yes", "var(--green-11)", "var(--red-11)"),
                     **props)

    return _table(["Symbol", "Quantity", "Avg entry", "Last", "Unrealized P&L", "%", "Realized P&L",
                   "Fees (USDT)"],
                  AccountState.positions,
                  lambda p: [_cell(p["symbol"], data_testid="position-symbol"),
                             _cell(p["quantity"], data_testid="position-quantity"),
                             _cell(p["entry"], data_testid="position-entry"), _cell(p["last"]),
                             pnl(p, "unrealized", data_testid="position-unrealized"),
                             pnl(p, "unrealized_percent"),
                             pnl(p, "realized", "realized_positive", data_testid="position-realized"),
                             _cell(p["fees"], data_testid="position-fees")],
                  "positions", "No positions: trade to open one.")


def alerts() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(data_testid="alert-direction", aria_label="Alert when the price goes"),
                    rx.select.content(rx.select.item("above", value="above"),
                                      rx.select.item("below", value="below")),
                    value=AlertsState.direction, on_change=AlertsState.choose_direction, size="1",
                ),
                rx.input(value=AlertsState.price, on_change=AlertsState.edit_price, placeholder="Price",
                         size="1", input_mode="decimal", data_testid="alert-price", aria_label="Alert price",
                         name="alert_price"),
                rx.button("Set alert", type="submit", size="1", data_testid="create-alert"),
                rx.cond(AlertsState.error != "", rx.text(AlertsState.error, size="1", color="var(--red-11)",
                                                          data_testid="alert-error")),
                align="center", spacing="2",
            ),
            on_submit=AlertsState.create, reset_on_submit=False,
        ),
        _table(["Symbol", "When", "Price", "State", "Action"], AlertsState.alerts,
               lambda a: [_cell(a["symbol"]), _cell(a["direction"]), _cell(a["price"]),
                          _cell(a["state"], data_testid="alert-state"),
                          rx.table.cell(rx.button("Delete", size="1", variant="ghost", color_scheme="red",
                                                  on_click=AlertsState.delete(a["id"]),
                                                  data_testid="delete-alert",
                                                  aria_label="Delete alert at " + a["price"].to(str),
                                                  type="button"))],
               "alerts", "No alerts."),
        width="100%",
    )


def filters() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(data_testid="filter-symbol", aria_label="Symbols shown"),
            rx.select.content(rx.select.item("All symbols", value="all"),
                              rx.select.item("This symbol", value="this")),
            value=AccountState.symbol_filter, on_change=AccountState.filter_symbol, size="1",
        ),
        rx.select.root(
            rx.select.trigger(data_testid="filter-side", aria_label="Sides shown"),
            rx.select.content(rx.select.item("Both sides", value="all"), rx.select.item("Buy", value="BUY"),
                              rx.select.item("Sell", value="SELL")),
            value=AccountState.side_filter, on_change=AccountState.filter_side, size="1",
        ),
        rx.select.root(
            rx.select.trigger(data_testid="filter-period", aria_label="Period shown"),
            rx.select.content(rx.select.item("Any time", value="all"),
                              rx.select.item("Last 24 hours", value="1d"),
                              rx.select.item("Last 7 days", value="7d"),
                              rx.select.item("Last 30 days", value="30d")),
            value=AccountState.period_filter, on_change=AccountState.filter_period, size="1",
        ),
        spacing="2",
    )


# Symbol, side and time mean something for orders and trades only: the other tabs hide the
# filters. In the page itself (CSS on the active trigger), like the tab: a tab that waited for
# the server's answer dropped a second click made before the first one's came back.
UNFILTERED_TABS = ("positions", "balances", "alerts")
_HIDE_FILTERS = {
    "&:has(" + ", ".join(f"[data-testid='tab-{key}'][data-state='active']" for key in UNFILTERED_TABS)
    + ") [data-account-filters]": {"display": "none"},
}


def _scroll_box(table: rx.Component) -> rx.Component:
    """A table wider than the screen scrolls sideways (keys too: the box takes focus), and says
    so while there is more to its right (the page script marks it ``data-more``)."""
    return rx.fragment(
        rx.box(table, padding_top="8px", overflow_x="auto", tab_index=0, data_scroll_box="",
               style={"&[data-more='yes'] + [data-scroll-hint]": {"display": "block"}}),
        rx.text("Scroll sideways for more columns →", size="1", color="var(--gray-11)", display="none",
                text_align="right", data_scroll_hint="", data_testid="scroll-hint"),
    )


def account_tabs() -> rx.Component:
    tabs = [("open", "Open orders", open_orders), ("history", "Order history", order_history),
            ("trades", "Trade history", trade_history), ("positions", "Positions", positions),
            ("balances", "Balances", balances), ("alerts", "Alerts", alerts)]
    return rx.tabs.root(
        rx.hstack(
            rx.tabs.list(*[rx.tabs.trigger(
                rx.cond(key == "open", rx.text.span(label, " (", AccountState.open_orders.length(), ")"),
                        label),
                value=key, data_testid=f"tab-{key}") for key, label, _ in tabs],
                # a narrow screen wraps the tabs onto a second row: a sideways scroller (whose bar the
                # theme hides) showed "Trade his" cut at the edge and hid the tabs after it
                max_width="100%", flex_wrap="wrap", overflow="visible", flex_shrink="1", min_width="0",
                data_testid="account-tab-list"),
            rx.spacer(),
            rx.box(filters(), data_account_filters=""),
            width="100%", align="center", wrap="wrap",
        ),
        rx.cond(AccountState.venue_problem != "",
                rx.callout(AccountState.venue_problem, icon="triangle_alert", color_scheme="amber", size="1",
                           margin_top="6px", data_testid="venue-problem")),
        *[rx.tabs.content(_scroll_box(body()), value=key) for key, _, body in tabs],
        default_value="open", width="100%", style=_HIDE_FILTERS,
    )
