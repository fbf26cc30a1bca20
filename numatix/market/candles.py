"""Candles for every timeframe, aggregated from the same trade prints.

Because every interval is built from one stream of prints, a 1h candle always equals the
aggregation of its 1m candles and a fill can never lie outside its candle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from numatix.domain.market import Candle, Interval, TradePrint

MEMORY_CANDLES = 1000
ZERO = Decimal(0)


@dataclass(slots=True)
class _Forming:
    open_time_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal
    trade_count: int
    taker_buy_volume: Decimal = ZERO
    taker_buy_quote_volume: Decimal = ZERO
    first_trade_id: int = -1
    last_trade_id: int = -1

    @classmethod
    def from_candle(cls, candle: Candle) -> _Forming:
        return cls(candle.open_time_ms, candle.open, candle.high, candle.low, candle.close,
                   candle.volume, candle.quote_volume, candle.trade_count, candle.taker_buy_volume,
                   candle.taker_buy_quote_volume, candle.first_trade_id, candle.last_trade_id)

    @classmethod
    def from_trade(cls, open_time_ms: int, trade: TradePrint) -> _Forming:
        forming = cls(open_time_ms, trade.price, trade.price, trade.price, trade.price, ZERO, ZERO, 0)
        forming.add_trade(trade)
        return forming

    def add_trade(self, trade: TradePrint) -> None:
        self.high = max(self.high, trade.price)
        self.low = min(self.low, trade.price)
        self.close = trade.price
        quote = trade.price * trade.quantity
        self.volume += trade.quantity
        self.quote_volume += quote
        self.trade_count += 1
        if not trade.buyer_is_maker:  # the buyer took liquidity
            self.taker_buy_volume += trade.quantity
            self.taker_buy_quote_volume += quote
        if self.first_trade_id < 0:
            self.first_trade_id = trade.trade_id
        self.last_trade_id = trade.trade_id

    def add_candle(self, candle: Candle) -> None:
        self.high = max(self.high, candle.high)
        self.low = min(self.low, candle.low)
        self.close = candle.close
        self.volume += candle.volume
        self.quote_volume += candle.quote_volume
        self.trade_count += candle.trade_count
        self.taker_buy_volume += candle.taker_buy_volume
        self.taker_buy_quote_volume += candle.taker_buy_quote_volume
        if self.first_trade_id < 0:
            self.first_trade_id = candle.first_trade_id
        if candle.last_trade_id >= 0:
            self.last_trade_id = candle.last_trade_id

    def freeze(self, symbol: str, interval: Interval, closed: bool) -> Candle:
        return Candle(symbol, interval, self.open_time_ms, self.open, self.high, self.low, self.close,
                      self.volume, self.quote_volume, self.trade_count, closed, self.taker_buy_volume,
                      self.taker_buy_quote_volume, self.first_trade_id, self.last_trade_id)


class _IntervalCandles:
    def __init__(self, symbol: str, interval: Interval, keep: int) -> None:
        self.symbol = symbol
        self.interval = interval
        self.closed: deque[Candle] = deque(maxlen=keep)
        self.forming: _Forming | None = None

    def seed(self, closed: Iterable[Candle], forming: _Forming | None) -> None:
        self.closed.clear()
        self.closed.extend(sorted(closed, key=lambda c: c.open_time_ms))
        self.forming = forming

    def apply(self, trade: TradePrint) -> list[Candle]:
        bucket = self.interval.open_time(trade.time_ms)
        forming = self.forming
        if forming is not None and bucket < forming.open_time_ms:
            return []  # a late print for a bucket already closed: history stays as published
        changed: list[Candle] = []
        if forming is not None and bucket > forming.open_time_ms:
            finished = forming.freeze(self.symbol, self.interval, closed=True)
            self.closed.append(finished)
            changed.append(finished)
            forming = None
        if forming is None:
            forming = self.forming = _Forming.from_trade(bucket, trade)
        else:
            forming.add_trade(trade)
        changed.append(forming.freeze(self.symbol, self.interval, closed=False))
        return changed

    def candles(self) -> list[Candle]:
        result = list(self.closed)
        if self.forming is not None:
            result.append(self.forming.freeze(self.symbol, self.interval, closed=False))
        return result


class CandleSeries:
    """All timeframes of one symbol: closed candles (bounded) and the forming one."""

    def __init__(self, symbol: str, keep: int = MEMORY_CANDLES) -> None:
        self.symbol = symbol
        self._by_interval = {interval: _IntervalCandles(symbol, interval, keep) for interval in Interval}

    def seed(self, history: dict[Interval, list[Candle]], now_ms: int) -> None:
        """Start from feed history; forming candles are rebuilt from the 1m candles of their bucket.

        So a process started at 10:37 shows the 10:00 hourly candle with its first 37 minutes.
        """
        minutes = sorted(history.get(Interval.M1, []), key=lambda c: c.open_time_ms)
        for interval, series in self._by_interval.items():
            bucket = interval.open_time(now_ms)
            closed = [c for c in history.get(interval, []) if c.open_time_ms < bucket]
            forming: _Forming | None = None
            for minute in (m for m in minutes if m.open_time_ms >= bucket):
                if forming is None:
                    forming = _Forming.from_candle(minute)
                    forming.open_time_ms = bucket
                else:
                    forming.add_candle(minute)
            series.seed(closed, forming)

    def apply(self, trade: TradePrint) -> list[Candle]:
        """Fold a print into every timeframe; returns the candles that changed (closed ones first).

        A print older than the forming minute is dropped for every timeframe alike, so the
        timeframes never disagree about which prints they hold.
        """
        minute = self._by_interval[Interval.M1].forming
        if minute is not None and trade.time_ms < minute.open_time_ms:
            return []
        changed: list[Candle] = []
        for series in self._by_interval.values():
            changed.extend(series.apply(trade))
        return changed

    def candles(self, interval: Interval) -> list[Candle]:
        """Closed candles in memory, oldest first, then the forming one."""
        return self._by_interval[interval].candles()

    def forming(self, interval: Interval) -> Candle | None:
        forming = self._by_interval[interval].forming
        return forming.freeze(self.symbol, interval, closed=False) if forming else None
