"""``/login`` and ``/signup``: the only pages open without a session."""

from __future__ import annotations

import reflex as rx

from numatix.domain.balances import amounts_in_words
from numatix.ui.components.forms import centered_card, error_callout, field
from numatix.ui.states.auth_forms import SIGNUP_FORM_ID, AuthFormState
from numatix.ui.states.session import LOGIN_ROUTE, SIGNUP_ROUTE


def brand() -> rx.Component:
    return rx.hstack(
        rx.heading("Numatix", size="6", weight="bold"),
        rx.spacer(),
        rx.color_mode.button(size="2", variant="ghost", aria_label="Switch light or dark theme"),
        width="100%",
        align="center",
    )


def login_page() -> rx.Component:
    return centered_card(
        brand(),
        rx.text("Log in to trade.", color="var(--gray-11)"),
        rx.form(
            rx.vstack(
                field("Email", "email", "email", "name@example.com", "username",
                      error_field=AuthFormState.error_field),
                field("Password", "password", "password", "", "current-password",
                      error_field=AuthFormState.error_field),
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
        rx.text("New here? ",
                rx.link("Create an account", href=SIGNUP_ROUTE, underline="always", data_testid="to-signup"),
                size="2"),
    )


def without_key_choice() -> rx.Component:
    """Binance did not answer: the key stays in its fields for another try, or the account starts
    without it."""
    return rx.vstack(
        rx.text("You can create the account now and add the key later in Settings.", size="2",
                color="var(--gray-11)"),
        rx.button("Create account without the key", type="button", variant="soft", size="3", width="100%",
                  on_click=AuthFormState.sign_up_without_key, disabled=AuthFormState.busy,
                  data_testid="sign-up-without-key"),
        spacing="2",
        width="100%",
    )


def signup_page() -> rx.Component:
    return centered_card(
        brand(),
        rx.text(f"Create an account: you start with a paper wallet of {amounts_in_words()}.",
                color="var(--gray-11)", size="2"),
        rx.form(
            rx.vstack(
                field("Email", "email", "email", "name@example.com", "username",
                      error_field=AuthFormState.error_field),
                field("Password", "password", "password", "at least 10 characters", "new-password",
                      min_length=10,
                      error_field=AuthFormState.error_field),
                field("Repeat the password", "confirm", "password", "", "new-password",
                      error_field=AuthFormState.error_field),
                # a plain disclosure: left-aligned on one line like the labels above it (the
                # accordion centred its title and wrapped it in a large font)
                rx.el.details(
                    rx.el.summary("Binance Spot Testnet key (optional)", cursor="pointer",
                                  font_size="var(--font-size-2)", font_weight="500",
                                  color="var(--accent-11)"),
                    rx.vstack(
                        field("API key", "api_key", "text", "", "off", required=False,
                              error_field=AuthFormState.error_field),
                        field("Secret key", "secret", "password", "", "off", required=False,
                              error_field=AuthFormState.error_field),
                        width="100%", padding_top="8px",
                    ),
                    # open when a refusal names one of its fields
                    open=(AuthFormState.error_field == "api_key") | (AuthFormState.error_field == "secret"),
                    width="100%",
                ),
                error_callout(AuthFormState.error),
                rx.button("Create account", type="submit", size="3", width="100%", loading=AuthFormState.busy,
                          data_testid="sign-up"),
                rx.cond(AuthFormState.key_unreachable, without_key_choice()),
                spacing="3",
                width="100%",
            ),
            on_submit=AuthFormState.sign_up,
            reset_on_submit=False,
            width="100%",
            id=SIGNUP_FORM_ID,
        ),
        rx.text("Already have an account? ",
                rx.link("Log in", href=LOGIN_ROUTE, underline="always", data_testid="to-login"),
                size="2"),
    )
