"""Minute-by-minute volatility: GARCH(1,1) with Student-t shocks, slow and fast regimes, a daily rhythm, jumps.

Parameters follow ../shared/paper-realism.md (measured on a year of BTCUSDT minutes):
clustered volatility (|r| autocorrelation ≈ 0.4 at one minute, ≈ 0.25 at an hour, still
positive after a day), fat tails, busiest 14–16 UTC and quietest 05–07 UTC, about one
jump a day, minute volatility kept within 2–80 bps, and no linear predictability.
Floats are fine here: this is a random process, not money; prices leave it as whole ticks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

BASE_MINUTE_SD = 20e-4  # ≈ 11 bps realised for BTC once regimes, clipping and the feedback cap are averaged
MIN_MINUTE_SD, MAX_MINUTE_SD = 2e-4, 60e-4  # regimes of real BTC minutes (2–80 bps) short of crash days
GARCH_ALPHA = 0.07
GARCH_BETA = 0.925  # persistence 0.995: just below 1
STUDENT_DF = 4.5
REGIME_SD = 0.9  # log-volatility spread of the slow (multi-day) regime
REGIME_HALF_LIFE_MINUTES = 3000
BURST_SD = 0.45  # log-volatility spread of minutes-long bursts (news, liquidations)
BURST_HALF_LIFE_MINUTES = 6
JUMPS_PER_DAY = 1.0
JUMP_SIZE_SD = 54e-4  # ≈ 5 typical minutes
MEAN_REVERSION_PER_MINUTE = 1 / 4000  # keeps a month-long path near its (late-2026) level
SHOCK_FEEDBACK_CAP = 9.0  # a 10-sigma print must not set off a week of panic

# Relative activity by UTC hour (Binance BTCUSDT): Asia quiet before Europe, US open busiest.
HOURLY_ACTIVITY = np.array([
    0.95, 0.90, 0.85, 0.80, 0.75, 0.70, 0.68, 0.72, 0.88, 1.00, 1.00, 1.00,
    1.05, 1.15, 1.35, 1.40, 1.30, 1.15, 1.05, 1.00, 1.00, 0.95, 0.95, 0.95,
])
_ACTIVITY_NORM = math.sqrt(float((HOURLY_ACTIVITY**2).mean()))
_T_SCALE = math.sqrt(STUDENT_DF / (STUDENT_DF - 2))


def _ar1(half_life: float, sd: float) -> tuple[float, float]:
    phi = math.exp(-math.log(2) / half_life)
    return phi, sd * math.sqrt(1 - phi * phi)


_REGIME_PHI, _REGIME_NOISE = _ar1(REGIME_HALF_LIFE_MINUTES, REGIME_SD)
_BURST_PHI, _BURST_NOISE = _ar1(BURST_HALF_LIFE_MINUTES, BURST_SD)
_LOG_NORM = -(REGIME_SD**2 + BURST_SD**2)  # keeps the mean variance near BASE_MINUTE_SD²


def intraday_factors(minute_of_day: np.ndarray) -> np.ndarray:
    """Activity by time of day, interpolated between hourly values centred on the half hour."""
    position = (np.asarray(minute_of_day, dtype=float) / 60.0 - 0.5) % 24
    lower = np.floor(position).astype(int) % 24
    weight = position - np.floor(position)
    upper = (lower + 1) % 24
    return (HOURLY_ACTIVITY[lower] * (1 - weight) + HOURLY_ACTIVITY[upper] * weight) / _ACTIVITY_NORM


def intraday_factor(minute_of_day: int) -> float:
    return float(intraday_factors(np.array([minute_of_day]))[0])


@dataclass(slots=True)
class MinuteDraw:
    log_return: float
    sd: float  # this minute's volatility (log units)
    jumped: bool


@dataclass(slots=True)
class MinuteDraws:
    """Many minutes at once, for history and the statistics tests."""

    log_returns: np.ndarray
    sds: np.ndarray
    jumped: np.ndarray


class VolatilityProcess:
    """Draws minutes in order; its state carries from history into the live feed."""

    def __init__(self, rng: np.random.Generator, volatility_scale: float) -> None:
        self._rng = rng
        self._scale = BASE_MINUTE_SD * volatility_scale
        self._variance = 1.0
        self._log_regime = 0.0
        self._log_burst = 0.0
        self.log_price_offset = 0.0  # log(price / start price), for mean reversion

    @property
    def base_sd(self) -> float:
        """The symbol's typical minute sd (about what is realised on average)."""
        return self._scale * 0.55

    def step(self, minute_of_day: int) -> MinuteDraw:
        draws = self.steps(np.array([minute_of_day]))
        return MinuteDraw(float(draws.log_returns[0]), float(draws.sds[0]), bool(draws.jumped[0]))

    def steps(self, minutes_of_day: np.ndarray) -> MinuteDraws:
        """Random numbers are drawn in bulk, then the recursion runs over plain floats (fast)."""
        count = len(minutes_of_day)
        rng = self._rng
        shocks = rng.standard_t(STUDENT_DF, count) / _T_SCALE
        regime_noise = rng.standard_normal(count) * _REGIME_NOISE
        burst_noise = rng.standard_normal(count) * _BURST_NOISE
        jumped = rng.random(count) < JUMPS_PER_DAY / 1440
        jump_sizes = np.where(jumped, rng.standard_normal(count) * JUMP_SIZE_SD, 0.0)
        rhythm = intraday_factors(minutes_of_day) * self._scale
        returns, sds = np.empty(count), np.empty(count)
        variance, regime, burst, offset = self._variance, self._log_regime, self._log_burst, self.log_price_offset
        for i in range(count):
            regime = _REGIME_PHI * regime + regime_noise[i]
            burst = _BURST_PHI * burst + burst_noise[i]
            garch_sd = math.sqrt(variance)
            shock = float(shocks[i])
            variance = (1 - GARCH_ALPHA - GARCH_BETA) + GARCH_ALPHA * min(
                garch_sd * garch_sd * shock * shock, SHOCK_FEEDBACK_CAP) + GARCH_BETA * variance
            sd = garch_sd * math.exp(regime + burst + _LOG_NORM) * rhythm[i]
            sd = min(max(sd, MIN_MINUTE_SD), MAX_MINUTE_SD)
            log_return = sd * shock - MEAN_REVERSION_PER_MINUTE * offset + jump_sizes[i]
            offset += log_return
            returns[i], sds[i] = log_return, sd
        self._variance, self._log_regime, self._log_burst, self.log_price_offset = variance, regime, burst, offset
        return MinuteDraws(returns, sds, jumped)
