"""The page for an address that is not one: says so, and offers the way back."""

from __future__ import annotations

import reflex as rx

ROUTE = "404"


def not_found_page() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading("Page not found", size="6"),
            rx.text("There is no page at this address.", size="2", color="var(--gray-11)"),
            rx.hstack(
                rx.link("Trade", href="/trade/BTCUSDT", data_testid="not-found-trade"),
                rx.link("Portfolio", href="/portfolio"),
                rx.link("Settings", href="/settings"),
                spacing="4",
            ),
            align="center",
            spacing="3",
            data_testid="not-found",
        ),
        padding_top="120px",
    )
