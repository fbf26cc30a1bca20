"""What Binance's BTCUSDT looks like: the range each statistic of the synthetic market must land in.

Sources, in the ``source`` column of the report:
- "realism": ../shared/paper-realism.md (a year of BTCUSDT one-minute data);
- "#16": issue #16's measurements of BTCUSDT and of what our market got wrong;
- "book": our reading of Binance's public BTCUSDT depth and trades (depth snapshots and the
  trade tape), where neither document gives a number: ranges, not points, and wide ones;
- "own": consistency of the synthetic market with itself (not a Binance figure).
The fill statistics use the real paper exchange and its queue model, which fills a resting order
when the book crosses it (as hftbacktest does): on Binance BTCUSDT the best price moves several
times a second by a tick of 0.1 bps, so an order joining the touch is usually reached, by the
queue or by the price coming through it, within seconds; the rest were left behind by a move.
Sizes are in quote (USDT) so one range serves every symbol; for BTCUSDT at ~97,000 USDT,
100,000 USDT is about one bitcoin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reference:
    key: str
    label: str
    low: float
    high: float
    source: str
    digits: int = 2

    def holds(self, value: float) -> bool:
        return not math.isnan(value) and self.low <= value <= self.high

    def describe(self) -> str:
        low = "-inf" if self.low == -math.inf else f"{self.low:.{self.digits}f}"
        high = "inf" if self.high == math.inf else f"{self.high:.{self.digits}f}"
        return f"{low} … {high}"


REFERENCES: tuple[Reference, ...] = (
    # one-minute returns, from the history as the feed serves it
    Reference("minute_sd_bps", "1-minute log-return std (bps)", 8, 15, "realism: ≈ 11", 1),
    Reference("day_sd_p10_bps", "per-day 1-min std, 10th percentile (bps)", 4, 10, "book", 1),
    Reference("day_sd_p90_bps", "per-day 1-min std, 90th percentile (bps)", 11, 30, "book", 1),
    Reference(
        "days_below_5bps", "share of days with a 1-min std below 5 bps", 0, 0.15, "#16: 23–47 % is wrong"
    ),
    Reference("t_nu", "Student-t fit, degrees of freedom", 3, 5, "#16: BTC 3–5"),
    Reference("excess_kurtosis", "excess kurtosis", 4, 50, "#16: ≈ 100 is wrong", 1),
    Reference("acf_r_1", "autocorrelation of r, lag 1 min", -0.05, 0.05, "realism: ≈ −0.01", 3),
    Reference("acf_r_5", "autocorrelation of r, lag 5 min", -0.03, 0.03, "realism: none", 3),
    Reference("acf_abs_1", "autocorrelation of |r|, lag 1 min", 0.3, 0.65, "realism: ≈ 0.48"),
    Reference("acf_abs_60", "autocorrelation of |r|, lag 60 min", 0.12, 0.45, "realism: ≈ 0.27"),
    Reference("acf_abs_1440", "autocorrelation of |r|, lag 1 day", 0.05, 0.3, "realism: ≈ 0.16"),
    Reference("garch_alpha", "GARCH(1,1) α", 0.05, 0.10, "#16: BTC 0.05–0.1", 3),
    Reference("garch_beta", "GARCH(1,1) β", 0.90, 0.95, "#16: BTC 0.9–0.95", 3),
    Reference("garch_persistence", "GARCH(1,1) α + β", 0.95, 0.9995, "#16: below 1 (1.000 is wrong)", 4),
    Reference("hour_ratio", "mean |r| 14–16 UTC / 05–07 UTC", 1.3, 2.5, "realism"),
    Reference("volume_abs_r_corr", "correlation of log volume and log |r| (minute)", 0.25, 0.8, "book"),
    Reference("daily_sd_pct", "daily return std (%)", 1.5, 4.5, "book: 2–4 %"),
    Reference("largest_day_pct", "largest daily move (%)", 0, 15, "#16: 22 % is wrong", 1),
    Reference(
        "deep_history_ratio", "hourly std: a year of hourly bars / the minutes' hours", 0.6, 1.6, "own"
    ),
    # the live market: the order book and its tape
    Reference("spread_median_ticks", "spread, median (ticks)", 1, 1, "realism: usually one tick", 0),
    Reference("spread_one_tick", "share of books with a one-tick spread", 0.8, 1.0, "realism"),
    Reference("same_price", "consecutive prints at the same price", 0.4, 0.85, "#16: most"),
    Reference("within_one_tick", "consecutive prints at most one tick apart", 0.6, 0.97, "#16: most"),
    Reference(
        "last_at_touch",
        "last price within a tick of the best bid/ask, at random moments",
        0.95,
        1.0,
        "#16: a print is at the touch",
        3,
    ),
    Reference(
        "prints_at_touch",
        "prints within a tick of the touch shown before or with them",
        0.95,
        1.0,
        "#16: a print is at the touch",
        3,
    ),
    Reference(
        "touch_notional", "size at the best price (USDT, median)", 50_000, 1_500_000, "#16: whole BTC", 0
    ),
    Reference("depth_10bps_notional", "depth within 10 bps, per side (USDT)", 500_000, 10_000_000, "book", 0),
    Reference("levels_per_side", "price levels per side (full book)", 200, math.inf, "#16: hundreds", 0),
    Reference(
        "print_median_notional", "trade size, median (USDT)", 100, 1_000, "realism: a few thousandths", 0
    ),
    Reference("print_mean_notional", "trade size, mean (USDT)", 800, 6_000, "realism: ≈ 0.02 BTC", 0),
    Reference("prints_per_second", "trades per second", 2, 30, "book", 1),
    Reference("live_sd_ratio", "1-min std of live prints / of the process", 0.6, 1.6, "own"),
    Reference(
        "fill_rate",
        "resting 0.05-BTC-sized order at the touch: filled within 60 s",
        0.5,
        1.0,
        "book: the touch moves several times a second",
    ),
    Reference("fill_seconds", "…its median time to fill (s)", 0.2, 30, "book", 1),
)
