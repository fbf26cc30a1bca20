"""The symbol picker's market list: every symbol with its last price, 24h change and volume.

Read from the market of the venue this user trades on, when the picker opens and about
once a second while it stays open (nothing while it is closed); typing filters it, a column
header sorts it, and the star keeps a symbol among the user's favourites (kept on the server
for the user, so every browser they use shows the same).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import reflex as rx

from numatix.domain.errors import VenueError
from numatix.services import runtime
from numatix.services.errors import ServiceError
from numatix.ui.format import compact, fixed, signed_percent
from numatix.ui.states.session import live_user_id, viewer_id

REFRESH_SECONDS = 1.0
SORT_KEYS = ("symbol", "price", "change", "volume")
SortValue = tuple[int, Decimal | str]  # (0, value); (1, "") when unknown: last whichever the direction


def market_row(market, symbol: str) -> tuple[dict[str, str], dict[str, SortValue]]:
    """The row a person reads, and the exact values it sorts by."""
    spec = market.spec(symbol)
    ticker = market.snapshot(symbol).ticker
    last = market.last_price(symbol) or (ticker.last_price if ticker is not None else None)
    change = ticker.price_change_percent if ticker is not None else None
    volume = ticker.quote_volume if ticker is not None else None
    row = {
        "symbol": symbol,
        "base": spec.base_asset,
        "quote": spec.quote_asset,
        "price": fixed(last, spec.price_decimals),
        "change": signed_percent(change) if change is not None else "—",
        "direction": "flat" if change is None or change == 0 else "up" if change > 0 else "down",
        "volume": compact(volume) if volume is not None else "—",
    }
    keys: dict[str, SortValue] = {"symbol": (0, symbol)}
    for key, value in (("price", last), ("change", change), ("volume", volume)):
        keys[key] = (0, value) if value is not None else (1, "")
    return row, keys


def sorted_rows(rows: list[tuple[dict[str, str], dict[str, SortValue]]], key: str,
                descending: bool) -> list[dict[str, str]]:
    known = [r for r in rows if r[1][key][0] == 0]
    unknown = [r for r in rows if r[1][key][0] == 1]
    known.sort(key=lambda r: r[1][key][1], reverse=descending)
    return [row for row, _ in known + unknown]


class MarketListState(rx.State):
    open: bool = False
    query: str = ""
    rows: list[dict[str, str]] = []
    sort_key: str = "volume"  # Binance opens its list by volume
    sort_descending: bool = True
    favourites: list[str] = []
    only_favourites: bool = False
    error: str = ""
    _watching: int = 0

    @rx.var
    def shown(self) -> list[dict[str, str]]:
        wanted = self.query.strip().upper().replace("/", "")
        return [row for row in self.rows
                if (wanted in row["symbol"] or wanted in row["base"])
                and (not self.only_favourites or row["symbol"] in self.favourites)]

    async def _read(self) -> None:
        market = await runtime.current().venues.market_for(await viewer_id(self))  # public prices only
        rows = [market_row(market, symbol) for symbol in market.symbols]
        self.rows = sorted_rows(rows, self.sort_key, self.sort_descending)

    @rx.event
    async def toggle(self, open: bool):
        self.open, self.query = open, ""
        if open:
            self._watching += 1
            self.favourites = await runtime.current().preferences.favourites(await live_user_id(self))
            await self._read()
            return MarketListState.watch

    @rx.event
    async def sort_by(self, key: str):
        """A second click on the same column turns the order around."""
        if key not in SORT_KEYS:
            return
        if key == self.sort_key:
            self.sort_descending = not self.sort_descending
        else:
            self.sort_key, self.sort_descending = key, key != "symbol"
        await self._read()

    @rx.event
    def show_favourites(self, shown: str):
        """``favourites`` or ``all``."""
        self.only_favourites = shown == "favourites"

    @rx.event
    async def star(self, symbol: str):
        """Add the symbol to the favourites, or take it off."""
        wanted = symbol not in self.favourites
        try:
            self.favourites = await runtime.current().preferences.set_favourite(
                await live_user_id(self), symbol, wanted)
        except (ServiceError, VenueError) as error:
            self.error = error.message
            return
        self.error = ""

    @rx.event
    def search(self, text: str):
        self.query = text[:20]

    @rx.event
    def choose_first(self, _form: dict):
        """Enter in the search box opens the first symbol that matches."""
        if self.shown:
            self.open = False
            return rx.redirect(f"/trade/{self.shown[0]['symbol']}")

    @rx.event(background=True)
    async def watch(self):
        async with self:
            generation = self._watching
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            async with self:
                if not self.open or self._watching != generation:
                    return
                await self._read()
