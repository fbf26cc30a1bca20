"""The realism report: the default market is inside every Binance range, and the statistics can tell
a wrong market from a right one (each estimator recovers what it measures)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numatix.market import report
from numatix.market.realism import returns as stats
from numatix.market.realism.fitting import garch_fit, student_t_degrees_of_freedom
from numatix.market.realism.reference import REFERENCES

TEST_DAYS, TEST_MINUTES = 30, 10  # the report's defaults are 60 and 30; the same statistics, sooner


@pytest.fixture(scope="module")
def default_rows() -> list[report.Row]:
    return report.run(seed=7, days=TEST_DAYS, minutes=TEST_MINUTES)


def test_the_default_market_is_inside_every_binance_range(default_rows):
    assert {row.reference.key for row in default_rows} == {reference.key for reference in REFERENCES}
    outside = [
        f"{row.reference.label}: {row.value:.4f} not in {row.reference.describe()}"
        for row in default_rows
        if not row.inside
    ]
    assert not outside, "\n".join(outside)


def test_the_table_shows_every_statistic_its_range_and_verdict(default_rows):
    text = report.format_rows(default_rows)
    for row in default_rows:
        line = next(line for line in text.splitlines() if line.startswith(row.reference.label))
        assert row.reference.describe() in line and ("yes" if row.inside else "NO") in line


def test_a_statistic_outside_its_range_fails_the_report(default_rows, monkeypatch, capsys):
    broken = [
        report.Row(row.reference, -1.0 if row.reference.key == "t_nu" else row.value) for row in default_rows
    ]
    monkeypatch.setattr(report, "run", lambda *args, **kwargs: broken)
    assert report.main(["--days", "3", "--minutes", "2"]) == 1
    output = capsys.readouterr().out
    assert "outside: t_nu" in output and "NO" in output


def test_a_student_t_fit_recovers_its_degrees_of_freedom():
    rng = np.random.default_rng(1)
    assert 3.5 <= student_t_degrees_of_freedom(rng.standard_t(4, 40_000)) <= 4.6
    assert student_t_degrees_of_freedom(rng.standard_t(1.3, 40_000)) < 2  # issue #16's market: caught


def test_a_garch_fit_recovers_alpha_and_beta():
    rng = np.random.default_rng(2)
    variance, returns = 1.0, np.empty(40_000)
    for i in range(len(returns)):
        returns[i] = math.sqrt(variance) * rng.standard_normal()
        variance = 0.02 + 0.08 * returns[i] ** 2 + 0.9 * variance
    fit = garch_fit(returns)
    assert 0.06 <= fit.alpha <= 0.10 and 0.87 <= fit.beta <= 0.93


def test_return_statistics_measure_what_they_say():
    rng = np.random.default_rng(3)
    minute_of_day = np.arange(10 * 1440) % 1440
    busy_afternoons = np.where(minute_of_day // 60 >= 14, 2.0, 1.0) * rng.standard_normal(10 * 1440)
    assert stats.hour_of_day_ratio(busy_afternoons) == pytest.approx(2.0, rel=0.1)
    assert abs(stats.autocorrelation(rng.standard_normal(50_000), 1)) < 0.02
    assert stats.autocorrelation(np.cumsum(rng.standard_normal(50_000)), 1) > 0.9
    assert stats.excess_kurtosis(rng.standard_normal(100_000)) == pytest.approx(0, abs=0.1)
    alternating = np.full(2 * 1440, 1e-4) * np.tile([1, -1], 1440)
    assert stats.daily_minute_sd_bps(alternating).tolist() == pytest.approx([1.0, 1.0])
