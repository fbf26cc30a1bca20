"""Every timeframe is aggregated from the same prints, so they always agree."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from numatix.domain.market import Candle, Interval, TradePrint
from numatix.market.candles import CandleSeries

MONDAY = 1_700_438_400_000  # 2023-11-20 00:00 UTC, a Monday


def trade(time_ms: int, price: str, quantity: str = "1", trade_id: int = 1) -> TradePrint:
    return TradePrint("BTCUSDT", trade_id, Decimal(price), Decimal(quantity), time_ms, False)


prints = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3 * 86_400_000),
        st.decimals(min_value=Decimal("1"), max_value=Decimal("100000"), places=2),
        st.decimals(min_value=Decimal("0.00001"), max_value=Decimal("5"), places=5),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(prints)
def test_every_timeframe_matches_the_prints_in_its_bucket(raw):
    series = CandleSeries("BTCUSDT")
    trades = [trade(MONDAY + offset, str(price), str(qty), i) for i, (offset, price, qty) in enumerate(sorted(raw))]
    for t in trades:
        series.apply(t)
    for interval in Interval:
        candles = series.candles(interval)
        assert [c.closed for c in candles] == [True] * (len(candles) - 1) + [False]
        for candle in candles:
            inside = [t for t in trades if interval.open_time(t.time_ms) == candle.open_time_ms]
            assert candle.open == inside[0].price
            assert candle.close == inside[-1].price
            assert candle.high == max(t.price for t in inside)
            assert candle.low == min(t.price for t in inside)
            assert candle.volume == sum(t.quantity for t in inside)
            assert candle.quote_volume == sum(t.price * t.quantity for t in inside)
            assert candle.trade_count == len(inside)
        assert sum(c.trade_count for c in candles) == len(trades)


def test_apply_reports_the_closed_candle_then_the_new_forming_one():
    series = CandleSeries("BTCUSDT")
    series.apply(trade(MONDAY + 1_000, "100"))
    changed = series.apply(trade(MONDAY + 61_000, "101"))
    minute = [c for c in changed if c.interval is Interval.M1]
    assert [(c.open_time_ms, c.closed) for c in minute] == [(MONDAY, True), (MONDAY + 60_000, False)]
    hour = [c for c in changed if c.interval is Interval.H1]
    assert len(hour) == 1 and hour[0].high == Decimal("101") and not hour[0].closed


def test_a_late_print_for_a_closed_bucket_does_not_rewrite_history():
    series = CandleSeries("BTCUSDT")
    series.apply(trade(MONDAY + 61_000, "101"))
    assert series.apply(trade(MONDAY + 1_000, "5")) == []
    assert series.forming(Interval.M1).low == Decimal("101")
    assert series.forming(Interval.H1).low == Decimal("101")


def test_weekly_candles_open_on_monday_utc():
    series = CandleSeries("BTCUSDT")
    sunday_night = MONDAY + 7 * 86_400_000 - 1
    series.apply(trade(sunday_night, "100"))
    series.apply(trade(sunday_night + 2, "101"))
    weeks = series.candles(Interval.W1)
    assert [c.open_time_ms for c in weeks] == [MONDAY, MONDAY + 7 * 86_400_000]


def minute_candle(open_time: int, close: str) -> Candle:
    price = Decimal(close)
    return Candle("BTCUSDT", Interval.M1, open_time, price, price + 1, price - 1, price, Decimal(2),
                  price * 2, 3, True)


def test_seeding_mid_bucket_rebuilds_the_forming_hour_from_its_minutes():
    minutes = [minute_candle(MONDAY + i * 60_000, str(100 + i)) for i in range(37)]
    series = CandleSeries("BTCUSDT")
    series.seed({Interval.M1: minutes}, now_ms=MONDAY + 37 * 60_000 + 5_000)
    hour = series.forming(Interval.H1)
    assert hour.open_time_ms == MONDAY
    assert hour.open == Decimal(100) and hour.close == Decimal(136)
    assert hour.high == Decimal(137) and hour.low == Decimal(99)
    assert hour.volume == Decimal(74) and hour.trade_count == 111
    assert series.forming(Interval.M1) is None
    series.apply(trade(MONDAY + 37 * 60_000 + 6_000, "200"))
    assert series.forming(Interval.H1).high == Decimal(200)
    assert series.forming(Interval.H1).trade_count == 112
