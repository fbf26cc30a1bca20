"""Maker/taker commission, charged in the asset the account receives (Binance's default).

The one fee rule: the paper engine charges it, the order preview estimates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from numatix.domain.enums import Side


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    maker_rate: Decimal = Decimal("0.001")
    taker_rate: Decimal = Decimal("0.001")
    commission_precision: int = 8

    def __post_init__(self) -> None:
        for name in ("maker_rate", "taker_rate"):
            if not isinstance(getattr(self, name), Decimal):
                raise TypeError(f"{name} must be a Decimal")

    def rate(self, is_maker: bool) -> Decimal:
        return self.maker_rate if is_maker else self.taker_rate

    def commission(
        self, side: Side, quantity: Decimal, price: Decimal, is_maker: bool, base_asset: str, quote_asset: str
    ) -> tuple[Decimal, str]:
        """A buy pays in the base asset it receives; a sell in the quote asset."""
        return self.on_amounts(side, quantity, quantity * price, is_maker, base_asset, quote_asset)

    def on_amounts(
        self, side: Side, quantity: Decimal, quote: Decimal, is_maker: bool, base_asset: str, quote_asset: str
    ) -> tuple[Decimal, str]:
        """The commission on a trade of ``quantity`` base for ``quote``, and its asset."""
        rate = self.rate(is_maker)
        amount, asset = (quantity * rate, base_asset) if side is Side.BUY else (quote * rate, quote_asset)
        quantum = Decimal(1).scaleb(-self.commission_precision)
        return amount.quantize(quantum, ROUND_HALF_UP), asset


DEFAULT_FEES = FeeSchedule()
