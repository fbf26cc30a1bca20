"""The laws of the simulated order flow: when takers come, how big they are, where limit orders go.

Taker arrivals are self-exciting (a Hawkes process: each order makes the next one likelier for
a moment, so trades come in bursts) and quicken when the price moves; taker sizes are
lognormal with a Pareto tail. Within a minute the fair price moves only when an informed
taker trades (volatility follows the trade clock): news reaches the book with a trade, so the
book never drifts away from the last print between trades. The informed takers are the ones
that start a burst; the burst is the rest of the market following them.
"""

from __future__ import annotations

import math

import numpy as np

SIZE_LOG_SD = 1.8
TAIL_SHARE = 0.04
TAIL_ALPHA = 1.5
TAIL_START = 10.0  # × median
MEAN_SIZE_FACTOR = (1 - TAIL_SHARE) * math.exp(SIZE_LOG_SD**2 / 2) + TAIL_SHARE * TAIL_START * TAIL_ALPHA / (
    TAIL_ALPHA - 1
)
PRINTS_PER_TAKER = 1.6  # a taker meets this many resting orders on average (measured on the book)
BRANCHING = 0.7  # share of takers set off by an earlier one (Hawkes branching ratio)
EXCITATION_DECAY_MS = 150.0  # mean delay from a taker to the taker it sets off


def activity(minute_sd, base_sd: float, rhythm):
    """How busy a minute is (scalar or array): the time of day and week, and faster when the price moves."""
    busy = np.clip(rhythm * np.sqrt(np.maximum(minute_sd, 1e-12) / base_sd), 0.2, 6.0)
    return float(busy) if np.ndim(busy) == 0 else busy


def taker_sizes(rng: np.random.Generator, count: int, median: float) -> np.ndarray:
    body = median * np.exp(SIZE_LOG_SD * rng.standard_normal(count))
    tail = median * TAIL_START * (1 - rng.random(count)) ** (-1 / TAIL_ALPHA)
    return np.where(rng.random(count) < TAIL_SHARE, tail, body)


def arrivals(rng: np.random.Generator, rate_per_second: float) -> tuple[np.ndarray, np.ndarray]:
    """Sorted arrival times within a minute from a Hawkes process, simulated by its cluster form,
    and which arrivals bring news.

    Background arrivals come at ``(1 - BRANCHING) * rate``: they are the informed takers; each
    arrival triggers on average ``BRANCHING`` followers after exponential delays, which keeps
    the mean rate at ``rate``. A minute has at least one informed taker, so every minute can move.
    """
    background = rng.uniform(0, 60_000, max(1, rng.poisson(rate_per_second * 60 * (1 - BRANCHING))))
    generations = [background]
    parents = background
    while parents.size:
        children = np.repeat(parents, rng.poisson(BRANCHING, parents.size))
        children = children + rng.exponential(EXCITATION_DECAY_MS, children.size)
        parents = children[children < 60_000]
        generations.append(parents)
    offsets = np.concatenate(generations).astype(np.int64)
    order = np.argsort(offsets, kind="stable")
    return offsets[order], order < background.size


def fair_moves(
    rng: np.random.Generator, count: int, total: float, sd: float, jump: float
) -> tuple[np.ndarray, int]:
    """Log level of the fair price after each of ``count`` informed takers, from 0 to ``total`` at the last.

    Each informed taker brings an equal share of the minute's variance; the path is a Brownian
    bridge in that clock ending exactly at ``total``. A jump, if any, comes whole with one of
    them, whose index is returned (-1 without a jump).
    """
    walk = np.cumsum(rng.standard_normal(count) * sd / np.sqrt(max(count, 1)))
    clock = np.arange(1, count + 1) / max(count, 1)
    path = walk - clock * (walk[-1] if count else 0.0) + clock * (total - jump)
    at = -1
    if jump and count:
        at = int(rng.integers(count))
        path[at:] += jump
    return path, at
