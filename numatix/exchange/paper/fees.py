"""Maker/taker commission, charged in the asset the account receives (Binance's default)."""

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

    def commission(
        self, side: Side, quantity: Decimal, price: Decimal, is_maker: bool, base_asset: str, quote_asset: str
    ) -> tuple[Decimal, str]:
        """A buy pays in the base asset it receives; a sell in the quote asset."""
        rate = self.maker_rate if is_maker else self.taker_rate
        if side is Side.BUY:
            amount, asset = quantity * rate, base_asset
        else:
            amount, asset = quantity * price * rate, quote_asset
        quantum = Decimal(1).scaleb(-self.commission_precision)
        return amount.quantize(quantum, ROUND_HALF_UP), asset
