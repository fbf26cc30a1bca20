"""Form pieces shared by the log-in, sign-up and settings pages."""

from __future__ import annotations

import reflex as rx


def field(label: str, name: str, kind: str = "text", placeholder: str = "", autocomplete: str = "",
          required: bool = True, error_field=None, **props) -> rx.Component:
    """``error_field``: the state var naming the field at fault, so this input is marked invalid."""
    if error_field is not None:
        props["aria_invalid"] = rx.cond(error_field == name, "true", "false")
    return rx.vstack(
        # Bound to its input by name.
        rx.text(label, as_="label", custom_attrs={"htmlFor": name}, size="2", weight="medium"),
        rx.input(id=name, name=name, type=kind, placeholder=placeholder, auto_complete=autocomplete,
                 required=required, width="100%", size="3", data_testid=f"field-{name}", **props),
        spacing="1",
        width="100%",
    )


def error_callout(message, test_id: str = "form-error") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle_alert", color_scheme="red", size="1", width="100%",
                   data_testid=test_id, role="alert"),
    )


def notice_callout(message, test_id: str = "form-notice") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="check", color_scheme="green", size="1", width="100%",
                   data_testid=test_id, role="status"),
    )


def centered_card(*children: rx.Component) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(*children, spacing="4", width="100%"),
            size="4",
            width="100%",
            max_width="420px",
        ),
        min_height="100vh",
        padding="16px",
    )
