"""The synthetic market's minute returns land near what a year of real BTCUSDT shows.

Targets and tolerances (paper-realism.md): sd ≈ 11 bps (7–16), excess kurtosis well
above a normal's 0 (> 5), |r| autocorrelation ≈ 0.48 at 1 minute (0.28–0.6), ≈ 0.27 at
60 minutes (0.15–0.4), ≈ 0.16 at a day (0.06–0.3), no linear predictability (|lag-1| <
0.05), busier at 14–16 UTC than at 05–07 UTC, ETH ≈ 1.25–1.3 × BTC (1.1–1.5).
"""

from __future__ import annotations

import numpy as np
import pytest

from numatix.market.synthetic import simulate_minute_returns
from numatix.market.synthetic.profiles import PROFILES

DAYS = 60
SEEDS = (1, 2, 3)


def autocorrelation(x: np.ndarray, lag: int) -> float:
    centred = x - x.mean()
    return float(np.dot(centred[:-lag], centred[lag:]) / np.dot(centred, centred))


@pytest.fixture(scope="module")
def btc() -> list[np.ndarray]:
    return [simulate_minute_returns(PROFILES["BTCUSDT"], seed, DAYS * 1440) for seed in SEEDS]


def pooled(samples: list[np.ndarray], statistic) -> float:
    return float(np.mean([statistic(r) for r in samples]))


def test_minute_volatility_is_about_11_bps(btc):
    sd_bps = pooled(btc, lambda r: r.std() * 1e4)
    assert 7 <= sd_bps <= 16


def test_tails_are_fat(btc):
    kurtosis = pooled(btc, lambda r: ((r - r.mean()) ** 4).mean() / r.var() ** 2 - 3)
    assert kurtosis > 5


@pytest.mark.parametrize(("lag", "low", "high"), [(1, 0.28, 0.6), (60, 0.15, 0.4), (1440, 0.06, 0.3)])
def test_volatility_clusters(btc, lag, low, high):
    assert low <= pooled(btc, lambda r: autocorrelation(np.abs(r), lag)) <= high


def test_returns_are_not_linearly_predictable(btc):
    assert abs(pooled(btc, lambda r: autocorrelation(r, 1))) < 0.05


def test_busiest_in_the_afternoon_quietest_in_the_early_morning(btc):
    minute_of_day = np.arange(DAYS * 1440) % 1440
    busy = pooled(btc, lambda r: np.abs(r[(minute_of_day >= 840) & (minute_of_day < 960)]).mean())
    quiet = pooled(btc, lambda r: np.abs(r[(minute_of_day >= 300) & (minute_of_day < 420)]).mean())
    assert busy > 1.3 * quiet


def test_ether_moves_more_than_bitcoin(btc):
    eth = [simulate_minute_returns(PROFILES["ETHUSDT"], seed, DAYS * 1440) for seed in SEEDS]
    ratio = pooled(eth, np.std) / pooled(btc, np.std)
    assert 1.1 <= ratio <= 1.5
