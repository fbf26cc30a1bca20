"""The trade page ``/trade/{SYMBOL}``: price header, live chart, order book, recent trades."""

from __future__ import annotations

import reflex as rx

from numatix.ui.components.account_tables import account_tabs
from numatix.ui.components.candle_chart import candle_chart
from numatix.ui.components.layout import page_frame
from numatix.ui.components.order_book import order_book, recent_trades
from numatix.ui.components.order_details import order_details_dialog
from numatix.ui.components.order_form import order_form
from numatix.ui.components.shortcuts import key_handler, shortcuts_dialog
from numatix.ui.states.account import AccountState
from numatix.ui.states.market import TIMEFRAMES, MarketState

ROUTE = "/trade/[symbol]"
DEFAULT_ROUTE = "/trade/BTCUSDT"


def _stat(label: str, value, test_id: str, **props) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color="var(--gray-10)"),
        rx.text(value, size="2", weight="medium", data_testid=test_id, **props),
        spacing="0",
    )


def price_header() -> rx.Component:
    change_color = rx.cond(MarketState.change_positive, "var(--green-11)", "var(--red-11)")
    return rx.hstack(
        rx.vstack(
            rx.heading(MarketState.active_symbol, size="4", data_testid="symbol-name"),
            rx.text(MarketState.base_asset, " / ", MarketState.quote_asset, size="1", color="var(--gray-10)"),
            spacing="0",
        ),
        rx.text(
            MarketState.last_price,
            size="6",
            weight="bold",
            data_testid="last-price",
            color=rx.cond(MarketState.price_direction == "down", "var(--red-11)", "var(--green-11)"),
        ),
        _stat("24h change", rx.text.span(MarketState.change, " ", MarketState.change_percent), "change-24h",
              color=change_color),
        _stat("24h high", MarketState.high, "high-24h"),
        _stat("24h low", MarketState.low, "low-24h"),
        _stat(rx.text.span("24h volume (", MarketState.base_asset, ")"), MarketState.volume, "volume-24h"),
        _stat(rx.text.span("24h volume (", MarketState.quote_asset, ")"), MarketState.quote_volume,
              "quote-volume-24h"),
        spacing="6",
        align="center",
        wrap="wrap",
        data_last_trade_ms=MarketState.last_trade_time_ms,
        data_testid="price-header",
    )


def timeframe_buttons() -> rx.Component:
    return rx.hstack(
        *[
            rx.button(
                frame,
                size="1",
                variant=rx.cond(MarketState.interval == frame, "solid", "ghost"),
                on_click=[MarketState.choose_interval(frame), AccountState.refresh],
                data_testid=f"timeframe-{frame}",
            )
            for frame in TIMEFRAMES
        ],
        spacing="2",
        data_active=MarketState.interval,
        data_testid="timeframes",
    )


def chart_panel() -> rx.Component:
    """Timeframes over a chart that takes whatever height its card has."""
    return rx.flex(
        timeframe_buttons(),
        rx.box(
            candle_chart(
                series_key=MarketState.series_key,
                interval=MarketState.interval,
                history=MarketState.history,
                older=MarketState.older,
                updates=MarketState.updates,
                price_lines=AccountState.price_lines,
                markers=AccountState.markers,
                price_precision=MarketState.price_precision,
                dark=rx.color_mode_cond(light=False, dark=True),
                on_load_more=MarketState.load_older,
                id="price-chart",
            ),
            width="100%",
            flex="1",
            min_height="0",
        ),
        direction="column",
        gap="2",
        width="100%",
        height="100%",
    )


# The market grid, by viewport width (px). A phone stacks chart, form, book and trades; from
# 768 px the form sits beside the book; from 1024 px chart, book and form+trades share one row
# as tall as the screen allows, so the order tabs start inside the first screen.
_AREAS = {
    "0px": '"chart" "form" "book" "trades"',
    "768px": '"chart chart" "form book" "trades book"',
    "1024px": '"chart book form" "chart book trades"',
}
_COLUMNS = {
    "0px": "minmax(0, 1fr)",
    "768px": "minmax(0, 1fr) minmax(0, 1fr)",
    "1024px": "minmax(0, 1fr) 230px 270px",
    "1280px": "minmax(0, 1fr) 300px 310px",
}
_ROWS = {
    "0px": "380px auto 400px 320px",
    "768px": "440px auto 320px",
    "1024px": "auto minmax(0, 1fr)",
}
# Top bar, price header and gaps take ~215 px: the rest of the screen, within reason.
_GRID_HEIGHT = {"0px": "auto", "1024px": "clamp(540px, calc(100vh - 215px), 940px)"}


def _panel(child: rx.Component, area: str, test_id: str, **props) -> rx.Component:
    """A grid cell whose content never sizes the grid: it fills its cell and clips or scrolls."""
    return rx.card(child, grid_area=area, min_width="0", min_height="0", overflow="hidden",
                   data_testid=test_id, **props)


def market_grid() -> rx.Component:
    return rx.box(
        _panel(chart_panel(), "chart", "chart-card", contain="strict"),  # a redraw stays inside
        _panel(order_book(), "book", "book-card", padding="8px", contain="size"),
        _panel(order_form(), "form", "form-card", overflow_y="auto"),
        _panel(recent_trades(), "trades", "trades-card", padding="8px", contain="size"),
        display="grid",
        gap="12px",
        width="100%",
        grid_template_areas=rx.breakpoints(_AREAS),
        grid_template_columns=rx.breakpoints(_COLUMNS),
        grid_template_rows=rx.breakpoints(_ROWS),
        height=rx.breakpoints(_GRID_HEIGHT),
        data_testid="market-grid",
    )


def known_symbol_view() -> rx.Component:
    return rx.vstack(
        rx.card(price_header(), width="100%"),
        market_grid(),
        rx.card(account_tabs(), width="100%", min_width="0", data_testid="account-card"),
        order_details_dialog(),
        key_handler(),
        spacing="3",
        width="100%",
    )


def unknown_symbol_view() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading("Symbol not found", size="6"),
            rx.text("There is no market called ", rx.code(MarketState.active_symbol),
                    " here. Try one of these:"),
            rx.hstack(
                rx.foreach(MarketState.symbols,
                           lambda s: rx.link(s, href="/trade/" + s, data_testid="known-symbol")),
                spacing="4",
            ),
            align="center",
            spacing="3",
            data_testid="symbol-not-found",
        ),
        padding_top="80px",
    )


def trade_page() -> rx.Component:
    return page_frame(rx.cond(MarketState.known, known_symbol_view(), unknown_symbol_view()),
                      extra=(shortcuts_dialog(),))
