"""The trade page ``/trade/{SYMBOL}``: price header, live chart, order book, recent trades."""

from __future__ import annotations

import reflex as rx

from numatix.ui.components.candle_chart import candle_chart
from numatix.ui.components.layout import page_frame
from numatix.ui.components.account_tables import account_tabs
from numatix.ui.components.order_book import order_book, recent_trades
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
        _stat(rx.text.span("24h volume (", MarketState.quote_asset, ")"), MarketState.quote_volume, "quote-volume-24h"),
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
    return rx.vstack(
        timeframe_buttons(),
        rx.box(
            candle_chart(
                series_key=MarketState.series_key,
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
            height="520px",
        ),
        width="100%",
        spacing="2",
    )


def market_panels() -> rx.Component:
    return rx.vstack(
        rx.card(order_book(), width="100%", padding="8px"),
        rx.card(recent_trades(), width="100%", padding="8px"),
        width=["100%", "100%", "300px"],
        min_width=["0", "0", "280px"],
        spacing="3",
    )


def trading_panel() -> rx.Component:
    return rx.vstack(
        rx.card(order_form(), width="100%"),
        width=["100%", "100%", "280px"],
        min_width=["0", "0", "260px"],
        spacing="3",
    )


def known_symbol_view() -> rx.Component:
    return rx.vstack(
        rx.card(price_header(), width="100%"),
        rx.flex(
            rx.card(chart_panel(), flex="1", min_width="0"),
            market_panels(),
            trading_panel(),
            direction=rx.breakpoints(initial="column", md="row"),
            spacing="3",
            width="100%",
        ),
        rx.card(account_tabs(), width="100%"),
        key_handler(),
        spacing="3",
        width="100%",
    )


def unknown_symbol_view() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading("Symbol not found", size="6"),
            rx.text("There is no market called ", rx.code(MarketState.active_symbol), " here. Try one of these:"),
            rx.hstack(
                rx.foreach(MarketState.symbols, lambda s: rx.link(s, href="/trade/" + s, data_testid="known-symbol")),
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
