"""Position and P&L by the average-cost method, fees included.

A buy's fee paid in the base asset reduces what was received; a fee paid in the quote
asset is part of the cost (buy) or reduces the proceeds (sell). Fees in a third asset
(BNB) are tracked apart because their quote value is not known here.
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

    def apply(self, fill: Fill) -> None:
        if fill.side is Side.BUY:
            self._buy(fill)
        else:
            self._sell(fill)

    def _fee_in(self, fill: Fill, asset: str) -> Decimal:
        return fill.commission if fill.commission_asset == asset else ZERO

    def _record_other_fee(self, fill: Fill) -> None:
        if fill.commission and fill.commission_asset not in (self.base_asset, self.quote_asset):
            self.other_fees[fill.commission_asset] += fill.commission

    def _buy(self, fill: Fill) -> None:
        received = fill.quantity - self._fee_in(fill, self.base_asset)
        quote_fee = self._fee_in(fill, self.quote_asset)
        cost = fill.quote_quantity + quote_fee
        new_quantity = self.quantity + received
        if new_quantity > 0:
            self.average_entry_price = (self.quantity * self.average_entry_price + cost) / new_quantity
        self.quantity = new_quantity
        self.fees_in_quote += quote_fee + self._fee_in(fill, self.base_asset) * fill.price
        self._record_other_fee(fill)

    def _sell(self, fill: Fill) -> None:
        sold = min(fill.quantity, self.quantity)  # selling more than held is not P&L of this position
        quote_fee = self._fee_in(fill, self.quote_asset)
        proceeds_per_unit = fill.price
        self.realized_pnl += sold * (proceeds_per_unit - self.average_entry_price) - quote_fee
        self.quantity -= sold
        if self.quantity == 0:
            self.average_entry_price = ZERO
        self.fees_in_quote += quote_fee
        self._record_other_fee(fill)

    def unrealized_pnl(self, mark_price: Decimal) -> Decimal:
        return self.quantity * (mark_price - self.average_entry_price)

    def total_pnl(self, mark_price: Decimal) -> Decimal:
        return self.realized_pnl + self.unrealized_pnl(mark_price)
