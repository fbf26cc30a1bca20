"""Keyboard shortcuts and browser notifications for the trade page.

The key handler is a few lines of page script (assets/numatix-keys.js): it only clicks or
focuses elements that are on the page anyway (by their data-testid), so each shortcut does
exactly what the mouse would, through the same event handlers.
"""

from __future__ import annotations

import reflex as rx

SHORTCUTS = [
    ("?", "Show this list"),
    ("Esc", "Close a dialog or menu"),
    ("b", "Buy side"),
    ("s", "Sell side"),
    ("/", "Choose another symbol"),
    ("Enter", "Place the order (in the order form)"),
]

KEY_SCRIPT = "/numatix-keys.js"  # assets/numatix-keys.js: served from this origin, as the CSP wants


def shortcuts_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button("?", size="1", variant="ghost", aria_label="Keyboard shortcuts",
                                    data_testid="shortcuts-open")),
        rx.dialog.content(
            rx.dialog.title("Keyboard shortcuts"),
            rx.vstack(
                *[rx.hstack(rx.code(key), rx.text(what, size="2"), spacing="3") for key, what in SHORTCUTS],
                spacing="2", data_testid="shortcuts-list",
            ),
            rx.hstack(rx.dialog.close(rx.button("Close", variant="soft")), justify="end", margin_top="12px"),
        ),
    )


def key_handler() -> rx.Component:
    return rx.script(src=KEY_SCRIPT)
