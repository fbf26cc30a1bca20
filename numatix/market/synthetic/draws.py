"""Random numbers for the event loop, drawn from the seeded generator in blocks.

The order flow asks for one number at a time, thousands of times a second; a numpy call per
number would cost more than the book itself. Blocks keep the sequence a pure function of
the seed, so the market stays reproducible.
"""

from __future__ import annotations

import math

import numpy as np

BLOCK = 4096


class Draws:
    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._normals: list[float] = []
        self._uniforms: list[float] = []
        self._normal_at = self._uniform_at = 0

    def normal(self) -> float:
        if self._normal_at == len(self._normals):
            self._normals, self._normal_at = self._rng.standard_normal(BLOCK).tolist(), 0
        value = self._normals[self._normal_at]
        self._normal_at += 1
        return value

    def uniform(self) -> float:
        """In (0, 1]: safe to take the logarithm of."""
        if self._uniform_at == len(self._uniforms):
            self._uniforms, self._uniform_at = (1.0 - self._rng.random(BLOCK)).tolist(), 0
        value = self._uniforms[self._uniform_at]
        self._uniform_at += 1
        return value

    def exponential(self, mean: float) -> float:
        return -mean * math.log(self.uniform())

    def geometric(self, mean: float) -> int:
        """1, 2, 3, ... with the given mean (≥ 1)."""
        if mean <= 1:
            return 1
        return 1 + int(math.log(self.uniform()) / math.log(1 - 1 / mean))

    def poisson(self, mean: float) -> int:
        """Knuth's method: fine for the small means the flow uses."""
        limit, count, product = math.exp(-mean), 0, self.uniform()
        while product > limit:
            count += 1
            product *= self.uniform()
        return count

    def lognormal(self, median: float, log_sd: float) -> float:
        return median * math.exp(log_sd * self.normal())
