"""The offline market: seeded, realistic, with years of history ready at start.

History is generated per symbol on first use (a decade of days, two years of hours and a
month of minutes in well under a second) and the live market continues from its last close:
an order book with simulated order flow (``simulation``) whose trades are the tape and whose
state is the published depth, every 100 ms as Binance's ``depth@100ms``. The same seed and
the same start minute give the same market, print for print.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import numpy as np

from numatix.domain.market import BookSnapshot, Candle, FeedKind, FeedStatus, Interval, Ticker24h
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.market.feed import FeedSink
from numatix.market.synthetic.bars import Bars
from numatix.market.synthetic.history import MINUTE_MS, HistoryDepth, generate_history
from numatix.market.synthetic.live import MinuteRecord, SymbolStream, decimal_quote
from numatix.market.synthetic.process import VolatilityProcess
from numatix.market.synthetic.profiles import PROFILES, symbol_seed
from numatix.market.synthetic.simulation import MarketSimulation

DAY_MS = 86_400_000
STEP_MS = 100  # the market is published at Binance's fastest depth cadence
TICKER_INTERVAL_MS = 1000


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


class SyntheticFeed:
    kind = FeedKind.SYNTHETIC

    def __init__(
        self,
        symbols: tuple[str, ...],
        seed: int,
        clock: Callable[[], int] = wall_clock_ms,
        history_days: int | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        depth: HistoryDepth | None = None,
    ) -> None:
        unknown = [s for s in symbols if s not in PROFILES]
        if unknown:
            raise ValueError(f"no synthetic market for {', '.join(unknown)}")
        self.symbols = tuple(symbols)
        self.seed = seed
        self._clock = clock
        self._sleep = sleep
        self._depth = depth or (HistoryDepth(minute_days=history_days) if history_days else HistoryDepth())
        now = clock()
        self._live_minute = now - now % MINUTE_MS
        self._bars: dict[str, Bars] = {}
        self._streams: dict[str, SymbolStream] = {}

    def stream(self, symbol: str) -> SymbolStream:
        """One symbol's live market (built with its history on first use)."""
        return self._stream(symbol)

    def bars(self, symbol: str) -> Bars:
        """One symbol's history, every layer."""
        self._stream(symbol)
        return self._bars[symbol]

    def _stream(self, symbol: str) -> SymbolStream:
        if symbol not in self._streams:
            profile, spec = PROFILES[symbol], DEFAULT_SYMBOLS[symbol]
            rng = np.random.default_rng(symbol_seed(self.seed, symbol))
            process = VolatilityProcess(rng, profile.volatility_scale)
            bars = generate_history(profile, spec, process, rng, self._live_minute, self._depth)
            simulation = MarketSimulation(
                profile,
                spec,
                process,
                rng,
                bars.last_close_ticks,
                self._live_minute,
                next_trade_id=bars.trade_count,
            )
            self._bars[symbol] = bars
            self._streams[symbol] = SymbolStream(
                spec, simulation, MinuteRecord(self._live_minute), last_price_ticks=bars.last_close_ticks
            )
        return self._streams[symbol]

    async def history(
        self, symbol: str, interval: Interval, end_time_ms: int | None, limit: int
    ) -> list[Candle]:
        self._stream(symbol)
        return self._bars[symbol].candles(interval, end_time_ms, limit, before_ms=self._live_minute)

    def depth(self, symbol: str, levels: int) -> BookSnapshot:
        """The whole book down to ``levels`` a side (Binance's REST depth goes to 5,000)."""
        return self._stream(symbol).depth(self._clock(), levels)

    async def run(self, sink: FeedSink) -> None:
        """Stream from the current minute on; history() may be called before, during or after."""
        streams = {symbol: self._stream(symbol) for symbol in self.symbols}
        sink.on_status(FeedStatus.LIVE)
        step_end = self._live_minute + STEP_MS
        while True:
            delay = step_end - self._clock()
            if delay > 0:
                await self._sleep(delay / 1000)
            self._step(sink, streams, step_end)
            step_end += STEP_MS

    def _step(self, sink: FeedSink, streams: dict[str, SymbolStream], step_end: int) -> None:
        """Everything that happened before ``step_end``: prints in time order, then each changed book."""
        if step_end > self._live_minute + MINUTE_MS:
            self._close_minute(streams)
        prints = [
            (item.time_ms, symbol, item)
            for symbol, stream in streams.items()
            for item in stream.simulation.advance(step_end)
        ]
        prints.sort(key=lambda entry: (entry[0], entry[1], entry[2].trade_id))
        for _, symbol, item in prints:
            sink.on_trade(streams[symbol].trade(item))
        fresh = step_end > self._clock() - TICKER_INTERVAL_MS  # no burst of stale books and tickers at start
        if not fresh:
            return
        for symbol, stream in streams.items():
            book = stream.book_if_changed(step_end)
            if book is not None:
                sink.on_book(book)
            if step_end % TICKER_INTERVAL_MS == 0:
                sink.on_ticker(self._ticker(symbol, step_end))

    def _close_minute(self, streams: dict[str, SymbolStream]) -> None:
        self._live_minute += MINUTE_MS
        for symbol, stream in streams.items():
            record = stream.minute
            if record.count:
                self._bars[symbol].minutes.append(record.row())
            stream.minute = MinuteRecord(self._live_minute)

    def _ticker(self, symbol: str, now_ms: int) -> Ticker24h:
        """Rolling 24 hours: the closed minutes of the last day plus the minute being made."""
        stream, spec = self._streams[symbol], DEFAULT_SYMBOLS[symbol]
        columns = self._bars[symbol].minutes.columns()
        first = int(np.searchsorted(columns["open_time"], now_ms - DAY_MS))
        record = stream.minute
        highs, lows = columns["high"][first:], columns["low"][first:]
        high = max(int(highs.max()) if highs.size else 0, record.high)
        low_candidates = [int(lows.min())] if lows.size else []
        if record.count:
            low_candidates.append(record.low)
        last = stream.last_price_ticks
        return Ticker24h(
            symbol=symbol,
            time_ms=now_ms,
            last_price=last * spec.tick_size,
            open_price=int(columns["open"][first] if first < len(columns["open"]) else last) * spec.tick_size,
            high_price=max(high, last) * spec.tick_size,
            low_price=min(low_candidates or [last]) * spec.tick_size,
            volume=(int(columns["volume"][first:].sum()) + record.volume) * spec.step_size,
            quote_volume=decimal_quote(int(columns["quote"][first:].sum()) + record.quote),
        )
