"""The synthetic market's past as integer bars (ticks, steps), in layers of resolution.

The deep past is kept in days, the last two years in hours and the last weeks in minutes
(live minutes are appended). A candle is built only from layers at least as fine as its
timeframe, so a daily candle of last year is its 24 hours and one of this month its 1,440
minutes: every timeframe agrees with every finer one. Integers keep prices exact and make
years of history cheap: only the candles a caller asks for become ``Candle`` objects.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from numatix.domain.market import Candle, Interval
from numatix.domain.symbols import SymbolSpec

QUOTE_UNIT = Decimal("0.00000001")
FIELDS = ("open_time", "open", "high", "low", "close", "volume", "quote", "count", "buy_volume", "buy_quote")
MINUTE_MS = 60_000


class Layer:
    """Bars of one resolution, oldest first; the finest layer also takes live bars."""

    def __init__(self, resolution_ms: int, columns: dict[str, np.ndarray]) -> None:
        self.resolution_ms = resolution_ms
        self._columns = {name: np.asarray(columns[name], dtype=np.int64) for name in FIELDS}
        self._pending: list[tuple[int, ...]] = []

    def __len__(self) -> int:
        return len(self._columns["open_time"]) + len(self._pending)

    def append(self, row: tuple[int, ...]) -> None:
        self._pending.append(row)

    def columns(self) -> dict[str, np.ndarray]:
        if self._pending:
            extra = np.array(self._pending, dtype=np.int64)
            self._columns = {
                name: np.concatenate([self._columns[name], extra[:, i]]) for i, name in enumerate(FIELDS)
            }
            self._pending = []
        return self._columns

    def serves(self, interval: Interval) -> bool:
        return interval.milliseconds >= self.resolution_ms and interval.milliseconds % self.resolution_ms == 0


class Bars:
    """All layers of one symbol, coarsest (oldest) first; trade ids run on across them from 1."""

    def __init__(self, spec: SymbolSpec, layers: list[Layer]) -> None:
        self.spec = spec
        self.layers = layers

    @property
    def minutes(self) -> Layer:
        return self.layers[-1]

    def append_minute(
        self,
        open_time: int,
        open_: int,
        high: int,
        low: int,
        close: int,
        volume: int,
        quote: int,
        count: int,
        buy_volume: int,
        buy_quote: int,
    ) -> None:
        self.minutes.append((open_time, open_, high, low, close, volume, quote, count, buy_volume, buy_quote))

    @property
    def last_close_ticks(self) -> int:
        return int(self.minutes.columns()["close"][-1])

    @property
    def trade_count(self) -> int:
        return sum(int(layer.columns()["count"].sum()) for layer in self.layers)

    @property
    def first_open_time(self) -> int:
        return int(self.layers[0].columns()["open_time"][0])

    def columns_for(self, interval: Interval) -> tuple[dict[str, np.ndarray], int]:
        """The layers fine enough for ``interval``, joined; and the number of trades before them."""
        usable = [layer for layer in self.layers if layer.serves(interval)]
        skipped = [layer for layer in self.layers if not layer.serves(interval)]
        trades_before = sum(int(layer.columns()["count"].sum()) for layer in skipped)
        if len(usable) == 1:
            return usable[0].columns(), trades_before
        joined = {name: np.concatenate([layer.columns()[name] for layer in usable]) for name in FIELDS}
        return joined, trades_before

    def candles(
        self, interval: Interval, end_time_ms: int | None, limit: int, before_ms: int
    ) -> list[Candle]:
        """Closed candles opening at or before ``end_time_ms``; buckets still open at ``before_ms``
        are left out. Every column is aggregated for all the wanted buckets at once."""
        columns, trades_before = self.columns_for(interval)
        times = columns["open_time"]
        if end_time_ms is not None:
            cut = int(
                np.searchsorted(times, interval.open_time(end_time_ms) + interval.milliseconds, side="left")
            )
        else:
            cut = len(times)
        if cut == 0:
            return []
        buckets = bucket_starts(times[:cut], interval)
        starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
        keep = buckets[starts] + interval.milliseconds <= before_ms
        if end_time_ms is not None:
            keep &= buckets[starts] <= end_time_ms
        chosen = np.flatnonzero(keep)[-limit:]
        if chosen.size == 0:
            return []
        first_row = int(starts[chosen[0]])
        ends = np.r_[starts[1:], cut][chosen]
        part = {name: values[first_row : int(ends[-1])] for name, values in columns.items()}
        counts_before = trades_before + int(columns["count"][:first_row].sum())
        lows = starts[chosen] - first_row
        return self._aggregate(interval, buckets[starts[chosen]], part, lows, ends - first_row, counts_before)

    def _aggregate(
        self,
        interval: Interval,
        buckets: np.ndarray,
        c: dict[str, np.ndarray],
        lows: np.ndarray,
        highs: np.ndarray,
        counts_before: int,
    ) -> list[Candle]:
        """Candles of the rows [lows[i], highs[i]) of ``c``, from reductions over every bucket at once."""
        tick, step = self.spec.tick_size, self.spec.step_size
        sums = {
            name: np.add.reduceat(c[name], lows).tolist()
            for name in ("volume", "quote", "count", "buy_volume", "buy_quote")
        }
        opens, closes = c["open"][lows].tolist(), c["close"][highs - 1].tolist()
        tops = np.maximum.reduceat(c["high"], lows).tolist()
        bottoms = np.minimum.reduceat(c["low"], lows).tolist()
        candles = []
        before = counts_before
        for index, bucket in enumerate(buckets.tolist()):
            count = sums["count"][index]
            candles.append(
                Candle(
                    symbol=self.spec.symbol,
                    interval=interval,
                    open_time_ms=bucket,
                    open=opens[index] * tick,
                    high=tops[index] * tick,
                    low=bottoms[index] * tick,
                    close=closes[index] * tick,
                    volume=sums["volume"][index] * step,
                    quote_volume=(sums["quote"][index] * QUOTE_UNIT).normalize(),
                    trade_count=count,
                    closed=True,
                    taker_buy_volume=sums["buy_volume"][index] * step,
                    taker_buy_quote_volume=(sums["buy_quote"][index] * QUOTE_UNIT).normalize(),
                    first_trade_id=before + 1 if count else -1,
                    last_trade_id=before + count if count else -1,
                )
            )
            before += count
        return candles


def bucket_starts(times: np.ndarray, interval: Interval) -> np.ndarray:
    size = interval.milliseconds
    if interval is Interval.W1:
        monday = 4 * 86_400_000
        return times - ((times - monday) % size)
    return times - (times % size)
