"""One-minute bars kept as integer arrays (ticks, steps) and aggregated to any timeframe.

Integers keep prices exact and make a month of history cheap: only the candles a caller
asks for become ``Candle`` objects with ``Decimal`` fields.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from numatix.domain.market import Candle, Interval
from numatix.domain.symbols import SymbolSpec

QUOTE_UNIT = Decimal("0.00000001")
FIELDS = ("open_time", "open", "high", "low", "close", "volume", "quote", "count")


class MinuteBars:
    """Closed one-minute bars of one symbol, oldest first; live minutes are appended."""

    def __init__(self, spec: SymbolSpec, columns: dict[str, np.ndarray]) -> None:
        self.spec = spec
        self._columns = {name: np.asarray(columns[name], dtype=np.int64) for name in FIELDS}
        self._pending: list[tuple[int, ...]] = []

    def __len__(self) -> int:
        return len(self._columns["open_time"]) + len(self._pending)

    def append(self, open_time: int, open_: int, high: int, low: int, close: int, volume: int, quote: int,
               count: int) -> None:
        self._pending.append((open_time, open_, high, low, close, volume, quote, count))

    def columns(self) -> dict[str, np.ndarray]:
        if self._pending:
            extra = np.array(self._pending, dtype=np.int64)
            self._columns = {name: np.concatenate([self._columns[name], extra[:, i]]) for i, name in enumerate(FIELDS)}
            self._pending = []
        return self._columns

    @property
    def last_close_ticks(self) -> int:
        if self._pending:
            return self._pending[-1][4]
        return int(self._columns["close"][-1])

    @property
    def last_open_time(self) -> int:
        if self._pending:
            return self._pending[-1][0]
        return int(self._columns["open_time"][-1])

    def candles(self, interval: Interval, end_time_ms: int | None, limit: int, before_ms: int) -> list[Candle]:
        """Closed candles opening at or before ``end_time_ms``; buckets still open at ``before_ms`` are left out."""
        columns = self.columns()
        times = columns["open_time"]
        if end_time_ms is not None:
            cut = np.searchsorted(times, interval.open_time(end_time_ms) + interval.milliseconds, side="left")
        else:
            cut = len(times)
        buckets = _bucket_starts(times[:cut], interval)
        if buckets.size == 0:
            return []
        starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
        first = max(0, len(starts) - limit - 1)
        rows = []
        for index in range(first, len(starts)):
            lo = starts[index]
            hi = starts[index + 1] if index + 1 < len(starts) else cut
            bucket = int(buckets[lo])
            if bucket + interval.milliseconds > before_ms:
                continue
            if end_time_ms is not None and bucket > end_time_ms:
                continue
            rows.append(self._candle(interval, bucket, columns, lo, hi))
        return rows[-limit:]

    def _candle(self, interval: Interval, bucket: int, c: dict[str, np.ndarray], lo: int, hi: int) -> Candle:
        tick, step = self.spec.tick_size, self.spec.step_size
        return Candle(
            symbol=self.spec.symbol,
            interval=interval,
            open_time_ms=bucket,
            open=int(c["open"][lo]) * tick,
            high=int(c["high"][lo:hi].max()) * tick,
            low=int(c["low"][lo:hi].min()) * tick,
            close=int(c["close"][hi - 1]) * tick,
            volume=int(c["volume"][lo:hi].sum()) * step,
            quote_volume=(int(c["quote"][lo:hi].sum()) * QUOTE_UNIT).normalize(),
            trade_count=int(c["count"][lo:hi].sum()),
            closed=True,
        )


def _bucket_starts(times: np.ndarray, interval: Interval) -> np.ndarray:
    size = interval.milliseconds
    if interval is Interval.W1:
        monday = 4 * 86_400_000
        return times - ((times - monday) % size)
    return times - (times % size)
