"""The simulator's market notions: windows and time zones of the tickers, months and merged klines."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from numatix.domain.market import Candle, Interval
from numatix.sim.errors import SimError
from numatix.sim.market_view import (
    DAY_MS,
    HOUR_MS,
    MINUTE_MS,
    MarketView,
    bucket_of,
    kline_plan,
    month_start,
    next_month_start,
    time_zone_offset_ms,
    window_ms,
)
from numatix.sim.tape import Tape


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(("text", "expected"), [("1m", MINUTE_MS), ("59m", 59 * MINUTE_MS), ("1h", HOUR_MS),
                                                ("23h", 23 * HOUR_MS), ("1d", DAY_MS), ("7d", 7 * DAY_MS)])
def test_window_sizes_binance_accepts(text, expected):
    assert window_ms(text) == expected


@pytest.mark.parametrize("text", ["0m", "60m", "24h", "8d", "1d2h", "1w", "h", "01h", ""])
def test_window_sizes_binance_refuses(text):
    with pytest.raises(SimError) as refused:
        window_ms(text)
    assert refused.value.code == -1130


@pytest.mark.parametrize(("text", "minutes"), [("0", 0), ("8", 480), ("-1:00", -60), ("05:45", 345),
                                               ("+14:00", 840), ("-12", -720)])
def test_time_zones(text, minutes):
    assert time_zone_offset_ms(text) == minutes * MINUTE_MS


@pytest.mark.parametrize("text", ["15", "-13", "14:30", "5:75", "UTC", "8h"])
def test_time_zones_out_of_range_or_malformed(text):
    with pytest.raises(SimError):
        time_zone_offset_ms(text)


def test_months_are_calendar_months():
    assert month_start(ms("2026-02-17T13:00:00")) == ms("2026-02-01T00:00:00")
    assert next_month_start(ms("2026-02-17T13:00:00")) == ms("2026-03-01T00:00:00")
    assert next_month_start(ms("2026-12-31T23:59:59")) == ms("2027-01-01T00:00:00")


def candle(interval: Interval, open_ms: int, price: int, count: int, first_id: int) -> Candle:
    value = Decimal(price)
    return Candle("BTCUSDT", interval, open_ms, value, value + 1, value - 1, value, Decimal(count),
                  value * count, count, True, Decimal(0), Decimal(0), first_id, first_id + count - 1)


class CandleHub:
    """The hub's candles() over fixed lists; only what a window reads."""

    symbols = ("BTCUSDT",)

    def __init__(self, minutes: list[Candle], hours: list[Candle]) -> None:
        self._by_interval = {Interval.M1: minutes, Interval.H1: hours}

    async def candles(self, symbol, interval, end_time_ms=None, limit=500):
        rows = [c for c in self._by_interval[interval]
                if end_time_ms is None or c.open_time_ms <= end_time_ms]
        return rows[-limit:]

    def snapshot(self, symbol):
        raise LookupError


class NoPrints(MarketView):
    def last_trade(self, symbol):
        return None


async def test_a_window_takes_minutes_up_to_the_whole_hour_then_hours():
    now = ms("2026-12-01T12:30:10")
    start = ms("2026-12-01T10:45:00")
    minutes = [candle(Interval.M1, start + (i - 1) * MINUTE_MS, 100 + i, 1, 1000 + i) for i in range(16)]
    hours = [candle(Interval.H1, ms("2026-12-01T10:00:00"), 50, 60, 900),
             candle(Interval.H1, ms("2026-12-01T11:00:00"), 120, 60, 1100),
             candle(Interval.H1, ms("2026-12-01T12:00:00"), 130, 30, 1160)]
    view = NoPrints(CandleHub(minutes, hours), Tape(("BTCUSDT",)), lambda: now)  # type: ignore[arg-type]
    stats = await view.window("BTCUSDT", start, now, now)
    # minutes 10:45..10:59 (the one before is outside), then the hours of 11:00 and 12:00
    assert (stats.open, stats.count, stats.first_id, stats.last_id) == (101, 15 + 60 + 30, 1001, 1189)
    assert (stats.high, stats.low, stats.last) == (131, 100, 130)


async def test_minutes_older_than_the_history_are_stood_in_for_by_their_hour():
    now = ms("2026-12-01T12:30:10")
    hours = [candle(Interval.H1, ms("2026-12-01T10:00:00"), 50, 60, 900),
             candle(Interval.H1, ms("2026-12-01T11:00:00"), 120, 60, 960)]
    view = NoPrints(CandleHub([], hours), Tape(("BTCUSDT",)), lambda: now)  # type: ignore[arg-type]
    stats = await view.window("BTCUSDT", ms("2026-12-01T10:45:00"), now, now)
    assert (stats.open, stats.count, stats.first_id) == (50, 120, 900)


async def test_rolling_and_trading_day_windows_start_where_binance_starts_them():
    now = ms("2022-01-04T09:17:47.099")
    view = NoPrints(CandleHub([], []), Tape(("BTCUSDT",)), lambda: now)  # type: ignore[arg-type]
    rolling = await view.rolling("BTCUSDT", DAY_MS)
    assert (rolling.open_time_ms, rolling.close_time_ms) == (1641201420000, now)  # Binance's own example
    assert (rolling.count, rolling.first_id, rolling.last_id) == (0, -1, -1)
    utc = await view.trading_day("BTCUSDT", 0)
    assert (utc.open_time_ms, utc.close_time_ms) == (ms("2022-01-04T00:00:00"), ms("2022-01-05T00:00:00") - 1)
    tokyo = await view.trading_day("BTCUSDT", 9 * HOUR_MS)  # 18:17 in Tokyo: its day began at 15:00 UTC
    assert tokyo.open_time_ms == ms("2022-01-03T15:00:00")
    honolulu = await view.trading_day("BTCUSDT", -10 * HOUR_MS)  # 23:17 the day before
    assert honolulu.open_time_ms == ms("2022-01-03T10:00:00")


@pytest.mark.parametrize(("interval", "offset_hours", "base", "factor"), [
    ("1d", 0, Interval.D1, 1), ("3d", 0, Interval.D1, 3), ("1M", 0, Interval.D1, 31),
    ("1w", 0, Interval.W1, 1),
    ("1d", 8, Interval.H4, 6), ("1w", 8, Interval.H4, 42), ("1M", 8, Interval.H4, 186),
    ("1d", 5.75, Interval.M15, 96), ("4h", -1, Interval.H1, 4), ("1h", 9, Interval.H1, 1),
])
def test_klines_in_a_time_zone_merge_the_largest_hub_candles_that_fit(interval, offset_hours, base, factor):
    plan = kline_plan(interval, int(offset_hours * HOUR_MS))
    assert (plan.base, plan.factor) == (base, factor)


def test_kline_buckets_in_a_time_zone_open_at_its_local_boundaries():
    eight = 8 * HOUR_MS
    assert bucket_of("1d", ms("2026-12-01T20:00:00"), eight) == ms("2026-12-01T16:00:00")
    assert bucket_of("1w", ms("2026-12-09T12:00:00"), eight) == ms("2026-12-06T16:00:00")  # Monday 00:00 +8
    december = kline_plan("1M", eight)
    assert december.start_of(ms("2026-12-31T20:00:00")) == ms("2026-12-31T16:00:00")
    assert december.end_of(ms("2026-12-31T16:00:00")) == ms("2027-01-31T16:00:00")
    assert bucket_of("1d", ms("2026-12-01T02:00:00"), -5 * HOUR_MS) == ms("2026-11-30T05:00:00")
    assert bucket_of("1s", 12_345, eight) == 12_000
