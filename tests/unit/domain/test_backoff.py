"""Reconnection delays: 1 s doubling to 30 s, jittered, reset after a success."""

from __future__ import annotations

import random

from numatix.domain.backoff import Backoff


def test_delays_double_from_one_second_to_a_thirty_second_cap_with_jitter():
    backoff = Backoff(rng=random.Random(3))
    delays = [backoff.next_delay() for _ in range(10)]
    ceilings = [1, 2, 4, 8, 16, 30, 30, 30, 30, 30]
    for delay, ceiling in zip(delays, ceilings):
        assert ceiling / 2 <= delay <= ceiling
    assert len({round(d, 6) for d in delays[5:]}) > 1  # jittered, not a fixed 30


def test_reset_starts_again_from_one_second():
    backoff = Backoff(rng=random.Random(3))
    for _ in range(6):
        backoff.next_delay()
    backoff.reset()
    assert 0.5 <= backoff.next_delay() <= 1.0
