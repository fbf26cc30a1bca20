"""Reconnection delays: exponential from 1 s, doubling to a 30 s cap, with jitter.

Jitter spreads many clients' retries so a recovering server is not hit by all of them
in the same second. Pure: the caller owns the sleeping and the random source.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    base_seconds: float = 1.0
    cap_seconds: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0

    def next_delay(self) -> float:
        """Half the exponential step for sure, the other half at random ("equal jitter")."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2**self.attempts)
        self.attempts += 1
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self.attempts = 0
