"""Position and P&L by the average-cost method, with fees kept apart.

The entry price is what was paid per unit held, fees aside; realized P&L is what closing
part of the position made against that entry, fees aside; every fee paid in the base or
the quote asset is counted, valued at its fill's price, in ``fees_in_quote``. So a trader
reads the market's result and the cost of trading side by side, and selling coins that
had no entry never shows up as P&L. Fees in a third asset (BNB) are tracked apart.

Holdings that arrive without a trade (a starting wallet, a wallet reset) open the
position at the price of that moment (``open_with``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from numatix.domain.enums import Side
from numatix.domain.orders import Fill

ZERO = Decimal(0)


@dataclass(slots=True)
class Position:
    symbol: str
    base_asset: str
    quote_asset: str
    quantity: Decimal = ZERO
    average_entry_price: Decimal = ZERO
    realized_pnl: Decimal = ZERO
    fees_in_quote: Decimal = ZERO
    other_fees: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def open_with(self, quantity: Decimal, price: Decimal) -> None:
        """Holdings that came without a trade, entered at ``price``."""
        if quantity > 0:
            self._add(quantity, price)

    def apply(self, fill: Fill) -> None:
        if fill.side is Side.BUY:
            self._buy(fill)
        else:
            self._sell(fill)
        self._count_fee(fill)

    def _add(self, quantity: Decimal, price: Decimal) -> None:
        held = self.quantity + quantity
        if held > 0:
            self.average_entry_price = (self.quantity * self.average_entry_price + quantity * price) / held
        self.quantity = held

    def _buy(self, fill: Fill) -> None:
        """A fee paid in the base asset leaves less to hold; the units held cost the fill's price."""
        base_fee = fill.commission if fill.commission_asset == self.base_asset else ZERO
        self._add(fill.quantity - base_fee, fill.price)

    def _sell(self, fill: Fill) -> None:
        sold = min(fill.quantity, self.quantity)  # selling more than held is not this position's P&L
        self.realized_pnl += sold * (fill.price - self.average_entry_price)
        self.quantity -= sold
        if self.quantity == 0:
            self.average_entry_price = ZERO

    def _count_fee(self, fill: Fill) -> None:
        if not fill.commission:
            return
        if fill.commission_asset == self.quote_asset:
            self.fees_in_quote += fill.commission
        elif fill.commission_asset == self.base_asset:
            self.fees_in_quote += fill.commission * fill.price
        else:
            self.other_fees[fill.commission_asset] += fill.commission

    def unrealized_pnl(self, mark_price: Decimal) -> Decimal:
        return self.quantity * (mark_price - self.average_entry_price)

    def total_pnl(self, mark_price: Decimal) -> Decimal:
        """The market's result, realized and not: fees are in ``fees_in_quote``."""
        return self.realized_pnl + self.unrealized_pnl(mark_price)
