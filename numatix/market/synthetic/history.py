"""Years of history at start-up: a decade of days, two years of hours, a month of minutes.

One ``VolatilityProcess`` walks forward from the oldest day to now, at the coarse step in
the deep past and minute by minute at the end; its state then drives the live feed, so live
prices continue from the last minute with the same character and the deep past shares its
regimes, rhythms and transient moves. The whole path is finally scaled so that it ends at
the symbol's starting price (scaling keeps every return as drawn). Highs and lows are drawn
from the law of a Brownian bridge's extremes over each bar; volumes follow activity and
volatility; taker buys outweigh sells in bars that rise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from numatix.domain.symbols import SymbolSpec
from numatix.market.synthetic.bars import Bars, Layer
from numatix.market.synthetic.flow import MEAN_SIZE_FACTOR, PRINTS_PER_TAKER, activity
from numatix.market.synthetic.process import MinuteDraws, VolatilityProcess, rhythm
from numatix.market.synthetic.profiles import PROFILES, MarketProfile, symbol_seed

MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
BUY_TILT = 0.25  # how far taker buys lean towards the bar's direction


@dataclass(frozen=True, slots=True)
class HistoryDepth:
    """How far back each resolution reaches: 500 weekly candles need a decade of days."""

    minute_days: int = 7
    hour_days: int = 740
    day_days: int = 3650


def generate_history(
    profile: MarketProfile,
    spec: SymbolSpec,
    process: VolatilityProcess,
    rng: np.random.Generator,
    live_minute_ms: int,
    depth: HistoryDepth = HistoryDepth(),
) -> Bars:
    """Layers ending at ``live_minute_ms`` (the first minute the live feed will make)."""
    minute_start = live_minute_ms - depth.minute_days * DAY_MS
    minute_start -= minute_start % DAY_MS
    hour_start = minute_start - depth.hour_days * DAY_MS
    day_start = hour_start - depth.day_days * DAY_MS
    plans = [
        (DAY_MS, day_start, depth.day_days),
        (HOUR_MS, hour_start, depth.hour_days * 24),
        (MINUTE_MS, minute_start, (live_minute_ms - minute_start) // MINUTE_MS),
    ]
    draws = []
    for resolution, start, count in plans:
        times = start + resolution * np.arange(count, dtype=np.int64)
        step = (
            process.steps(times)
            if resolution == MINUTE_MS
            else process.coarse_steps(times, resolution // MINUTE_MS)
        )
        draws.append((resolution, times, step))
    log_path = np.cumsum(np.concatenate([step.log_returns for _, _, step in draws]))
    log_start = math.log(float(profile.start_price)) - log_path[-1]
    layers, first = [], 0
    for resolution, times, step in draws:
        closes = log_start + log_path[first : first + len(times)]
        opens = np.r_[log_start + (log_path[first - 1] if first else 0.0), closes[:-1]]
        layers.append(
            Layer(
                resolution,
                _columns(profile, spec, process, rng, times, opens, closes, step, resolution // MINUTE_MS),
            )
        )
        first += len(times)
    return Bars(spec, layers)


def _columns(
    profile: MarketProfile,
    spec: SymbolSpec,
    process: VolatilityProcess,
    rng: np.random.Generator,
    times: np.ndarray,
    log_opens: np.ndarray,
    log_closes: np.ndarray,
    step: MinuteDraws,
    minutes: int,
) -> dict[str, np.ndarray]:
    tick, lot = float(spec.tick_size), float(spec.step_size)
    opens = np.maximum(1, np.rint(np.exp(log_opens) / tick)).astype(np.int64)
    closes = np.maximum(1, np.rint(np.exp(log_closes) / tick)).astype(np.int64)
    opens[1:] = closes[:-1]  # each bar opens where the last one closed, to the tick
    bar_sd = step.sds  # whole-bar volatility in log units
    move = log_closes - log_opens
    spread = np.sqrt(move * move - 2 * bar_sd * bar_sd * np.log(1 - rng.random((2, len(times)))))
    highs = np.maximum(np.maximum(opens, closes), np.rint(np.exp(log_opens + (move + spread[0]) / 2) / tick))
    lows = np.minimum(np.minimum(opens, closes), np.rint(np.exp(log_opens + (move - spread[1]) / 2) / tick))
    minute_sd = bar_sd / math.sqrt(minutes)
    busy = activity(minute_sd, process.base_sd, rhythm(times + minutes * 30_000))
    takers = np.maximum(1, rng.poisson(profile.trades_per_second * 60 * minutes * busy))
    counts = np.maximum(1, np.rint(takers * PRINTS_PER_TAKER)).astype(np.int64)
    mid = (opens + closes) * (tick / 2)
    mean_size = profile.median_trade_notional * MEAN_SIZE_FACTOR / mid
    noise = np.exp(0.3 * rng.standard_normal(len(times)) / math.sqrt(minutes))
    volume = np.maximum(1, np.rint(takers * mean_size * noise / lot)).astype(np.int64)
    buy_share = np.clip(
        0.5
        + BUY_TILT * np.tanh(move / np.maximum(bar_sd, 1e-9))
        + 0.05 * rng.standard_normal(len(times)) / math.sqrt(minutes),
        0.02,
        0.98,
    )
    buy_volume = np.rint(volume * buy_share).astype(np.int64)
    return {
        "open_time": times,
        "open": opens,
        "high": highs.astype(np.int64),
        "low": np.maximum(1, lows).astype(np.int64),
        "close": closes,
        "volume": volume,
        "quote": np.rint(volume * lot * mid * 1e8).astype(np.int64),
        "count": counts.astype(np.int64),
        "buy_volume": buy_volume,
        "buy_quote": np.rint(buy_volume * lot * mid * 1e8).astype(np.int64),
    }


def simulate_minute_returns(symbol: str, seed: int, minutes: int, start_time_ms: int = 0) -> np.ndarray:
    """Log returns of the volatility process alone: what the statistics tests measure."""
    process = VolatilityProcess(
        np.random.default_rng(symbol_seed(seed, symbol)), PROFILES[symbol].volatility_scale
    )
    return process.steps(start_time_ms + MINUTE_MS * np.arange(minutes, dtype=np.int64)).log_returns
