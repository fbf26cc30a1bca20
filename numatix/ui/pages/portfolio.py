"""``/portfolio``: the account at a glance, each part with its CSV download (the API's own CSV)."""

from __future__ import annotations

import reflex as rx

from numatix.ui.components.layout import page_frame
from numatix.ui.components.order_details import (
    WIDE_TABLE,
    details_button,
    order_details_dialog,
    row_opens_details,
)
from numatix.ui.states.portfolio import PERIODS, PortfolioState

ROUTE = "/portfolio"
_CELL = {"font_family": "var(--code-font-family)", "font_size": "12px", "white_space": "nowrap"}
_TONES = (("up", "var(--green-11)"), ("down", "var(--red-11)"))


def _toned(tone) -> dict:
    return {"color": rx.match(tone, *_TONES, "var(--gray-12)")}


def _csv_link(label: str, path: str | rx.Var, name: str) -> rx.Component:
    """A plain link to the API's CSV: the browser sends the session cookie and saves the file."""
    return rx.link(rx.icon("download", size=14), label, href=path, download=f"numatix-{name}.csv",
                   size="1", high_contrast=True, display="inline-flex", align_items="center", gap="4px",
                   aria_label=f"Download {label} as CSV", data_testid=f"csv-{name}")


def _card(title: str, csv: rx.Component | None, *children: rx.Component, **props) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading(title, size="3"), rx.spacer(), csv or rx.fragment(), width="100%",
                      align="center"),
            *children,
            spacing="3", width="100%",
        ),
        width="100%", min_width="0", **props,
    )


def _period_picker() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Period shown", data_testid="portfolio-period"),
        rx.select.content(*[rx.select.item(label, value=days) for days, label in PERIODS.items()]),
        value=PortfolioState.days, on_change=PortfolioState.choose_days, size="2",
    )


def value_card() -> rx.Component:
    chart = rx.recharts.area_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke="var(--gray-a5)", vertical=False),
        rx.recharts.x_axis(data_key="label", tick={"fontSize": 11}, min_tick_gap=40),
        rx.recharts.y_axis(domain=["auto", "auto"], tick={"fontSize": 11}, width=70),
        rx.recharts.graphing_tooltip(),
        rx.recharts.area(data_key="value", name="Value (USDT)", type_="linear", stroke="var(--accent-9)",
                         fill="var(--accent-a4)", is_animation_active=False, dot=False),
        data=PortfolioState.curve, width="100%", height=260,
    )
    return _card(
        "Account value",
        _csv_link("account value", "/api/portfolio/value?format=csv&" + PortfolioState.csv_days,
                  "account-value"),
        rx.hstack(
            rx.text(PortfolioState.value_now, " USDT", size="6", weight="bold", data_testid="value-now"),
            rx.text(PortfolioState.value_change, " over the period", size="2",
                    data_testid="value-change", **_toned(PortfolioState.value_tone)),
            align="baseline", spacing="3", wrap="wrap",
        ),
        rx.box(chart, width="100%", role="img",
               aria_label="Account value over time, in USDT: " + PortfolioState.curve.length().to(str)
               + " points",
               data_testid="value-chart", data_points=PortfolioState.curve.length()),
    )


def daily_card() -> rx.Component:
    chart = rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke="var(--gray-a5)", vertical=False),
        rx.recharts.x_axis(data_key="day", tick={"fontSize": 11}),
        rx.recharts.y_axis(tick={"fontSize": 11}, width=70),
        rx.recharts.reference_line(y=0, stroke="var(--gray-8)"),
        rx.recharts.graphing_tooltip(),
        rx.recharts.bar(data_key="gain", name="Gain (USDT)", fill="var(--green-9)", stack_id="pnl",
                        is_animation_active=False, max_bar_size=48),
        rx.recharts.bar(data_key="loss", name="Loss (USDT)", fill="var(--red-9)", stack_id="pnl",
                        is_animation_active=False, max_bar_size=48),
        data=PortfolioState.daily, width="100%", height=200,
    )
    return _card(
        "Daily P&L (UTC days)",
        _csv_link("daily P&L", "/api/portfolio/daily-pnl?format=csv&" + PortfolioState.csv_days, "daily-pnl"),
        rx.cond(
            PortfolioState.daily.length() > 0,
            rx.box(chart, width="100%", role="img",
                   aria_label="Profit and loss per day, in USDT: " + PortfolioState.daily.length().to(str)
                   + " days", data_testid="daily-chart", data_bars=PortfolioState.daily.length()),
            rx.text("No day with a value yet.", size="2", color="var(--gray-11)", data_testid="daily-empty"),
        ),
        rx.hstack(rx.foreach(PortfolioState.daily, lambda bar: rx.text(
            bar["day"], ": ", bar["text"], size="1", color="var(--gray-11)", data_testid="daily-bar")),
                  spacing="3", wrap="wrap", max_height="64px", overflow_y="auto"),
    )


def _head(*names: str) -> rx.Component:
    return rx.table.header(rx.table.row(*[rx.table.column_header_cell(n) for n in names]))


