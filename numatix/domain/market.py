"""Market data value types shared by feeds, the hub, the paper engine and the UI.

Prices and sizes are ``Decimal`` (never float) so that a fill or a candle can be
compared exactly with the prints that produced it. Times are epoch milliseconds (UTC).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal


class Interval(str, enum.Enum):
    """Candle timeframes offered in the UI; values are Binance's interval names."""

    M1 = "1m"
    M5 = "5m"
    M15 = "15m"
    H1 = "1h"
    H4 = "4h"
    D1 = "1d"
    W1 = "1w"

    @property
    def milliseconds(self) -> int:
        return _INTERVAL_MS[self]

    def open_time(self, time_ms: int) -> int:
        """Start of the bucket holding ``time_ms``.

        Weekly candles open on Monday 00:00 UTC as on Binance (epoch day 0 was a Thursday).
        """
        if self is Interval.W1:
            monday_offset = 4 * 86_400_000
            return time_ms - ((time_ms - monday_offset) % self.milliseconds)
        return time_ms - (time_ms % self.milliseconds)

    @classmethod
    def parse(cls, text: str) -> Interval:
        try:
            return cls(text)
        except ValueError:
            allowed = ", ".join(i.value for i in cls)
            raise ValueError(f"unknown interval {text!r}; use one of {allowed}") from None


_INTERVAL_MS = {
    Interval.M1: 60_000,
    Interval.M5: 5 * 60_000,
    Interval.M15: 15 * 60_000,
    Interval.H1: 3_600_000,
    Interval.H4: 4 * 3_600_000,
    Interval.D1: 86_400_000,
    Interval.W1: 7 * 86_400_000,
}


class FeedKind(str, enum.Enum):
    SYNTHETIC = "synthetic"
    REPLAY = "replay"
    BINANCE = "binance"


class FeedStatus(str, enum.Enum):
    """What the UI's connection badge shows about the upstream market feed."""

    LIVE = "live"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class TradePrint:
    """One public trade. ``buyer_is_maker`` True means the aggressor sold."""

    symbol: str
    trade_id: int
    price: Decimal
    quantity: Decimal
    time_ms: int
    buyer_is_maker: bool


@dataclass(frozen=True, slots=True)
class Candle:
    """One kline. Taker-buy volumes and the first/last trade ids are Binance's kline fields;
    a source that does not know them leaves them at zero and -1."""

    symbol: str
    interval: Interval
    open_time_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal
    trade_count: int
    closed: bool
    taker_buy_volume: Decimal = Decimal(0)
    taker_buy_quote_volume: Decimal = Decimal(0)
    first_trade_id: int = -1
    last_trade_id: int = -1

    @property
    def close_time_ms(self) -> int:
        return self.open_time_ms + self.interval.milliseconds - 1


@dataclass(frozen=True, slots=True)
class BookLevel:
    price: Decimal
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class BookSnapshot:
    """Top of the order book, best price first on each side."""

    symbol: str
    update_id: int
    time_ms: int
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]

    @property
    def best_bid(self) -> Decimal | None:
        return self.bids[0].price if self.bids else None

    @property
    def best_ask(self) -> Decimal | None:
        return self.asks[0].price if self.asks else None


@dataclass(frozen=True, slots=True)
class Ticker24h:
    """Rolling 24-hour statistics, as in Binance's ``@ticker`` stream."""

    symbol: str
    time_ms: int
    last_price: Decimal
    open_price: Decimal
    high_price: Decimal
    low_price: Decimal
    volume: Decimal
    quote_volume: Decimal

    @property
    def price_change(self) -> Decimal:
        return self.last_price - self.open_price

    @property
    def price_change_percent(self) -> Decimal:
        if not self.open_price:
            return Decimal(0)
        return (self.price_change / self.open_price * 100).quantize(Decimal("0.01"))
