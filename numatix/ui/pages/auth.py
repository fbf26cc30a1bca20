"""``/login`` and ``/signup``: the only pages open without a session."""

from __future__ import annotations

import reflex as rx

from numatix.ui.components.forms import centered_card, error_callout, field
from numatix.ui.states.auth_forms import AuthFormState
from numatix.ui.states.session import LOGIN_ROUTE, SIGNUP_ROUTE


def brand() -> rx.Component:
    return rx.hstack(
        rx.heading("Numatix", size="6", weight="bold"),
        rx.spacer(),
        rx.color_mode.button(size="2", variant="ghost"),
        width="100%",
        align="center",
    )


def login_page() -> rx.Component:
    return centered_card(
        brand(),
        rx.text("Log in to trade.", color="var(--gray-11)"),
        rx.form(
            rx.vstack(
                field("Email", "email", "email", "name@example.com", "username"),
                field("Password", "password", "password", "", "current-password"),
                error_callout(AuthFormState.error),
                rx.button("Log in", type="submit", size="3", width="100%", loading=AuthFormState.busy,
                          data_testid="log-in"),
                spacing="3",
                width="100%",
            ),
            on_submit=AuthFormState.log_in,
            reset_on_submit=False,
            width="100%",
        ),
        rx.text("New here? ", rx.link("Create an account", href=SIGNUP_ROUTE, data_testid="to-signup"), size="2"),
    )


def signup_page() -> rx.Component:
    return centered_card(
        brand(),
        rx.text("Create an account: you start with a paper wallet of 10,000 USDT, 0.1 BTC, 1 ETH and 10 BNB.",
                color="var(--gray-11)", size="2"),
        rx.form(
            rx.vstack(
                field("Email", "email", "email", "name@example.com", "username"),
                field("Password", "password", "password", "at least 10 characters", "new-password", min_length=10),
                field("Repeat the password", "confirm", "password", "", "new-password"),
                rx.accordion.root(
                    rx.accordion.item(
                        header="Binance Spot Testnet key (optional)",
                        content=rx.vstack(
                            field("API key", "api_key", "text", "", "off", required=False),
                            field("Secret key", "secret", "password", "", "off", required=False),
                            width="100%",
                        ),
                    ),
                    collapsible=True,
                    type="single",
                    variant="ghost",
                    width="100%",
                ),
                error_callout(AuthFormState.error),
                rx.button("Create account", type="submit", size="3", width="100%", loading=AuthFormState.busy,
                          data_testid="sign-up"),
                spacing="3",
                width="100%",
            ),
            on_submit=AuthFormState.sign_up,
            reset_on_submit=False,
            width="100%",
        ),
        rx.text("Already have an account? ", rx.link("Log in", href=LOGIN_ROUTE, data_testid="to-login"), size="2"),
    )
