"""Per-tab market state for the trade page: header, book, trades and chart deltas.

A background task per tab (started by ``on_load``) reads coalesced hub updates and
writes them here: the price and the forming candle at most ``FRAME_SECONDS`` apart (fast
enough to look live), the order book and trade list at most ``PANEL_SECONDS`` apart (they
are read, not watched), so fifty tabs do not swamp two cores. Every frame re-renders much of
the page in the browser too: on a starved CPU a tab that cannot keep up queues frames, falls
behind by seconds and answers clicks later and later, so frames stay few.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import reflex as rx

from numatix.domain.market import BookSnapshot, Interval, Ticker24h, TradePrint
from numatix.domain.symbols import SymbolSpec
from numatix.services import runtime
from numatix.services.errors import NotFound
from numatix.ui.format import candle_for_chart, compact, fixed, signed_percent
from numatix.ui.states.session import viewer_id

FRAME_SECONDS = 0.2
PANEL_SECONDS = 0.5
BOOK_LEVELS = 20
TRADE_ROWS = 30
HISTORY_BARS = 500
TIMEFRAMES = [i.value for i in Interval]


def symbol_from_path(path: str) -> str:
    """``/trade/ethusdt`` -> ``ETHUSDT`` (the route is ``/trade/[symbol]``)."""
    parts = [part for part in (path or "").split("/") if part]
    return parts[1].upper() if len(parts) >= 2 and parts[0] == "trade" else "BTCUSDT"


class MarketState(rx.State):
    active_symbol: str = ""
    known: bool = True
    symbols: list[str] = []
    interval: str = Interval.M1.value
    feed_kind: str = ""
    feed_status: str = ""  # "" until the page has loaded: the badge says Connecting, not Offline
    price_precision: int = 2
    quantity_precision: int = 5
    base_asset: str = ""
    quote_asset: str = ""

    last_price: str = "—"
    price_direction: str = ""
    change: str = "—"
    change_percent: str = "—"
    change_positive: bool = True
    high: str = "—"
    low: str = "—"
    volume: str = "—"
    quote_volume: str = "—"
    last_trade_time_ms: int = 0

    bids: list[dict[str, str]] = []
    asks: list[dict[str, str]] = []
    spread: str = "—"
    trades: list[dict[str, str | int]] = []

    series_key: str = ""
    history: list[dict[str, str | int]] = []
    older: list[dict[str, str | int]] = []
    updates: list[dict[str, str | int]] = []
    loading_older: bool = False

    _stream_generation: int = 0
    _last_price: Decimal | None = None
    _shown_trade_id: int | None = None  # the newest trade of the snapshot the page was drawn from

    @rx.var
    def page_title(self) -> str:
        if not self.known:
            return "Unknown symbol · Numatix"
        return f"{self.last_price} · {self.active_symbol} · Numatix"

    def _spec(self) -> SymbolSpec:
        return runtime.current().market.spec(self.active_symbol)

    async def _market(self):
        """The market of the venue this user's orders go to (the testnet's for Binance users)."""
        return await runtime.current().venues.market_for(await viewer_id(self))

    @rx.event
    async def load_feed(self):
        """``on_load`` of the pages without a market: the top bar still says where prices come from."""
        self._apply_feed(await self._market())

    @rx.event
    async def load_page(self):
        """Resolve the symbol from the URL and send the first full picture."""
        market = await self._market()
        self.symbols = list(market.symbols)
        requested = symbol_from_path(self.router.url.path)
        self.active_symbol = requested
        self._stream_generation += 1
        try:
            spec = market.spec(requested)
        except NotFound:
            self.known = False
            return
        self.known = True
        self.price_precision = spec.price_decimals
        self.quantity_precision = spec.quantity_decimals
        self.base_asset, self.quote_asset = spec.base_asset, spec.quote_asset
        self._last_price = None
        snapshot = market.snapshot(requested)
        self._shown_trade_id = snapshot.last_trade.trade_id if snapshot.last_trade is not None else None
        self.trades = []
        self._apply_trades(list(snapshot.recent_trades)[-TRADE_ROWS:], spec)
        self._apply_book(snapshot.book, spec)
        self._apply_ticker(snapshot.ticker, spec)
        self._apply_feed(market)
        await self._load_history()
        return MarketState.stream_market

    async def _load_history(self) -> None:
        market = await self._market()
        candles = await market.candles(self.active_symbol, Interval(self.interval), limit=HISTORY_BARS)
        self.history = [candle_for_chart(c) for c in candles]
        self.older = []
        self.updates = []
        self.series_key = f"{self.active_symbol}:{self.interval}:{time.monotonic_ns()}"

    @rx.event
    async def choose_interval(self, interval: str):
        if interval not in TIMEFRAMES or not self.known:
            return
        self.interval = interval
        await self._load_history()

    @rx.event
    async def load_older(self, end_time_ms: int):
        """The user scrolled left to the first bar: prepend the page before it."""
        if not self.known or self.loading_older:
            return
        self.loading_older = True
        try:
            market = await self._market()
            candles = await market.candles(
                self.active_symbol, Interval(self.interval), end_time_ms=int(end_time_ms) - 1,
                limit=HISTORY_BARS
            )
            self.older = [candle_for_chart(c) for c in candles if c.open_time_ms < int(end_time_ms)]
        finally:
            self.loading_older = False

    @rx.event
    def choose_symbol(self, symbol: str):
        return rx.redirect(f"/trade/{symbol.upper()}")

    @rx.event(background=True)
    async def stream_market(self):
        async with self:
            generation, symbol, shown = self._stream_generation, self.active_symbol, self._shown_trade_id
            if not self.known:
                return
            market = await self._market()
        spec = market.spec(symbol)
        book, recent, panels_written = None, [], 0.0
        async with market.updates(symbol, shown_trade_id=shown) as updates:  # from the page's snapshot on
            async for update in updates:
                book = update.book or book
                recent = (recent + list(update.trades))[-TRADE_ROWS:]
                panels_due = time.monotonic() - panels_written >= PANEL_SECONDS
                async with self:
                    if self._stream_generation != generation:
                        return
                    self._apply_update(update, spec, market)
                    if panels_due:
                        self._apply_trade_rows(recent, spec)
                        self._apply_book(book, spec)
                if panels_due:
                    book, recent, panels_written = None, [], time.monotonic()
                await asyncio.sleep(FRAME_SECONDS)

    def _apply_update(self, update, spec: SymbolSpec, market) -> None:
        self._apply_last_price(list(update.trades), spec)
        self._apply_ticker(update.ticker, spec)
        self._apply_feed(market)
        interval = Interval(self.interval)
        changed = [c for c in update.candles if c.interval is interval]
        if changed and self.history:
            self.updates = [candle_for_chart(c) for c in sorted(changed, key=lambda c: c.open_time_ms)]

    def _apply_feed(self, market) -> None:
        """Only on change: every assignment is sent to the browser, equal or not."""
        if self.feed_kind != market.feed_kind.value:
            self.feed_kind = market.feed_kind.value
        if self.feed_status != market.feed_status.value:
            self.feed_status = market.feed_status.value

    def _apply_trades(self, trades: list[TradePrint], spec: SymbolSpec) -> None:
        self._apply_trade_rows(trades, spec)
        self._apply_last_price(trades, spec)

    def _apply_trade_rows(self, trades: list[TradePrint], spec: SymbolSpec) -> None:
        if not trades:
            return
        rows = [
            {
                "id": str(t.trade_id),
                "time_ms": t.time_ms,
                "price": fixed(t.price, spec.price_decimals),
                "quantity": fixed(t.quantity, spec.quantity_decimals),
                "side": "SELL" if t.buyer_is_maker else "BUY",
            }
            for t in reversed(trades[-TRADE_ROWS:])
        ]
        self.trades = (rows + self.trades)[:TRADE_ROWS]

    def _apply_last_price(self, trades: list[TradePrint], spec: SymbolSpec) -> None:
        if not trades:
            return
        latest = trades[-1].price
        if self._last_price is not None and latest != self._last_price:
            self.price_direction = "up" if latest > self._last_price else "down"
        self._last_price = latest
        self.last_price = fixed(latest, spec.price_decimals)
        self.last_trade_time_ms = trades[-1].time_ms

    def _apply_book(self, book: BookSnapshot | None, spec: SymbolSpec) -> None:
        if book is None:
            return
        bids, asks = book.bids[:BOOK_LEVELS], book.asks[:BOOK_LEVELS]
        largest = max([level.quantity for level in bids + asks] or [Decimal(1)])
        self.bids = [_level_row(level, largest, spec) for level in bids]
        self.asks = [_level_row(level, largest, spec) for level in asks]
        if book.best_bid is not None and book.best_ask is not None:
            self.spread = fixed(book.best_ask - book.best_bid, spec.price_decimals)

    def _apply_ticker(self, ticker: Ticker24h | None, spec: SymbolSpec) -> None:
        if ticker is None:
            return
        if self._last_price is None:
            self._last_price = ticker.last_price
            self.last_price = fixed(ticker.last_price, spec.price_decimals)
        self.change = fixed(ticker.price_change, spec.price_decimals)
        self.change_percent = signed_percent(ticker.price_change_percent)
        self.change_positive = ticker.price_change >= 0
        self.high = fixed(ticker.high_price, spec.price_decimals)
        self.low = fixed(ticker.low_price, spec.price_decimals)
        self.volume = compact(ticker.volume)
        self.quote_volume = compact(ticker.quote_volume)


def _level_row(level, largest: Decimal, spec: SymbolSpec) -> dict[str, str]:
    depth = int(level.quantity / largest * 100) if largest else 0
    return {
        "price": fixed(level.price, spec.price_decimals),
        "raw_price": format(level.price, "f"),
        "quantity": fixed(level.quantity, spec.quantity_decimals),
        "depth": f"{depth}%",
    }
