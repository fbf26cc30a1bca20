"""Keyboard shortcuts and browser notifications for the trade page.

The key handler is a few lines of page script: it only clicks or focuses elements that
are on the page anyway (by their data-testid), so each shortcut does exactly what the
mouse would, through the same event handlers.
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

KEY_SCRIPT = """
(() => {
  if (window.numatixKeys) return;
  window.numatixKeys = true;
  const click = (id) => { const el = document.querySelector(`[data-testid="${id}"]`); if (el) el.click(); };
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "?") { click("shortcuts-open"); event.preventDefault(); }
    else if (event.key === "b") click("side-buy");
    else if (event.key === "s") click("side-sell");
    else if (event.key === "/") { click("symbol-picker"); event.preventDefault(); }
  });
  window.numatixAskToNotify = () => {
    if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
  };
  window.numatixNotify = (text) => {
    if ("Notification" in window && Notification.permission === "granted") new Notification("Numatix", { body: text });
  };
})();
"""


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
    return rx.script(KEY_SCRIPT)
