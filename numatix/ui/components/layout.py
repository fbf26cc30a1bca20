"""The frame around every page: top bar with brand, symbol picker, feed and connection badges."""

from __future__ import annotations

import reflex as rx

from numatix.ui.components.connection import connection_indicator, feed_badge
from numatix.ui.states.market import MarketState
from numatix.ui.states.session import SessionState


def symbol_picker() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(variant="soft", data_testid="symbol-picker"),
        rx.select.content(rx.foreach(MarketState.symbols, lambda s: rx.select.item(s, value=s))),
        value=MarketState.active_symbol,
        on_change=MarketState.choose_symbol,
        size="2",
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(rx.button(rx.icon("user", size=16), SessionState.email, variant="ghost", size="2",
                                  data_testid="user-menu")),
        rx.menu.content(
            rx.menu.item("Trade", on_click=rx.redirect("/trade/BTCUSDT")),
            rx.menu.item("Settings", on_click=rx.redirect("/settings"), data_testid="menu-settings"),
            rx.menu.separator(),
            rx.menu.item("Log out", on_click=SessionState.log_out, data_testid="log-out"),
        ),
    )


def venue_badge() -> rx.Component:
    """Where orders go, always in sight: trading on the testnet by mistake should be hard."""
    on_binance = SessionState.venue == "binance-testnet"
    return rx.cond(
        SessionState.signed_in,
        rx.link(
            rx.badge(rx.cond(on_binance, "Binance Testnet", "Paper"), color_scheme=rx.cond(on_binance, "amber", "gray"),
                     variant="surface", size="2", data_testid="venue-badge"),
            href="/settings", underline="none", title="Where your orders go (change in Settings)",
        ),
    )


def top_bar(*extra: rx.Component, with_symbol_picker: bool = True) -> rx.Component:
    return rx.hstack(
        rx.link(rx.heading("Numatix", size="5", weight="bold"), href="/", underline="none"),
        symbol_picker() if with_symbol_picker else rx.fragment(),
        rx.spacer(),
        *extra,
        venue_badge(),
        feed_badge(),
        connection_indicator(),
        user_menu(),
        rx.color_mode.button(size="2", variant="ghost", data_testid="theme-toggle"),
        align="center",
        spacing="3",
        padding_x="16px",
        padding_y="8px",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
    )


def page_frame(*children: rx.Component, extra: tuple[rx.Component, ...] = (),
               with_symbol_picker: bool = True) -> rx.Component:
    return rx.box(
        top_bar(*extra, with_symbol_picker=with_symbol_picker),
        rx.box(*children, padding="12px", width="100%"),
        min_height="100vh",
        width="100%",
    )
