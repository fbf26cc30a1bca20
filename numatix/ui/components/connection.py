"""Badges for where market data comes from and whether this tab is connected.

"Reconnecting" and "Offline" read the browser's own socket errors, so they show even
when the server cannot be reached to say so.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var
from reflex_components_core.core.banner import connect_error_var_data

from numatix.ui.states.market import MarketState

socket_failing = Var(_js_expr="(connectErrors.length > 0)", _var_data=connect_error_var_data)
socket_down = Var(_js_expr="(connectErrors.length >= 4)", _var_data=connect_error_var_data)

FEED_LABELS = {"synthetic": "Synthetic", "replay": "Replay", "binance": "Binance"}


def _pill(label: str, color: str, test_id: str) -> rx.Component:
    return rx.badge(
        rx.box(width="7px", height="7px", border_radius="50%", background=f"var(--{color}-9)"),
        label,
        color_scheme=color,
        variant="soft",
        radius="full",
        data_testid=test_id,
        data_state=label.lower(),
    )


def connection_indicator() -> rx.Component:
    return rx.cond(
        socket_down,
        _pill("Offline", "red", "connection-status"),
        rx.cond(
            socket_failing | (MarketState.feed_status == "reconnecting"),
            _pill("Reconnecting", "amber", "connection-status"),
            rx.cond(
                MarketState.feed_status == "live",
                _pill("Live", "green", "connection-status"),
                _pill("Offline", "red", "connection-status"),
            ),
        ),
    )


def feed_badge() -> rx.Component:
    return rx.match(
        MarketState.feed_kind,
        *[
            (kind, rx.badge(label, variant="outline", color_scheme="gray", data_testid="feed-badge"))
            for kind, label in FEED_LABELS.items()
        ],
        rx.fragment(),
    )
