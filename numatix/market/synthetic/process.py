"""Minute-by-minute volatility: GARCH(1,1) with Student-t shocks, a slow regime, a daily rhythm, jumps.

Parameters follow ../shared/paper-realism.md (measured on a year of BTCUSDT minutes):
clustered volatility (|r| autocorrelation ≈ 0.4 at one minute, still positive after a day),
fat tails, busiest 14–16 UTC and quietest 05–07 UTC, about one jump a day, and no linear
predictability. Floats are fine here: this is a random process, not money; prices leave it
as whole ticks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

BASE_MINUTE_SD = 13.5e-4  # ≈ 11 bps realised for BTC once regimes and the feedback cap are averaged
GARCH_ALPHA = 0.07
GARCH_BETA = 0.925  # persistence 0.995: just below 1
STUDENT_DF = 4.5
REGIME_SD = 0.75  # log-volatility spread of the slow regime
REGIME_HALF_LIFE_MINUTES = 2880
INTRADAY_AMPLITUDE = 0.35
JUMPS_PER_DAY = 1.0
JUMP_SIZE_SD = 4.0  # in units of the base minute sd: ~50 bps
MEAN_REVERSION_PER_MINUTE = 1 / 20_160  # keeps a month-long path near its level
SHOCK_FEEDBACK_CAP = 9.0  # a 10-sigma print must not set off a week of panic

_T_SCALE = math.sqrt(STUDENT_DF / (STUDENT_DF - 2))
_REGIME_PHI = math.exp(-math.log(2) / REGIME_HALF_LIFE_MINUTES)
_REGIME_NOISE = REGIME_SD * math.sqrt(1 - _REGIME_PHI**2)
_INTRADAY_NORM = math.sqrt(1 + INTRADAY_AMPLITUDE**2 / 2)


def intraday_factor(minute_of_day: int) -> float:
    """Activity by time of day: peak at 15:00 UTC, trough at 03:00–07:00 UTC."""
    hours = minute_of_day / 60.0
    return (1.0 + INTRADAY_AMPLITUDE * math.cos(2 * math.pi * (hours - 15) / 24)) / _INTRADAY_NORM


@dataclass(slots=True)
class MinuteDraw:
    log_return: float
    sd: float  # this minute's volatility (log units)
    jumped: bool


class VolatilityProcess:
    """Draws one minute at a time; its state carries from history into the live feed."""

    def __init__(self, rng: np.random.Generator, volatility_scale: float) -> None:
        self._rng = rng
        self._scale = BASE_MINUTE_SD * volatility_scale
        self._variance = 1.0
        self._log_regime = 0.0
        self.log_price_offset = 0.0  # log(price / start price), for mean reversion

    def step(self, minute_of_day: int) -> MinuteDraw:
        rng = self._rng
        self._log_regime = _REGIME_PHI * self._log_regime + _REGIME_NOISE * rng.standard_normal()
        garch_sd = math.sqrt(self._variance)
        shock = garch_sd * rng.standard_t(STUDENT_DF) / _T_SCALE
        feedback = min(shock * shock, SHOCK_FEEDBACK_CAP)
        self._variance = (1 - GARCH_ALPHA - GARCH_BETA) + GARCH_ALPHA * feedback + GARCH_BETA * self._variance
        multiplier = math.exp(self._log_regime - REGIME_SD**2) * intraday_factor(minute_of_day) * self._scale
        log_return = shock * multiplier - MEAN_REVERSION_PER_MINUTE * self.log_price_offset
        jumped = rng.random() < JUMPS_PER_DAY / 1440
        if jumped:
            log_return += JUMP_SIZE_SD * BASE_MINUTE_SD * rng.standard_normal()
        self.log_price_offset += log_return
        return MinuteDraw(log_return, garch_sd * multiplier, jumped)

    @property
    def base_sd(self) -> float:
        return self._scale
