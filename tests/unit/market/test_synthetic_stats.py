"""The synthetic market's minute returns land near what a year of real BTCUSDT shows.

Targets and tolerances (paper-realism.md): sd ≈ 11 bps (7–16), excess kurtosis above 3
(fat tails), |r| autocorrelation ≈ 0.48 at 1 minute (0.3–0.65), ≈ 0.27 at 60 minutes
(0.12–0.45), ≈ 0.16 at a day (0.05–0.3), no linear predictability (|lag-1| < 0.05),
busier at 14–16 UTC than at 05–07 UTC, ETH ≈ 1.25–1.3 × BTC (1.1–1.5). Statistics are
averaged over three seeds of 60 days so one unusual path cannot decide a test.
"""

from __future__ import annotations

import numpy as np
import pytest

from numatix.market.synthetic import simulate_minute_returns
from numatix.market.synthetic.process import VolatilityProcess

DAYS = 60
SEEDS = (1, 2, 3)


def autocorrelation(x: np.ndarray, lag: int) -> float:
    centred = x - x.mean()
    return float(np.dot(centred[:-lag], centred[lag:]) / np.dot(centred, centred))


@pytest.fixture(scope="module")
def btc() -> list[np.ndarray]:
    return [simulate_minute_returns("BTCUSDT", seed, DAYS * 1440) for seed in SEEDS]


def pooled(samples: list[np.ndarray], statistic) -> float:
    return float(np.mean([statistic(r) for r in samples]))


def test_minute_volatility_is_about_11_bps(btc):
    assert 7 <= pooled(btc, lambda r: r.std() * 1e4) <= 16


def test_tails_are_fat(btc):
    assert pooled(btc, lambda r: ((r - r.mean()) ** 4).mean() / r.var() ** 2 - 3) > 3


@pytest.mark.parametrize(("lag", "low", "high"), [(1, 0.3, 0.65), (60, 0.12, 0.45), (1440, 0.05, 0.3)])
def test_volatility_clusters(btc, lag, low, high):
    assert low <= pooled(btc, lambda r: autocorrelation(np.abs(r), lag)) <= high


def test_returns_are_not_linearly_predictable(btc):
    assert abs(pooled(btc, lambda r: autocorrelation(r, 1))) < 0.05


def test_busiest_in_the_afternoon_quietest_in_the_early_morning(btc):
    minute_of_day = np.arange(DAYS * 1440) % 1440
    busy = pooled(btc, lambda r: np.abs(r[(minute_of_day >= 840) & (minute_of_day < 960)]).mean())
    quiet = pooled(btc, lambda r: np.abs(r[(minute_of_day >= 300) & (minute_of_day < 420)]).mean())
    assert busy > 1.3 * quiet


def test_about_one_jump_a_day():
    process = VolatilityProcess(np.random.default_rng(3), volatility_scale=1.0)
    jumps = (process.steps(60_000 * np.arange(DAYS * 1440)).jumps != 0).sum()
    assert 0.6 * DAYS <= jumps <= 1.5 * DAYS


def test_ether_moves_more_than_bitcoin(btc):
    eth = [simulate_minute_returns("ETHUSDT", seed, DAYS * 1440) for seed in SEEDS]
    assert 1.1 <= pooled(eth, np.std) / pooled(btc, np.std) <= 1.5


def test_the_same_seed_gives_the_same_path_and_another_seed_another():
    a, b = simulate_minute_returns("BTCUSDT", 5, 2000), simulate_minute_returns("BTCUSDT", 5, 2000)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, simulate_minute_returns("BTCUSDT", 6, 2000))
