"""The offline market: seeded, realistic, with weeks of history ready at start.

History is generated per symbol on first use (a month of minutes in well under a second)
and the live stream continues from its last close. The same seed and the same start
minute give the same market, print for print.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import numpy as np

from numatix.domain.market import Candle, FeedKind, FeedStatus, Interval, Ticker24h
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.market.feed import FeedSink
from numatix.market.synthetic.bars import QUOTE_UNIT, MinuteBars
from numatix.market.synthetic.flow import BookShape
from numatix.market.synthetic.history import MINUTE_MS, generate_history
from numatix.market.synthetic.live import MinuteRecord, PlannedPrint, SymbolStream
from numatix.market.synthetic.process import VolatilityProcess
from numatix.market.synthetic.profiles import PROFILES, symbol_seed

DAY_MS = 86_400_000
TICKER_INTERVAL_MS = 1000
STALE_BOOK_MS = 1000


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


class SyntheticFeed:
    kind = FeedKind.SYNTHETIC

    def __init__(
        self,
        symbols: tuple[str, ...],
        seed: int,
        clock: Callable[[], int] = wall_clock_ms,
        history_days: int = 30,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        unknown = [s for s in symbols if s not in PROFILES]
        if unknown:
            raise ValueError(f"no synthetic market for {', '.join(unknown)}")
        self.symbols = tuple(symbols)
        self.seed = seed
        self._clock = clock
        self._sleep = sleep
        now = clock()
        self._live_minute = now - now % MINUTE_MS
        self._first_minute = self._live_minute - history_days * DAY_MS
        self._bars: dict[str, MinuteBars] = {}
        self._streams: dict[str, SymbolStream] = {}

    def _stream(self, symbol: str) -> SymbolStream:
        if symbol not in self._streams:
            profile, spec = PROFILES[symbol], DEFAULT_SYMBOLS[symbol]
            rng = np.random.default_rng(symbol_seed(self.seed, symbol))
            process = VolatilityProcess(rng, profile.volatility_scale)
            minutes = (self._live_minute - self._first_minute) // MINUTE_MS
            bars = generate_history(profile, spec, process, rng, self._first_minute, minutes)
            columns = bars.columns()
            last_close = int(columns["close"][-1])
            touch_steps = profile.touch_depth_notional / (last_close * float(spec.tick_size)) / float(spec.step_size) / 20
            self._bars[symbol] = bars
            self._streams[symbol] = SymbolStream(
                profile=profile, spec=spec, process=process, rng=rng,
                last_mid=last_close * float(spec.tick_size),
                last_price_ticks=last_close,
                next_trade_id=int(columns["count"].sum()),
                book_shape=BookShape(touch_steps=max(1.0, touch_steps)),
            )
        return self._streams[symbol]

    async def history(self, symbol: str, interval: Interval, end_time_ms: int | None, limit: int) -> list[Candle]:
        self._stream(symbol)
        return self._bars[symbol].candles(interval, end_time_ms, limit, before_ms=self._live_minute)

    async def run(self, sink: FeedSink) -> None:
        """Stream from the current minute on; history() may be called before, during or after."""
        streams = {symbol: self._stream(symbol) for symbol in self.symbols}
        sink.on_status(FeedStatus.LIVE)
        while True:
            for time_ms, _, symbol, planned in self._minute_events(streams):
                delay = time_ms - self._clock()
                if delay > 0:
                    await self._sleep(delay / 1000)
                if planned is None:
                    if time_ms > self._clock() - TICKER_INTERVAL_MS:  # no burst of stale tickers at start-up
                        self._heartbeat(sink, streams, time_ms)
                    continue
                stream = streams[symbol]
                book = stream.book_at(planned)
                if book is not None:
                    sink.on_book(book)
                sink.on_trade(stream.print_of(planned))
            self._close_minute(streams)

    def _minute_events(self, streams: dict[str, SymbolStream]) -> list[tuple[int, int, str, PlannedPrint | None]]:
        """The live minute's prints of every symbol, with a ticker heartbeat each second, in time order."""
        minute = self._live_minute
        events: list[tuple[int, int, str, PlannedPrint | None]] = [
            (planned.time_ms, 1, symbol, planned)
            for symbol, stream in streams.items()
            for planned in stream.plan_minute(minute)
        ]
        events.extend((minute + second * TICKER_INTERVAL_MS, 0, "", None) for second in range(60))
        events.sort(key=lambda event: event[:3])
        return events

    def _heartbeat(self, sink: FeedSink, streams: dict[str, SymbolStream], time_ms: int) -> None:
        """Once a second: every ticker, and a refreshed book for symbols whose prints paused."""
        for symbol, stream in streams.items():
            book = stream.book_if_due(time_ms, STALE_BOOK_MS)
            if book is not None:
                sink.on_book(book)
            sink.on_ticker(self._ticker(symbol, time_ms))

    def _close_minute(self, streams: dict[str, SymbolStream]) -> None:
        for symbol, stream in streams.items():
            record = stream.minute
            if record is not None and record.count:
                self._bars[symbol].append(record.open_time, record.open, record.high, record.low, record.close,
                                          record.volume, record.quote, record.count)
        self._live_minute += MINUTE_MS

    def _ticker(self, symbol: str, now_ms: int) -> Ticker24h:
        """Rolling 24 hours: the closed minutes of the last day plus the minute being made."""
        stream, spec = self._streams[symbol], DEFAULT_SYMBOLS[symbol]
        columns = self._bars[symbol].columns()
        first = int(np.searchsorted(columns["open_time"], now_ms - DAY_MS))
        record = stream.minute or MinuteRecord(self._live_minute)
        highs, lows = columns["high"][first:], columns["low"][first:]
        high = max(int(highs.max()) if highs.size else 0, record.high)
        low_candidates = [int(lows.min())] if lows.size else []
        if record.count:
            low_candidates.append(record.low)
        last = record.close if record.count else int(columns["close"][-1])
        return Ticker24h(
            symbol=symbol,
            time_ms=now_ms,
            last_price=last * spec.tick_size,
            open_price=int(columns["open"][first] if first < len(columns["open"]) else last) * spec.tick_size,
            high_price=high * spec.tick_size,
            low_price=min(low_candidates or [last]) * spec.tick_size,
            volume=(int(columns["volume"][first:].sum()) + record.volume) * spec.step_size,
            quote_volume=((int(columns["quote"][first:].sum()) + record.quote) * QUOTE_UNIT).normalize(),
        )
