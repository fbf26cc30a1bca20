"""The frame around every page: top bar with brand, symbol picker, feed and connection badges."""

from __future__ import annotations

import reflex as rx

from numatix.ui.components.connection import connection_indicator, feed_badge
from numatix.ui.states.market import MarketState
from numatix.ui.states.market_list import MarketListState
from numatix.ui.states.session import SessionState

_NUMBER = {"font_family": "var(--code-font-family)", "font_size": "12px"}
_VISUALLY_HIDDEN = {"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
                    "clip": "rect(0 0 0 0)", "white_space": "nowrap"}
# The page links, keyboard help and feed name need a tablet's width; the email a laptop's. Below,
# each is still reachable: the links in the account menu, the email in the account button's name and
# on the Settings page, the feed in the connection badge's label.
TABLET_UP = rx.breakpoints({"0px": "none", "768px": "inline-flex"})
LAPTOP_UP = rx.breakpoints({"0px": "none", "992px": "inline-flex"})


_VOLUME_WIDTH = "72px"
_CHANGE_WIDTH = "64px"


def _star(row) -> rx.Component:
    starred = MarketListState.favourites.contains(row["symbol"])
    return rx.icon_button(
        rx.icon("star", size=14, fill=rx.cond(starred, "var(--amber-9)", "none"),
                color=rx.cond(starred, "var(--amber-10)", "var(--gray-10)")),
        size="1", variant="ghost", color_scheme="gray", type="button",
        on_click=MarketListState.star(row["symbol"]),
        aria_label=rx.cond(starred, "Remove " + row["symbol"] + " from favourites",
                           "Add " + row["symbol"] + " to favourites"),
        aria_pressed=rx.cond(starred, "true", "false"),
        data_testid="favourite-toggle", data_symbol=row["symbol"],
    )


def _market_row(row) -> rx.Component:
    color = rx.match(row["direction"], ("up", "var(--green-11)"), ("down", "var(--red-11)"), "var(--gray-11)")
    return rx.hstack(
        _star(row),
        rx.link(
            rx.text(row["base"], rx.text.span("/", row["quote"], color="var(--gray-11)"), weight="medium",
                    flex="1", min_width="0", white_space="nowrap"),
            rx.text(row["price"], flex="1", text_align="right", style=_NUMBER),
            rx.text(row["change"], width=_CHANGE_WIDTH, text_align="right", color=color, style=_NUMBER),
            rx.text(row["volume"], width=_VOLUME_WIDTH, text_align="right", style=_NUMBER,
                    data_testid="symbol-volume"),
            href="/trade/" + row["symbol"],
            on_click=MarketListState.toggle(False),
            display="flex",
            gap="8px",
            flex="1",
            min_width="0",
            align_items="center",
            padding="6px 8px 6px 4px",
            border_radius="var(--radius-2)",
            underline="none",
            color="var(--gray-12)",
            _hover={"background": "var(--gray-a3)"},
            _focus_visible={"background": "var(--accent-a4)", "outline": "2px solid var(--accent-8)"},
            aria_current=rx.cond(row["symbol"] == MarketState.active_symbol, "page", "false"),
            data_testid="symbol-option",
            data_symbol=row["symbol"],
        ),
        spacing="1",
        align="center",
        width="100%",
        data_testid="market-row",
        data_symbol=row["symbol"],
    )


def _sort_button(label: str, key: str, **props) -> rx.Component:
    """A column header that sorts the list by it; its name says how it sorts now."""
    active = MarketListState.sort_key == key
    arrow = rx.cond(active, rx.cond(MarketListState.sort_descending, " ↓", " ↑"), "")
    order = rx.cond(MarketListState.sort_descending, "descending", "ascending")
    name = rx.cond(active, f"Sort by {label.lower()} (now " + order + ")", f"Sort by {label.lower()}")
    return rx.button(
        label, arrow, size="1", variant="ghost", color_scheme="gray", type="button",
        on_click=MarketListState.sort_by(key),
        aria_label=name,
        font_weight=rx.cond(active, "bold", "normal"),
        padding="0 2px", margin="0", white_space="nowrap",
        data_testid=f"sort-{key}", data_active=rx.cond(active, order, "no"),
        **props,
    )


def _list_tabs() -> rx.Component:
    """All markets or only the favourites: two toggles, the pressed one is what the list shows."""
    def choice(label: str, value: str, test_id: str) -> rx.Component:
        chosen = MarketListState.only_favourites == (value == "favourites")
        return rx.button(label, size="1", type="button", color_scheme="gray", high_contrast=True,
                         variant=rx.cond(chosen, "soft", "ghost"),
                         aria_pressed=rx.cond(chosen, "true", "false"),
                         on_click=MarketListState.show_favourites(value), data_testid=test_id)

    return rx.hstack(choice("All", "all", "all-markets-tab"),
                     choice("★ Favourites", "favourites", "favourites-tab"),
                     spacing="2", align="center", role="group", aria_label="Markets shown")


