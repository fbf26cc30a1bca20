"""The frame around every page: top bar with brand, symbol picker, feed and connection badges."""

from __future__ import annotations

import reflex as rx

from numatix.ui.components.connection import connection_indicator, feed_badge
from numatix.ui.states.market import MarketState


def symbol_picker() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(variant="soft", data_testid="symbol-picker"),
        rx.select.content(rx.foreach(MarketState.symbols, lambda s: rx.select.item(s, value=s))),
        value=MarketState.active_symbol,
        on_change=MarketState.choose_symbol,
        size="2",
    )


def top_bar(*extra: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.link(rx.heading("Numatix", size="5", weight="bold"), href="/", underline="none"),
        symbol_picker(),
        rx.spacer(),
        *extra,
        feed_badge(),
        connection_indicator(),
        rx.color_mode.button(size="2", variant="ghost", data_testid="theme-toggle"),
        align="center",
        spacing="3",
        padding_x="16px",
        padding_y="8px",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
    )


def page_frame(*children: rx.Component, extra: tuple[rx.Component, ...] = ()) -> rx.Component:
    return rx.box(
        top_bar(*extra),
        rx.box(*children, padding="12px", width="100%"),
        min_height="100vh",
        width="100%",
    )
