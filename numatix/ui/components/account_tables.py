"""Open orders, order history, trade history, balances, positions and alerts, as tabs."""

from __future__ import annotations

import reflex as rx

from numatix.ui.states.account import AccountState
from numatix.ui.states.alerts import AlertsState

_CELL = {"font_family": "var(--code-font-family)", "font_size": "12px", "white_space": "nowrap"}


def _table(headers: list[str], rows, cells, test_id: str, empty: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, lambda row: rx.table.row(*cells(row), data_testid=f"{test_id}-row"))),
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
                rx.alert_dialog.action(rx.button("Cancel all", color_scheme="red", on_click=AccountState.cancel_all,
                                                 data_testid="confirm-cancel-all")),
                justify="end", spacing="3", margin_top="12px",
            ),
        ),
    )
    return rx.vstack(
        rx.hstack(rx.spacer(), cancel_all, width="100%"),
        _table(
            ["Time", "Symbol", "Type", "Side", "Price", "Stop", "Amount", "Filled", "Status", ""],
            AccountState.open_orders,
            lambda o: [_time(o), _cell(o["symbol"]), _cell(o["type"]), _side(o), _cell(o["price"]),
                       _cell(o["stop"]), _cell(o["quantity"]), _cell(o["filled"]),
                       _cell(o["status"], data_testid="open-order-status"),
                       rx.table.cell(rx.button("Cancel", size="1", variant="ghost", color_scheme="red",
                                               on_click=AccountState.cancel(o["id"]), data_testid="cancel-order"))],
            "open-orders", "No open orders.",
        ),
        width="100%",
    )


def order_history() -> rx.Component:
    return rx.vstack(
        _table(["Time", "Symbol", "Type", "Side", "Avg/limit price", "Amount", "Filled", "Status"],
               AccountState.history,
               lambda o: [_time(o), _cell(o["symbol"]), _cell(o["type"]), _side(o), _cell(o["price"]),
                          _cell(o["quantity"]), _cell(o["filled"]), _cell(o["status"], data_testid="history-status")],
               "order-history", "No closed orders yet."),
        rx.hstack(
            rx.button("Newer", size="1", variant="soft", on_click=AccountState.newer_history,
                      disabled=AccountState.history_cursor == 0, data_testid="history-newer"),
            rx.button("Older", size="1", variant="soft", on_click=AccountState.older_history,
                      disabled=~AccountState.history_more, data_testid="history-older"),
            justify="end", width="100%",
        ),
        width="100%",
    )


def trade_history() -> rx.Component:
    return rx.vstack(
        _table(["Time", "Symbol", "Side", "Price", "Amount", "Fee", "Role"],
               AccountState.fills,
               lambda f: [_time(f), _cell(f["symbol"]), _side(f), _cell(f["price"]),
                          _cell(f["quantity"], data_testid="fill-quantity"),
                          _cell(rx.text.span(f["fee"], " ", f["fee_asset"])), _cell(f["role"])],
               "trade-history", "No trades yet."),
        rx.hstack(
            rx.text(AccountState.fills_total, " trades", size="1", color="var(--gray-10)"),
            rx.spacer(),
            rx.button("Newer", size="1", variant="soft", on_click=AccountState.fills_page_step(-1),
                      disabled=AccountState.fills_page == 0),
            rx.button("Older", size="1", variant="soft", on_click=AccountState.fills_page_step(1)),
            rx.button("Export CSV", size="1", on_click=AccountState.export_trades, data_testid="export-trades"),
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
    def pnl(row, key):
        return _cell(row[key], color=rx.cond(row["positive"] == "yes", "var(--green-11)", "var(--red-11)"))

    return _table(["Symbol", "Quantity", "Avg entry", "Last", "Unrealized P&L", "%", "Realized P&L"],
                  AccountState.positions,
                  lambda p: [_cell(p["symbol"], data_testid="position-symbol"), _cell(p["quantity"]),
                             _cell(p["entry"], data_testid="position-entry"), _cell(p["last"]),
                             pnl(p, "unrealized"), pnl(p, "unrealized_percent"), _cell(p["realized"])],
                  "positions", "No positions: trade to open one.")


def alerts() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(data_testid="alert-direction"),
                    rx.select.content(rx.select.item("above", value="above"), rx.select.item("below", value="below")),
                    value=AlertsState.direction, on_change=AlertsState.choose_direction, size="1",
                ),
                rx.input(value=AlertsState.price, on_change=AlertsState.edit_price, placeholder="Price",
                         size="1", input_mode="decimal", data_testid="alert-price"),
                rx.button("Set alert", type="submit", size="1", data_testid="create-alert"),
                rx.cond(AlertsState.error != "", rx.text(AlertsState.error, size="1", color="var(--red-11)",
                                                          data_testid="alert-error")),
                align="center", spacing="2",
            ),
            on_submit=AlertsState.create, reset_on_submit=False,
        ),
        _table(["Symbol", "When", "Price", "State", ""], AlertsState.alerts,
               lambda a: [_cell(a["symbol"]), _cell(a["direction"]), _cell(a["price"]),
                          _cell(a["state"], data_testid="alert-state"),
                          rx.table.cell(rx.button("Delete", size="1", variant="ghost", color_scheme="red",
                                                  on_click=AlertsState.delete(a["id"]), data_testid="delete-alert"))],
               "alerts", "No alerts."),
        width="100%",
    )


def filters() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(data_testid="filter-symbol"),
            rx.select.content(rx.select.item("All symbols", value="all"), rx.select.item("This symbol", value="this")),
            value=AccountState.symbol_filter, on_change=AccountState.filter_symbol, size="1",
        ),
        rx.select.root(
            rx.select.trigger(data_testid="filter-side"),
            rx.select.content(rx.select.item("Both sides", value="all"), rx.select.item("Buy", value="BUY"),
                              rx.select.item("Sell", value="SELL")),
            value=AccountState.side_filter, on_change=AccountState.filter_side, size="1",
        ),
        rx.select.root(
            rx.select.trigger(data_testid="filter-period"),
            rx.select.content(rx.select.item("Any time", value="all"), rx.select.item("Last 24 hours", value="1d"),
                              rx.select.item("Last 7 days", value="7d"), rx.select.item("Last 30 days", value="30d")),
            value=AccountState.period_filter, on_change=AccountState.filter_period, size="1",
        ),
        spacing="2",
    )


def account_tabs() -> rx.Component:
    tabs = [("open", "Open orders", open_orders), ("history", "Order history", order_history),
            ("trades", "Trade history", trade_history), ("positions", "Positions", positions),
            ("balances", "Balances", balances), ("alerts", "Alerts", alerts)]
    return rx.tabs.root(
        rx.hstack(
            rx.tabs.list(*[rx.tabs.trigger(
                rx.cond(key == "open", rx.text.span(label, " (", AccountState.open_orders.length(), ")"), label),
                value=key, data_testid=f"tab-{key}") for key, label, _ in tabs]),
            rx.spacer(), filters(), width="100%", align="center",
        ),
        rx.cond(AccountState.venue_problem != "",
                rx.callout(AccountState.venue_problem, icon="triangle_alert", color_scheme="amber", size="1",
                           margin_top="6px", data_testid="venue-problem")),
        *[rx.tabs.content(rx.box(body(), padding_top="8px", overflow_x="auto"), value=key) for key, _, body in tabs],
        value=AccountState.tab, on_change=AccountState.choose_tab, width="100%",
    )
