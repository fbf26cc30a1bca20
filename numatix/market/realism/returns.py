"""Statistics of one-minute log returns (and the volumes beside them), as the report prints them.

Inputs are plain arrays: minute log returns oldest first, starting at a UTC midnight, so
that minute ``i`` is minute ``i % 1440`` of its day.
"""

from __future__ import annotations

import numpy as np

MINUTES_PER_DAY = 1440
BPS = 1e4


def autocorrelation(x: np.ndarray, lag: int) -> float:
    centred = np.asarray(x, dtype=float) - np.mean(x)
    return float(np.dot(centred[:-lag], centred[lag:]) / np.dot(centred, centred))


def excess_kurtosis(x: np.ndarray) -> float:
    centred = np.asarray(x, dtype=float) - np.mean(x)
    return float((centred**4).mean() / centred.var() ** 2 - 3)


def whole_days(returns: np.ndarray) -> np.ndarray:
    """The returns as a (days, 1440) array; a partial last day is left out."""
    days = len(returns) // MINUTES_PER_DAY
    return np.asarray(returns[: days * MINUTES_PER_DAY]).reshape(days, MINUTES_PER_DAY)


def daily_minute_sd_bps(returns: np.ndarray) -> np.ndarray:
    """Each day's standard deviation of its one-minute returns, in basis points."""
    return whole_days(returns).std(axis=1) * BPS


def daily_returns(returns: np.ndarray) -> np.ndarray:
    """Close-to-close log return of each whole day."""
    return whole_days(returns).sum(axis=1)


def hour_of_day_ratio(
    returns: np.ndarray, busy: tuple[int, int] = (14, 16), quiet: tuple[int, int] = (5, 7)
) -> float:
    """Mean |r| in the busiest UTC hours over mean |r| in the quietest (Binance: 14–16 vs 05–07)."""
    hours = (np.arange(len(returns)) % MINUTES_PER_DAY) // 60
    magnitude = np.abs(returns)
    in_busy = (hours >= busy[0]) & (hours < busy[1])
    in_quiet = (hours >= quiet[0]) & (hours < quiet[1])
    return float(magnitude[in_busy].mean() / magnitude[in_quiet].mean())


def volume_volatility_correlation(returns: np.ndarray, volumes: np.ndarray) -> float:
    """Correlation of a minute's traded volume with its |return| (both in logs, as usually measured)."""
    magnitude = np.log(np.abs(returns) + 1e-6)
    return float(np.corrcoef(magnitude, np.log(np.asarray(volumes, dtype=float) + 1e-12))[0, 1])