def symbol_picker() -> rx.Component:
    """The market list, as on Binance: search, then each symbol with its last price and 24h change."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(MarketState.active_symbol, rx.icon("chevron-down", size=14), variant="surface",
                      color_scheme="gray", size="2", high_contrast=True,
                      type="button", aria_label="Choose a symbol (/)", aria_haspopup="dialog",
                      data_testid="symbol-picker"),
        ),
        rx.popover.content(
            rx.form(
                rx.input(rx.input.slot(rx.icon("search", size=14)), value=MarketListState.query,
                         on_change=MarketListState.search, placeholder="Search symbols", auto_focus=True,
                         aria_label="Search symbols", auto_complete="off", size="2", width="100%",
                         data_testid="symbol-search"),
                rx.button("Open the first match", type="submit", style=_VISUALLY_HIDDEN),
                on_submit=MarketListState.choose_first,
                reset_on_submit=False,
            ),
            rx.hstack(_list_tabs(), rx.spacer(),
                      rx.text(MarketListState.rows.length(), " markets", size="1", color="var(--gray-11)"),
                      width="100%", align="center", padding="8px 4px 0"),
            rx.hstack(rx.box(width="24px", flex_shrink="0"),
                      _sort_button("Pair", "symbol", flex="1", justify_content="flex-start"),
                      _sort_button("Price", "price", flex="1", justify_content="flex-end"),
                      _sort_button("24h", "change", width=_CHANGE_WIDTH, justify_content="flex-end"),
                      _sort_button("Volume", "volume", width=_VOLUME_WIDTH, justify_content="flex-end"),
                      padding="8px 8px 2px 4px", width="100%", gap="8px", align="center"),
            rx.cond(MarketListState.error != "",
                    rx.text(MarketListState.error, size="1", color="var(--red-11)", padding="4px 8px")),
            rx.box(
                rx.foreach(MarketListState.shown, _market_row),
                rx.cond(MarketListState.shown.length() == 0,
                        rx.text(rx.cond(MarketListState.only_favourites & (MarketListState.query == ""),
                                        "No favourites yet: star a market to keep it here.",
                                        "No symbol matches."),
                                size="2", color="var(--gray-11)", padding="8px")),
                max_height="min(60vh, 420px)",
                overflow_y="auto",
                data_testid="symbol-list",
            ),
            width="min(420px, calc(100vw - 24px))",
            padding="8px",
            align="start",
            aria_label="Markets",
        ),
        open=MarketListState.open,
        on_open_change=MarketListState.toggle,
    )


def nav_link(label: str, href: str, icon: str) -> rx.Component:
    """A page of the app (on a phone, in the account menu instead)."""
    return rx.link(
        rx.icon(icon, size=16),
        label,
        href=href, size="2", weight="medium", underline="none", color="var(--gray-12)",
        display="inline-flex", align_items="center", gap="6px", padding="4px 6px",
        border_radius="var(--radius-2)", _hover={"background": "var(--gray-a3)"},
        data_testid=f"nav-{label.lower()}",
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(rx.button(
            rx.icon("user", size=16),
            rx.text.span(SessionState.email, display=LAPTOP_UP, overflow="hidden",
                         text_overflow="ellipsis", white_space="nowrap",
                         # the whole address where the bar has room for it (a wide screen)
                         max_width=rx.breakpoints({"0px": "320px", "1280px": "440px"})),
            variant="ghost", size="2", type="button", aria_label="Account: " + SessionState.email,
            data_testid="user-menu")),
        rx.menu.content(
            rx.menu.item("Trade", on_click=rx.redirect("/trade/BTCUSDT"), data_testid="menu-trade"),
            rx.menu.item("Portfolio", on_click=rx.redirect("/portfolio"), data_testid="menu-portfolio"),
            rx.menu.item("Settings", on_click=rx.redirect("/settings"), data_testid="menu-settings"),
            rx.menu.separator(),
            rx.menu.item("Log out", on_click=SessionState.log_out, data_testid="log-out"),
        ),
    )


def venue_badge() -> rx.Component:
    """Where orders go, always in sight: trading on the testnet by mistake should be hard."""
    on_binance = SessionState.venue == "binance-testnet"
    return rx.cond(
        SessionState.signed_in,
        rx.link(
            rx.badge(rx.cond(on_binance, "Binance Testnet", "Paper"),
                     color_scheme=rx.cond(on_binance, "amber", "gray"),
                     variant="surface", size="2", data_testid="venue-badge"),
            href="/settings", underline="none", title="Where your orders go (change in Settings)",
        ),
    )


def top_bar(*extra: rx.Component, with_symbol_picker: bool = True) -> rx.Component:
    """On a phone the bar keeps what a trader needs (where orders go, connected or not) and drops the
    keyboard help and the feed name (it is in the connection badge's label)."""
    return rx.hstack(
        rx.link(rx.heading("Numatix", size=rx.breakpoints(initial="4", xs="5"), weight="bold"), href="/",
                underline="none", aria_label="Numatix: trade"),
        # Below a tablet the pages are in the account menu: the bar keeps what a trader needs in sight.
        symbol_picker() if with_symbol_picker
        else rx.box(nav_link("Trade", "/trade/BTCUSDT", "candlestick-chart"), display=TABLET_UP),
        rx.box(nav_link("Portfolio", "/portfolio", "chart-line"), display=TABLET_UP),
        rx.spacer(),
        *[rx.box(item, display=TABLET_UP) for item in extra],
        venue_badge(),
        rx.box(feed_badge(), display=TABLET_UP),
        connection_indicator(market=with_symbol_picker),
        user_menu(),
        rx.color_mode.button(size="2", variant="ghost", aria_label="Switch light or dark theme",
                             data_testid="theme-toggle"),
        align="center",
        spacing=rx.breakpoints(initial="2", xs="3"),
        padding_x=rx.breakpoints(initial="12px", xs="16px"),
        padding_y="8px",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
        min_width="0",
        data_testid="top-bar",
    )


def page_frame(*children: rx.Component, extra: tuple[rx.Component, ...] = (),
               with_symbol_picker: bool = True) -> rx.Component:
    return rx.box(
        top_bar(*extra, with_symbol_picker=with_symbol_picker),
        rx.box(*children, padding="12px", width="100%"),
        min_height="100vh",
        width="100%",
    )
