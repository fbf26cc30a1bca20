"""What a market order would cost before it is sent: a walk of the visible book.

An estimate, not a promise: the book moves between the preview and the venue's match.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from numatix.domain.market import BookLevel

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class FillEstimate:
    quantity: Decimal
    quote: Decimal
    complete: bool  # False when the visible book runs out first

    @property
    def average_price(self) -> Decimal | None:
        return self.quote / self.quantity if self.quantity else None


def walk_visible_book(levels: tuple[BookLevel, ...], quantity: Decimal | None = None,
                      quote: Decimal | None = None) -> FillEstimate:
    """Take levels best first until ``quantity`` (base) or ``quote`` is used up."""
    filled, spent = ZERO, ZERO
    for level in levels:
        if quantity is not None:
            take = min(level.quantity, quantity - filled)
        elif quote is not None:
            take = min(level.quantity, (quote - spent) / level.price)
        else:
            raise ValueError("give a quantity or a quote amount")
        if take <= 0:
            break
        filled += take
        spent += take * level.price
    wanted_done = filled >= quantity if quantity is not None else quote is not None and spent >= quote
    return FillEstimate(filled, spent, wanted_done)
