"""Badges for where market data comes from and whether this tab is connected.

"Reconnecting" and "Offline" read the browser's own socket errors, so they show even
when the server cannot be reached to say so. Only a page that streams a market (the
trade page) also reports that market's feed; elsewhere a hydrated page is simply Live.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var
from reflex_components_core.core.banner import connect_error_var_data

from numatix.ui.states.market import MarketState

socket_failing: Var[bool] = Var(_js_expr="(connectErrors.length > 0)", _var_data=connect_error_var_data)
socket_down: Var[bool] = Var(_js_expr="(connectErrors.length >= 4)", _var_data=connect_error_var_data)

FEED_LABELS = {"synthetic": "Synthetic", "replay": "Replay", "binance": "Binance"}
_STATES = {  # label: (dot colour, what a screen reader and the tooltip say)
    "Live": ("green", "Connected: prices and orders update live"),
    "Connecting": ("gray", "Connecting to the server"),
    "Reconnecting": ("amber", "Connection lost: reconnecting"),
    "Offline": ("red", "Offline: the server or the market feed cannot be reached"),
}


def _pill(label: str, market: bool = False) -> rx.Component:
    """On a phone only the dot shows; the words stay in the label a screen reader reads."""
    color, meaning = _STATES[label]
    feed = rx.cond(MarketState.feed_kind != "", ". Market data: " + MarketState.feed_kind, "")
    described = meaning + feed if market else meaning
    return rx.badge(
        rx.box(width="7px", height="7px", border_radius="50%", background=f"var(--{color}-9)",
               flex_shrink="0"),
        rx.text.span(label, display=rx.breakpoints({"0px": "none", "520px": "inline"})),
        color_scheme=color,
        variant="soft",
        high_contrast=True,  # the soft green's own text is below 4.5:1 on white
        radius="full",
        title=described,
        role="status",
        aria_label=described,
        data_testid="connection-status",
        data_state=label.lower(),
    )


def _feed_state() -> rx.Component:
    return rx.match(
        MarketState.feed_status,
        ("live", _pill("Live", market=True)),
        ("reconnecting", _pill("Reconnecting", market=True)),
        ("offline", _pill("Offline", market=True)),
        _pill("Connecting", market=True),
    )


def connection_indicator(market: bool = True) -> rx.Component:
    """``market``: this page streams a market, whose feed state counts too."""
    return rx.cond(
        socket_down,
        _pill("Offline"),
        rx.cond(
            socket_failing,
            _pill("Reconnecting"),
            rx.cond(rx.State.is_hydrated, _feed_state() if market else _pill("Live"), _pill("Connecting")),
        ),
    )


def feed_badge() -> rx.Component:
    return rx.match(
        MarketState.feed_kind,
        *[
            (kind, rx.badge(label, variant="outline", color_scheme="gray",
                            title="Where market data comes from", data_testid="feed-badge"))
            for kind, label in FEED_LABELS.items()
        ],
        rx.fragment(),
    )
