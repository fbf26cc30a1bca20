"""The sessions card of /settings: one row per device signed in to this account."""

from __future__ import annotations

import reflex as rx

from numatix.ui.states.sessions_list import SessionsListState

# the last column's header is read by a screen reader, not shown: its buttons say what they do
_READ_ONLY_ALOUD = {"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
                    "clip": "rect(0 0 0 0)", "white_space": "nowrap"}


def _row(row) -> rx.Component:
    current = row["current"] == "yes"
    return rx.table.row(
        rx.table.cell(rx.vstack(
            rx.text(row["device"], white_space="nowrap"),
            rx.cond(current, rx.badge("This device", color_scheme="green", variant="soft")),
            spacing="1", align="start")),
        rx.table.cell(row["address"], white_space="nowrap"),
        rx.table.cell(rx.moment(row["last_seen_ms"], from_now=True, title="Last used"), white_space="nowrap"),
        rx.table.cell(rx.moment(row["created_ms"], format="YYYY-MM-DD HH:mm"), white_space="nowrap"),
        rx.table.cell(rx.button(
            "Log out", size="1", variant="soft", color_scheme="red", type="button", white_space="nowrap",
            on_click=SessionsListState.end(row["id"]),
            aria_label=rx.cond(current, "Log out of this device", "Log out of " + row["device"].to(str)),
            data_testid="end-session"), text_align="right"),
        data_testid="session-row",
    )


def sessions_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Where you are signed in", size="3"),
            rx.cond(SessionsListState.notice != "",
                    rx.text(SessionsListState.notice, size="2", color="var(--green-11)", role="status",
                            data_testid="sessions-notice")),
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell("Device"), rx.table.column_header_cell("Address"),
                        rx.table.column_header_cell("Last seen"), rx.table.column_header_cell("Signed in"),
                        rx.table.column_header_cell(rx.text.span("Log out", style=_READ_ONLY_ALOUD)),
                    )),
                    rx.table.body(rx.foreach(SessionsListState.sessions, _row)),
                    size="1", width="100%",
                ),
                overflow_x="auto", width="100%",
            ),
            spacing="3", width="100%",
        ),
        width="100%",
        data_testid="sessions-card",
    )
