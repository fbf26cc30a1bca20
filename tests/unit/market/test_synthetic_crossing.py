"""What the browser tests of trigger orders rely on: the synthetic market soon leaves a band a
basis point either side of where it is, yet one side alone can wait for minutes.

A sell stop a tick under the bid is met only when the market comes back down, and in a trend it
need not for a long time: a browser test that waited 90 s for one failed a busy CI run. So those
tests price a trigger on each side (tests/e2e/test_trading.py, ``place_near_the_market``), and
this is the property that makes them sure to see one cross. Measured on the app's seed at the
quietest hour of the day (05-07 UTC), where the market moves least.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from numatix.market.synthetic import SyntheticFeed

SEED = 7  # the app's default (NUMATIX_SEED)
QUIET_HOUR_MS = 1_796_018_400_000  # 2026-11-30 06:00 UTC
MINUTES = 8
STEP_MS = 100  # how often the page's view of the book could be sampled (the feed's depth cadence)
PLACE_EVERY_MS = 2_000
BASIS_POINT = 1e-4


@dataclass(frozen=True)
class Tape:
    """Every print, and the best bid, best ask and last price after each 100 ms step (in ticks)."""

    step_ms: np.ndarray
    bids: np.ndarray
    asks: np.ndarray
    lasts: np.ndarray
    print_ms: np.ndarray
    print_ticks: np.ndarray

    def prints_within(self, start_ms: int, window_ms: int) -> np.ndarray:
        first, end = np.searchsorted(self.print_ms, [start_ms, start_ms + window_ms])
        return self.print_ticks[first:end]

    def placements(self, window_ms: int) -> range:
        """Step indexes at which an order can be placed and still be watched for ``window_ms``."""
        return range(0, len(self.step_ms) - window_ms // STEP_MS, PLACE_EVERY_MS // STEP_MS)


@pytest.fixture(scope="module")
def quiet_tape() -> Tape:
    feed = SyntheticFeed(("BTCUSDT",), SEED, clock=lambda: QUIET_HOUR_MS, history_days=2)
    stream = feed.stream("BTCUSDT")
    simulation = stream.simulation
    now, last = QUIET_HOUR_MS, stream.last_price_ticks
    steps, bids, asks, lasts, print_ms, print_ticks = [], [], [], [], [], []
    for _ in range(MINUTES * 60_000 // STEP_MS):
        now += STEP_MS
        for item in simulation.advance(now):
            print_ms.append(item.time_ms)
            print_ticks.append(item.price)
            last = item.price
        steps.append(now)
        bids.append(simulation.book.bids.best)
        asks.append(simulation.book.asks.best)
        lasts.append(last)
    return Tape(*(np.array(values) for values in (steps, bids, asks, lasts, print_ms, print_ticks)))


def test_the_market_leaves_a_basis_point_either_side_within_a_minute(quiet_tape: Tape):
    """From anywhere: a print at or under min(bid, last) - 1 bp, or at or over max(ask, last) + 1 bp."""
    tape, window_ms = quiet_tape, 60_000
    band = int(tape.lasts[0] * BASIS_POINT)
    stayed = []
    for i in tape.placements(window_ms):
        low = min(tape.bids[i], tape.lasts[i]) - band
        high = max(tape.asks[i], tape.lasts[i]) + band
        prints = tape.prints_within(int(tape.step_ms[i]), window_ms)
        if not ((prints <= low).any() or (prints >= high).any()):
            stayed.append(int(tape.step_ms[i]))
    assert len(tape.placements(window_ms)) > 100
    assert stayed == [], f"the market stayed within 1 bp either side for a minute from {stayed}"


def test_a_stop_a_tick_under_the_bid_alone_can_wait_longer_than_90_s(quiet_tape: Tape):
    """Why one side is not enough: somewhere in these minutes the market rises for 90 s and more
    without a print a tick under where the bid was."""
    tape, window_ms = quiet_tape, 90_000
    unmet = [i for i in tape.placements(window_ms)
             if not (tape.prints_within(int(tape.step_ms[i]), window_ms)
                     <= min(tape.bids[i], tape.lasts[i]) - 1).any()]
    assert unmet
