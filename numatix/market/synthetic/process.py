"""Minute-by-minute volatility and price: what the synthetic market's fundamental value does.

Parameters follow ../shared/paper-realism.md and issue #16 (a year of BTCUSDT minutes):
one-minute returns of about 11 bps whose volatility clusters (|r| autocorrelation ≈ 0.4 at
a minute, ≈ 0.27 at an hour, still positive after a day), a plain Student-t fit of ν ≈ 3–5,
a GARCH(1,1) fit of α ≈ 0.05–0.1 and β ≈ 0.9–0.95, busiest 14–16 UTC and quietest 05–07 UTC,
quieter weekends, about one jump a day, and no linear predictability.

The minute's volatility is the product of a GARCH(1,1) term, a regime of hours, a regime of
days, the time of day and the day of the week. Given its volatility a minute's move is a sum
of many small steps through the book, a little lighter-tailed than a normal draw; the fat
tails of minute returns come from volatility changing between minutes and from jumps.

Part of every move is transient: the price wanders around a slowly moving anchor and comes
back within about an hour, as minute overreactions do. So a day moves about 3 %, not the
4 % that 11 bps a minute would compound to, and the path needs no pull to a fixed level.
Floats are fine here: this is a random process, not money; prices leave it as whole ticks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MINUTES_PER_DAY = 1440
BASE_MINUTE_SD = 12.2e-4  # the volatility scale; about 11 bps is realised once regimes are averaged
MIN_MINUTE_SD, MAX_MINUTE_SD = 1.5e-4, 80e-4  # bounds that only the wildest regimes reach
GARCH_ALPHA, GARCH_BETA = 0.05, 0.935
HOURS_REGIME_SD, HOURS_REGIME_HALF_LIFE = 0.33, 180.0  # log-volatility, minutes
DAYS_REGIME_SD, DAYS_REGIME_HALF_LIFE = 0.32, 3 * 1440.0
WEEKEND_ACTIVITY = 0.75  # Saturday and Sunday, relative to weekdays
LIGHT_SHARE = 0.75  # of a minute's shock drawn from a flat law, the rest normal
JUMPS_PER_DAY, JUMP_SIZE_SD = 1.0, 80e-4
TRANSIENT_SHARE = 0.3  # of each move that reverts...
TRANSIENT_HALF_LIFE = 60.0  # ...within about this many minutes
ANCHOR_HALF_LIFE_DAYS = 200.0  # the level drifts around a long-run trend...
TREND_PER_YEAR = 0.35  # ...that rises about as Bitcoin's did, so a decade back is far lower
TREND_PER_MINUTE = TREND_PER_YEAR / (365.25 * 1440)
COARSE_SCALE = 1.2  # coarse bars miss the extra variance GARCH clusters add inside them
COARSE_NOISE_SD = 0.2  # how much a coarse bar's realised variance strays from its regimes (GARCH, bursts)

# Relative activity by UTC hour (Binance BTCUSDT): Asia quiet before Europe, US open busiest.
HOURLY_ACTIVITY = np.array(
    [
        0.95,
        0.90,
        0.85,
        0.80,
        0.75,
        0.70,
        0.68,
        0.72,
        0.88,
        1.00,
        1.00,
        1.00,
        1.05,
        1.15,
        1.35,
        1.40,
        1.30,
        1.15,
        1.05,
        1.00,
        1.00,
        0.95,
        0.95,
        0.95,
    ]
)
_ACTIVITY_NORM = math.sqrt(float((HOURLY_ACTIVITY**2).mean()))
_WEEK_NORM = math.sqrt((5 + 2 * WEEKEND_ACTIVITY**2) / 7)
_LOG_NORM = -(HOURS_REGIME_SD**2 + DAYS_REGIME_SD**2)  # keeps the mean variance near BASE_MINUTE_SD²
_LIGHT_SCALE = math.sqrt(3.0)  # a uniform law on ±√3 has unit variance


def ar1(half_life: float, sd: float, step: float = 1.0) -> tuple[float, float]:
    """An AR(1) with this stationary sd and half-life (in minutes), sampled every ``step`` minutes."""
    phi = math.exp(-math.log(2) * step / half_life)
    return phi, sd * math.sqrt(1 - phi * phi)


def intraday_factors(minute_of_day: np.ndarray) -> np.ndarray:
    """Activity by time of day, interpolated between hourly values centred on the half hour."""
    position = (np.asarray(minute_of_day, dtype=float) / 60.0 - 0.5) % 24
    lower = np.floor(position).astype(int) % 24
    weight = position - np.floor(position)
    upper = (lower + 1) % 24
    return (HOURLY_ACTIVITY[lower] * (1 - weight) + HOURLY_ACTIVITY[upper] * weight) / _ACTIVITY_NORM


def intraday_factor(minute_of_day: int) -> float:
    return float(intraday_factors(np.array([minute_of_day]))[0])


def weekly_factors(open_times_ms: np.ndarray) -> np.ndarray:
    """Weekends trade less: epoch day 0 was a Thursday, so days 2 and 3 (mod 7) are Saturday and Sunday."""
    weekday = (np.asarray(open_times_ms) // 86_400_000) % 7
    return np.where((weekday == 2) | (weekday == 3), WEEKEND_ACTIVITY, 1.0) / _WEEK_NORM


def rhythm(open_times_ms: np.ndarray) -> np.ndarray:
    """Time-of-day times day-of-week activity for minutes opening at these times."""
    times = np.asarray(open_times_ms, dtype=np.int64)
    return intraday_factors((times // 60_000) % MINUTES_PER_DAY) * weekly_factors(times)


@dataclass(slots=True)
class MinuteDraw:
    log_return: float
    sd: float  # this minute's volatility (log units)
    jump: float  # the part of the move that came at once (0 without a jump)


@dataclass(slots=True)
class MinuteDraws:
    """Many minutes (or coarse bars) at once, for history and the statistics tests."""

    log_returns: np.ndarray
    sds: np.ndarray
    jumps: np.ndarray


@dataclass(slots=True)
class ProcessState:
    """What carries from one minute (or one coarse bar) to the next, and from history into live."""

    variance: float = 1.0  # the GARCH term, mean 1
    hours_regime: float = 0.0
    days_regime: float = 0.0
    transient: float = 0.0  # log distance of the price from its anchor
    anchor: float = 0.0  # log distance of the anchor from the long-run trend


class VolatilityProcess:
    """Draws minutes in order; its state carries from the coarse past through history into the live feed."""

    def __init__(self, rng: np.random.Generator, volatility_scale: float) -> None:
        self._rng = rng
        self.scale = BASE_MINUTE_SD * volatility_scale
        self.state = ProcessState(days_regime=float(rng.standard_normal()) * DAYS_REGIME_SD)

    @property
    def base_sd(self) -> float:
        """The symbol's typical minute sd (about what is realised on average)."""
        return self.scale * 1.3

    def step(self, open_time_ms: int) -> MinuteDraw:
        draws = self.steps(np.array([open_time_ms], dtype=np.int64))
        return MinuteDraw(float(draws.log_returns[0]), float(draws.sds[0]), float(draws.jumps[0]))

    def shocks(self, count: int) -> np.ndarray:
        """Unit-variance shocks: mostly flat (bounded steps through the book), partly normal."""
        flat = (2 * self._rng.random(count) - 1) * _LIGHT_SCALE
        return math.sqrt(LIGHT_SHARE) * flat + math.sqrt(1 - LIGHT_SHARE) * self._rng.standard_normal(count)

    def steps(self, open_times_ms: np.ndarray) -> MinuteDraws:
        """Minutes opening at these times: every recursion but GARCH's runs as a vectorised filter."""
        count = len(open_times_ms)
        rng = self._rng
        shocks = self.shocks(count)
        hours_phi, hours_noise = ar1(HOURS_REGIME_HALF_LIFE, HOURS_REGIME_SD)
        days_phi, days_noise = ar1(DAYS_REGIME_HALF_LIFE, DAYS_REGIME_SD)
        s = self.state
        hours = ar_filter(hours_phi, rng.standard_normal(count) * hours_noise, s.hours_regime)
        days = ar_filter(days_phi, rng.standard_normal(count) * days_noise, s.days_regime)
        jumped = rng.random(count) < JUMPS_PER_DAY / MINUTES_PER_DAY
        jump_sizes = np.where(jumped, rng.standard_normal(count) * JUMP_SIZE_SD, 0.0)
        variances = self._garch(shocks)
        scales = rhythm(open_times_ms) * self.scale * math.exp(_LOG_NORM)
        sds = np.clip(np.sqrt(variances) * np.exp(hours + days) * scales, MIN_MINUTE_SD, MAX_MINUTE_SD)
        moves = sds * shocks + jump_sizes
        anchor_keep = math.exp(-math.log(2) / (ANCHOR_HALF_LIFE_DAYS * MINUTES_PER_DAY))
        transient_keep = math.exp(-math.log(2) / TRANSIENT_HALF_LIFE)
        anchors = ar_filter(anchor_keep, (1 - TRANSIENT_SHARE) * moves, s.anchor)
        transients = ar_filter(transient_keep, TRANSIENT_SHARE * moves, s.transient)
        returns = (
            np.diff(np.r_[s.anchor, anchors]) + np.diff(np.r_[s.transient, transients]) + TREND_PER_MINUTE
        )
        if count:
            s.hours_regime, s.days_regime = float(hours[-1]), float(days[-1])
            s.anchor, s.transient = float(anchors[-1]), float(transients[-1])
        return MinuteDraws(returns, sds, jump_sizes)

    def _garch(self, shocks: np.ndarray) -> np.ndarray:
        """Each minute's GARCH term, then the next: v' = ω + (α·z² + β)·v. Shocks are light-tailed,
        so no single minute can set off a week of panic."""
        growth = (GARCH_ALPHA * shocks * shocks + GARCH_BETA).tolist()
        omega = 1 - GARCH_ALPHA - GARCH_BETA
        variance = self.state.variance
        out = []
        for factor in growth:
            out.append(variance)
            variance = omega + factor * variance
        self.state.variance = variance
        return np.array(out)

    def coarse_steps(self, open_times_ms: np.ndarray, minutes: int) -> MinuteDraws:
        """Bars of ``minutes`` minutes (an hour, a day) from the same regimes, for the deep past.

        Each bar's variance is the sum of its minutes' (its regimes, its time of day and week,
        a little noise for what GARCH and bursts would do inside it); the move splits into a
        lasting and a transient part as a minute's does, each advanced exactly over the bar.
        ``sds`` are the bars' whole-bar volatilities, for drawing their highs and lows.
        """
        count = len(open_times_ms)
        rng = self._rng
        s = self.state
        hours_phi, hours_noise = ar1(HOURS_REGIME_HALF_LIFE, HOURS_REGIME_SD, minutes)
        days_phi, days_noise = ar1(DAYS_REGIME_HALF_LIFE, DAYS_REGIME_SD, minutes)
        normals = rng.standard_normal((5, count))
        hours = ar_filter(hours_phi, normals[0] * hours_noise, s.hours_regime)
        days = ar_filter(days_phi, normals[1] * days_noise, s.days_regime)
        mid_times = np.asarray(open_times_ms, dtype=np.int64) + minutes * 30_000
        day_rhythm = (
            intraday_factors((mid_times // 60_000) % MINUTES_PER_DAY) if minutes < MINUTES_PER_DAY else 1.0
        )
        scales = (
            day_rhythm * weekly_factors(mid_times) * self.scale * math.exp(_LOG_NORM) * math.sqrt(minutes)
        )
        noise = np.exp(COARSE_NOISE_SD * rng.standard_normal(count) - COARSE_NOISE_SD**2)
        sds = scales * noise * np.exp(hours + days) * COARSE_SCALE
        jump_sizes = (
            normals[3] * JUMP_SIZE_SD * np.sqrt(rng.poisson(JUMPS_PER_DAY * minutes / MINUTES_PER_DAY, count))
        )
        kappa = math.log(2) / TRANSIENT_HALF_LIFE
        keep = math.exp(-kappa * minutes)
        transient_sd = TRANSIENT_SHARE * math.sqrt((1 - keep * keep) / (2 * kappa) / minutes)
        anchor_keep = math.exp(-math.log(2) * minutes / (ANCHOR_HALF_LIFE_DAYS * MINUTES_PER_DAY))
        anchors = ar_filter(anchor_keep, (1 - TRANSIENT_SHARE) * (sds * normals[2] + jump_sizes), s.anchor)
        transients = ar_filter(
            keep, transient_sd * sds * normals[4] + TRANSIENT_SHARE * jump_sizes, s.transient
        )
        returns = np.diff(np.r_[s.anchor, anchors]) + np.diff(np.r_[s.transient, transients])
        if count:
            s.hours_regime, s.days_regime = float(hours[-1]), float(days[-1])
            s.anchor, s.transient = float(anchors[-1]), float(transients[-1])
        return MinuteDraws(returns + TREND_PER_MINUTE * minutes, sds, jump_sizes)


FILTER_BLOCK = 256
FILTER_RANGE = 1e8  # how far the weights inside a block may spread (precision lost: about 1e-8)


def ar_filter(phi: float, inputs: np.ndarray, start: float) -> np.ndarray:
    """y_t = φ·y_{t-1} + x_t from y_{-1} = ``start``, for all t at once.

    In blocks short enough that φ^-k stays below ``FILTER_RANGE``: inside a block
    y_j = φ^j·(φ·y_start + Σ_{k≤j} φ^-k·x_k), one cumulative sum for every block together;
    across blocks a short loop carries each block's last value. A Python loop over a month
    of minutes would cost a large share of start-up, and a matrix product leans on BLAS threads.
    """
    count = len(inputs)
    if count == 0:
        return np.empty(0)
    if phi <= 0:
        return np.array(inputs, dtype=float)
    size = (
        FILTER_BLOCK if phi >= 1 else max(1, min(FILTER_BLOCK, int(math.log(FILTER_RANGE) / -math.log(phi))))
    )
    blocks = -(-count // size)
    padded = np.zeros(blocks * size)
    padded[:count] = inputs
    powers = phi ** np.arange(size)
    inside = np.cumsum(padded.reshape(blocks, size) / powers, axis=1) * powers  # as if each block began at 0
    carry = phi * powers  # φ^(j+1): how the value before a block reaches its j-th element
    starts = np.empty(blocks)
    previous = start
    for index, block_end in enumerate(inside[:, -1].tolist()):
        starts[index] = previous
        previous = block_end + carry[-1] * previous
    return (inside + np.outer(starts, carry)).ravel()[:count]
