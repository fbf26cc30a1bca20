"""Where a resting paper order stands in its price level's queue, from public data alone.

The paper order is not in the venue's book, so its place is estimated from what the feed
shows, the same way for the synthetic market and for Binance's live streams (hftbacktest's
``ProbQueueModel``, after Rigtorp's estimator):

- it joins behind everything displayed at its price (``ahead``);
- a trade at its price eats the queue ahead first;
- when the level's displayed size drops by more than the trades there explain, the rest was
  cancelled, and the share of it that was ahead of us is ``f(ahead) / (f(ahead) + f(behind))``
  with ``f(x) = log(1 + x)``: a cancel is likelier to come from the longer part of the queue;
- when the level grows, the newcomers are behind us.

Quantities are Decimals; only the probability is a float (it only weighs an estimate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


def log_weight(size: Decimal) -> float:
    return math.log1p(float(size))


def share_ahead(ahead: Decimal, behind: Decimal) -> Decimal:
    """The probability that a cancel at the level came from in front of us."""
    front, back = log_weight(ahead), log_weight(behind)
    if front + back == 0:
        return Decimal(1)
    return Decimal(repr(front / (front + back)))


@dataclass(slots=True)
class QueuePlace:
    """One resting order's estimate: size ahead of it, what traded at its price since the last
    book, and the level's size in that book (None until a book showing the level is seen)."""

    ahead: Decimal = ZERO
    traded: Decimal = ZERO
    shown: Decimal | None = None

    def join(self, displayed: Decimal) -> None:
        self.ahead, self.traded, self.shown = displayed, ZERO, displayed

    def trade(self, quantity: Decimal) -> Decimal:
        """A print at our price: it eats the queue ahead first; returns what is left of it for us."""
        eaten = min(self.ahead, quantity)
        self.ahead -= eaten
        self.traded += quantity
        return quantity - eaten

    def depth(self, displayed: Decimal) -> None:
        """A new book shows ``displayed`` at our price: account for what was cancelled ahead of us."""
        previous, traded = self.shown, self.traded
        self.shown, self.traded = displayed, ZERO
        if previous is None:
            self.ahead = min(self.ahead, displayed)
            return
        cancelled = previous - displayed - traded
        if cancelled <= 0:  # the level grew (newcomers queue behind us), or trades explain it all
            self.ahead = min(self.ahead, displayed)
            return
        behind = max(ZERO, previous - traded - self.ahead)
        share = share_ahead(self.ahead, behind)
        estimate = self.ahead - share * cancelled + min(ZERO, behind - (1 - share) * cancelled)
        self.ahead = max(ZERO, min(estimate, displayed))
