"""``/settings``: where orders go, the Binance key, the password, the paper wallet, sessions."""

from __future__ import annotations

import reflex as rx

from numatix.domain.balances import amounts_in_words
from numatix.ui.components.forms import error_callout, field, notice_callout
from numatix.ui.components.layout import page_frame
from numatix.ui.components.sessions_list import sessions_section
from numatix.ui.states.session import SessionState
from numatix.ui.states.settings import SettingsState

ROUTE = "/settings"


def section(title: str, *children: rx.Component, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%"), width="100%",
                   **props)


def venue_section() -> rx.Component:
    return section(
        "Where your orders go",
        rx.radio_group.root(
            rx.hstack(
                rx.radio_group.item("Paper exchange (simulated, no keys needed)", value="paper",
                                    data_testid="venue-paper"),
                rx.radio_group.item("Binance Spot Testnet (your key)", value="binance-testnet",
                                    data_testid="venue-binance", disabled=~SettingsState.has_key),
                spacing="5",
                wrap="wrap",
            ),
            value=SettingsState.venue,
            on_change=SettingsState.choose_venue,
        ),
    )


def key_section() -> rx.Component:
    return section(
        "Binance Spot Testnet key",
        rx.cond(
            SettingsState.has_key,
            rx.hstack(
                rx.text("Saved key ", rx.code(SettingsState.key_hint, data_testid="key-hint"), " (",
                        SettingsState.key_signature, "), checked ", SettingsState.key_checked, size="2"),
                rx.spacer(),
                rx.button("Delete key", color_scheme="red", variant="soft", on_click=SettingsState.delete_key,
                          data_testid="delete-key"),
                width="100%",
                align="center",
            ),
            rx.text("No key saved. Create one at testnet.binance.vision.", size="2", color="var(--gray-11)"),
        ),
        rx.form(
            rx.vstack(
                field("API key", "api_key", "text", "", "off", required=False,
                      error_field=SettingsState.key_error_field),
                field("Secret key (HMAC) or Ed25519 private key (PEM)", "secret", "password", "", "off",
                      required=False, error_field=SettingsState.key_error_field),
                rx.select.root(
                    rx.select.trigger(data_testid="signature-kind", aria_label="Signature kind"),
                    rx.select.content(
                        rx.select.item("HMAC-SHA256", value="HMAC_SHA256"),
                        rx.select.item("Ed25519", value="ED25519"),
                    ),
                    name="signature",
                    default_value="HMAC_SHA256",
                ),
                error_callout(SettingsState.key_error, "key-error"),
                rx.button(rx.cond(SettingsState.has_key, "Replace key", "Check and save key"), type="submit",
                          loading=SettingsState.busy, data_testid="save-key"),
                spacing="3",
                width="100%",
            ),
            on_submit=SettingsState.save_key,
            reset_on_submit=False,  # a refused or unchecked key stays for another try; saved, it is cleared
            width="100%",
        ),
    )


def password_section() -> rx.Component:
    return section(
        "Password",
        rx.form(
            rx.vstack(
                field("Current password", "current_password", "password", "", "current-password",
                      error_field=SettingsState.password_error_field),
                field("New password", "new_password", "password", "at least 10 characters", "new-password",
                      error_field=SettingsState.password_error_field),
                field("Repeat the new password", "confirm_password", "password", "", "new-password",
                      error_field=SettingsState.password_error_field),
                error_callout(SettingsState.password_error, "password-error"),
                rx.button("Change password", type="submit", data_testid="change-password"),
                spacing="3",
                width="100%",
            ),
            on_submit=SettingsState.change_password,
            reset_on_submit=False,  # a refused change keeps what was typed; a done one reloads the page
            width="100%",
        ),
    )


def wallet_and_sessions_section() -> rx.Component:
    return section(
        "Paper wallet and sessions",
        rx.hstack(
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(rx.button("Reset paper wallet", variant="soft", color_scheme="orange",
                                                  data_testid="reset-wallet")),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Reset the paper wallet?"),
                    rx.alert_dialog.description(
                        f"Open paper orders are canceled and balances go back to {amounts_in_words()}. "
                        "Your order and trade history stay."),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                        rx.alert_dialog.action(rx.button("Reset", color_scheme="orange",
                                                         on_click=SettingsState.reset_wallet,
                                                         data_testid="confirm-reset")),
                        justify="end",
                        spacing="3",
                        margin_top="12px",
                    ),
                ),
            ),
            rx.button("Log out everywhere", variant="soft", color_scheme="red",
                      on_click=SettingsState.log_out_everywhere, data_testid="log-out-everywhere"),
            spacing="3",
            wrap="wrap",
        ),
    )


def settings_page() -> rx.Component:
    return page_frame(
        rx.vstack(
            rx.heading("Settings", size="6"),
            rx.text("Signed in as ", rx.text.strong(SessionState.email, data_testid="signed-in-email"),
                    size="2"),
            error_callout(SettingsState.error, "settings-error"),
            notice_callout(SettingsState.notice, "settings-notice"),
            venue_section(),
            key_section(),
            password_section(),
            wallet_and_sessions_section(),
            sessions_section(),
            spacing="4",
            max_width="720px",
            width="100%",
            margin_x="auto",
        ),
        with_symbol_picker=False,
    )
