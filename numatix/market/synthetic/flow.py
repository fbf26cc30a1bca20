"""Order flow inside a minute: when trades happen, how big they are, and the book around them.

Arrivals are self-exciting (a Hawkes process: each trade makes the next one likelier for
a moment, so prints come in bursts) and quicken when the price moves; sizes are lognormal with a Pareto tail; the book has 20
levels a side, a one-tick spread that widens with volatility, and a touch that thins out
after trades and refills.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SIZE_LOG_SD = 1.8
TAIL_SHARE = 0.04
TAIL_ALPHA = 1.5
TAIL_START = 10.0  # × median
MEAN_SIZE_FACTOR = (1 - TAIL_SHARE) * math.exp(SIZE_LOG_SD**2 / 2) + TAIL_SHARE * TAIL_START * TAIL_ALPHA / (TAIL_ALPHA - 1)
BRANCHING = 0.7  # share of trades set off by an earlier trade (Hawkes branching ratio)
EXCITATION_DECAY_MS = 400.0  # mean delay from a trade to the trade it sets off
BOOK_LEVELS = 20


def activity(minute_sd, base_sd: float, intraday):
    """How busy a minute is (scalar or array): the time of day, and faster when the price is moving."""
    busy = np.clip(intraday * np.sqrt(np.maximum(minute_sd, 1e-12) / base_sd), 0.2, 6.0)
    return float(busy) if np.ndim(busy) == 0 else busy


def trade_sizes(rng: np.random.Generator, count: int, median: float) -> np.ndarray:
    body = median * np.exp(SIZE_LOG_SD * rng.standard_normal(count))
    tail = median * TAIL_START * (1 - rng.random(count)) ** (-1 / TAIL_ALPHA)
    return np.where(rng.random(count) < TAIL_SHARE, tail, body)


def arrival_offsets_ms(rng: np.random.Generator, rate_per_second: float) -> np.ndarray:
    """Sorted trade times within a minute from a Hawkes process, simulated by its cluster form.

    Background trades arrive at ``(1 - BRANCHING) * rate``; each trade triggers on average
    ``BRANCHING`` followers after exponential delays, which keeps the mean rate at ``rate``.
    """
    background = rng.uniform(0, 60_000, rng.poisson(rate_per_second * 60 * (1 - BRANCHING)))
    generations = [background]
    parents = background
    while parents.size:
        children = np.repeat(parents, rng.poisson(BRANCHING, parents.size))
        children = children + rng.exponential(EXCITATION_DECAY_MS, children.size)
        parents = children[children < 60_000]
        generations.append(parents)
    return np.sort(np.concatenate(generations).astype(np.int64))


def bridge(rng: np.random.Generator, steps: int, total: float, sd: float) -> np.ndarray:
    """A Brownian path of ``steps`` points that ends exactly at ``total``."""
    if steps == 0:
        return np.empty(0)
    walk = np.cumsum(rng.standard_normal(steps) * (sd / math.sqrt(steps)))
    fraction = np.arange(1, steps + 1) / steps
    return walk - fraction * (walk[-1] - total)


def spread_ticks(minute_sd: float, base_sd: float, jumped: bool) -> int:
    """One tick in calm markets; wider when volatile and around jumps."""
    extra = max(0.0, minute_sd / base_sd - 2.5)
    return int(min(8, 1 + math.floor(extra) + (3 if jumped else 0)))


@dataclass(slots=True)
class BookShape:
    """Displayed size per level (in base steps) before noise, thinning at the touch after trades."""

    touch_steps: float
    bid_depletion: float = 0.0
    ask_depletion: float = 0.0

    def levels(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        profile = self.touch_steps * (1 + 0.35 * np.arange(BOOK_LEVELS)) * np.exp(0.5 * rng.standard_normal((2, BOOK_LEVELS)))
        profile[0, 0] *= max(0.1, 1 - self.bid_depletion)
        profile[1, 0] *= max(0.1, 1 - self.ask_depletion)
        return np.maximum(1, profile[0]).astype(np.int64), np.maximum(1, profile[1]).astype(np.int64)

    def consume(self, buyer_aggressor: bool, steps: int) -> None:
        share = steps / max(self.touch_steps, 1.0)
        if buyer_aggressor:
            self.ask_depletion = min(0.9, self.ask_depletion + share)
        else:
            self.bid_depletion = min(0.9, self.bid_depletion + share)

    def refill(self, seconds: float) -> None:
        decay = math.exp(-seconds / 1.5)
        self.bid_depletion *= decay
        self.ask_depletion *= decay