def _performance_cells(row) -> list[rx.Component]:
    return [
        rx.table.cell(row["symbol"], style=_CELL, data_testid="performance-symbol"),
        rx.table.cell(row["fills"], style=_CELL, data_testid="performance-fills"),
        rx.table.cell(row["round_trips"], style=_CELL, data_testid="performance-round-trips"),
        rx.table.cell(row["win_rate"], style=_CELL, data_testid="performance-win-rate"),
        rx.table.cell(row["volume"], style=_CELL),
        rx.table.cell(row["realized"], style=_CELL, data_testid="performance-realized",
                      **_toned(row["realized_tone"])),
        rx.table.cell(row["unrealized"], style=_CELL, **_toned(row["unrealized_tone"])),
        rx.table.cell(row["fees"], style=_CELL, data_testid="performance-fees"),
        rx.table.cell(row["net"], style=_CELL, data_testid="performance-net", **_toned(row["net_tone"])),
    ]


def performance_card() -> rx.Component:
    return _card(
        "Performance by symbol",
        _csv_link("performance", "/api/portfolio/performance?format=csv", "performance"),
        rx.cond(
            PortfolioState.performance.length() > 0,
            rx.box(rx.table.root(
                _head("Symbol", "Fills", "Round trips", "Win rate", "Volume (USDT)", "Realized P&L",
                      "Unrealized P&L", "Fees (USDT)", "Net realized"),
                rx.table.body(
                    rx.foreach(PortfolioState.performance, lambda row: rx.table.row(
                        *_performance_cells(row), data_testid="performance-row")),
                    rx.table.row(*_performance_cells(PortfolioState.performance_total), font_weight="bold",
                                 data_testid="performance-total"),
                ),
                size="1", **WIDE_TABLE), overflow_x="auto", tab_index=0, width="100%"),
            rx.text("No trades yet.", size="2", color="var(--gray-11)", data_testid="performance-empty"),
        ),
        rx.text("A round trip runs from flat to flat; win rate counts those that made money after fees.",
                size="1", color="var(--gray-11)"),
    )


def executions_card() -> rx.Component:
    summary = rx.grid(
        rx.foreach(PortfolioState.execution_summary, lambda item: rx.vstack(
            rx.text(item["label"], size="1", color="var(--gray-11)"),
            rx.text(item["value"], size="3", weight="medium", data_testid="execution-summary-" + item["key"]),
            spacing="0",
        )),
        columns=rx.breakpoints(initial="2", sm="4", lg="7"), gap="12px", width="100%",
        data_testid="execution-summary",
    )
    rows = rx.box(rx.table.root(
        _head("Time", "Order", "Symbol", "Side", "Type", "Status", "Arrival", "Average", "Slippage (bps)",
              "Time to fill", "Filled", "Maker", "Traded (USDT)", "Details"),
        rx.table.body(rx.foreach(PortfolioState.executions, lambda r: rx.table.row(
            rx.table.cell(rx.moment(r["time_ms"], format="YYYY-MM-DD HH:mm:ss"), style=_CELL),
            rx.table.cell("#", r["id"], style=_CELL), rx.table.cell(r["symbol"], style=_CELL),
            rx.table.cell(r["side"], style=_CELL,
                          color=rx.cond(r["side"] == "BUY", "var(--green-11)", "var(--red-11)")),
            rx.table.cell(r["type"], style=_CELL), rx.table.cell(r["status"], style=_CELL),
            rx.table.cell(r["arrival"], style=_CELL), rx.table.cell(r["average"], style=_CELL),
            rx.table.cell(r["slippage"], style=_CELL, data_testid="execution-slippage",
                          **_toned(r["slippage_tone"])),
            rx.table.cell(r["time_to_fill"], style=_CELL), rx.table.cell(r["fill_ratio"], style=_CELL),
            rx.table.cell(r["maker_share"], style=_CELL), rx.table.cell(r["volume"], style=_CELL),
            rx.table.cell(details_button(r["id"])),
            data_testid="execution-row", **row_opens_details(r["id"]),
        ))),
        size="1", **WIDE_TABLE), overflow_x="auto", tab_index=0, width="100%", max_height="480px",
        overflow_y="auto")
    return _card(
        "Execution quality",
        _csv_link("executions", "/api/portfolio/executions?format=csv", "executions"),
        summary,
        rx.cond(PortfolioState.executions.length() > 0, rows,
                rx.text("No order has traded yet.", size="2", color="var(--gray-11)",
                        data_testid="executions-empty")),
        rx.text("Slippage is against the best opposite price when the order reached the book (paper venue); "
                "positive is worse. Click an order for its fills and timeline.", size="1",
                color="var(--gray-11)"),
    )


def portfolio_page() -> rx.Component:
    return page_frame(
        rx.vstack(
            rx.hstack(
                rx.heading("Portfolio", size="6"),
                rx.spacer(),
                _period_picker(),
                rx.button(rx.icon("refresh-cw", size=14), "Refresh", variant="surface", color_scheme="gray",
                          high_contrast=True, size="2",
                          on_click=PortfolioState.load, type="button", data_testid="portfolio-refresh"),
                width="100%", align="center", spacing="3",
            ),
            rx.cond(PortfolioState.error != "",
                    rx.callout(PortfolioState.error, icon="triangle_alert", color_scheme="red",
                               data_testid="portfolio-error")),
            rx.grid(value_card(), daily_card(), columns=rx.breakpoints(initial="1", md="2"), gap="12px",
                    width="100%"),
            performance_card(),
            executions_card(),
            order_details_dialog(),
            spacing="3", width="100%", max_width="1400px", margin_x="auto",
            data_testid="portfolio-page", data_loaded=PortfolioState.loaded,
        ),
        with_symbol_picker=False,
    )
