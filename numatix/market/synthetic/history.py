"""A month (or more) of one-minute history in one vectorised pass.

Returns and volatility come from the same ``VolatilityProcess`` that then drives the live
feed, so live prices continue from the last historical close with the same character.
"""

from __future__ import annotations

import math

import numpy as np

from numatix.domain.symbols import SymbolSpec
from numatix.market.synthetic.bars import MinuteBars
from numatix.market.synthetic.flow import MEAN_SIZE_FACTOR, activity
from numatix.market.synthetic.process import VolatilityProcess, intraday_factors
from numatix.market.synthetic.profiles import PROFILES, MarketProfile, symbol_seed

BRIDGE_STEPS = 12
MINUTE_MS = 60_000


def generate_history(
    profile: MarketProfile,
    spec: SymbolSpec,
    process: VolatilityProcess,
    rng: np.random.Generator,
    first_open_ms: int,
    minutes: int,
) -> MinuteBars:
    open_times = first_open_ms + MINUTE_MS * np.arange(minutes, dtype=np.int64)
    minute_of_day = (open_times // MINUTE_MS) % 1440
    draws = process.steps(minute_of_day)
    returns, sds = draws.log_returns, draws.sds
    tick, step = float(spec.tick_size), float(spec.step_size)
    start = float(profile.start_price)
    closes = np.maximum(1, np.rint(start * np.exp(np.cumsum(returns)) / tick)).astype(np.int64)
    opens = np.r_[round(start / tick), closes[:-1]].astype(np.int64)
    walk = np.cumsum(rng.standard_normal((minutes, BRIDGE_STEPS)) * (sds / math.sqrt(BRIDGE_STEPS))[:, None], axis=1)
    fraction = np.arange(1, BRIDGE_STEPS + 1) / BRIDGE_STEPS
    path = walk - fraction[None, :] * (walk[:, -1] - returns)[:, None]
    open_prices = opens * tick
    highs = np.maximum(np.maximum(opens, closes), np.rint(open_prices * np.exp(path.max(axis=1)) / tick)).astype(np.int64)
    lows = np.maximum(1, np.minimum(np.minimum(opens, closes), np.rint(open_prices * np.exp(path.min(axis=1)) / tick))).astype(np.int64)
    busy = activity(sds, process.base_sd, intraday_factors(minute_of_day))
    counts = np.maximum(1, rng.poisson(profile.trades_per_second * 60 * busy))
    mid = (opens + closes) * (tick / 2)
    mean_size = profile.median_trade_notional * MEAN_SIZE_FACTOR / mid
    volume = np.maximum(1, np.rint(counts * mean_size * np.exp(0.3 * rng.standard_normal(minutes)) / step)).astype(np.int64)
    quote = np.rint(volume * step * mid * 1e8).astype(np.int64)
    columns = {
        "open_time": open_times, "open": opens, "high": highs, "low": lows, "close": closes,
        "volume": volume, "quote": quote, "count": counts,
    }
    return MinuteBars(spec, columns)


def simulate_minute_returns(symbol: str, seed: int, minutes: int, start_time_ms: int = 0) -> np.ndarray:
    """Log returns of the volatility process alone: what the statistics tests measure."""
    process = VolatilityProcess(np.random.default_rng(symbol_seed(seed, symbol)), PROFILES[symbol].volatility_scale)
    minute0 = start_time_ms // MINUTE_MS
    return process.steps((minute0 + np.arange(minutes)) % 1440).log_returns
