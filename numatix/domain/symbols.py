"""The tradable symbols and the increments their prices and sizes move in.

The paper venue, the synthetic market and the UI all round with these, so a price shown
on screen is always one the venue would accept.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal


@dataclass(frozen=True, slots=True)
class SymbolSpec:
    symbol: str
    base_asset: str
    quote_asset: str
    tick_size: Decimal
    step_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    min_notional: Decimal
    max_notional: Decimal
    min_price: Decimal
    max_price: Decimal
    base_precision: int = 8
    quote_precision: int = 8

    @property
    def price_decimals(self) -> int:
        return max(0, -self.tick_size.normalize().as_tuple().exponent)

    @property
    def quantity_decimals(self) -> int:
        return max(0, -self.step_size.normalize().as_tuple().exponent)

    def round_price(self, price: Decimal) -> Decimal:
        """Nearest tick: what a displayed or synthetic price snaps to."""
        return (price / self.tick_size).to_integral_value(ROUND_HALF_UP) * self.tick_size

    def floor_quantity(self, quantity: Decimal) -> Decimal:
        """Down to the step, so that a sized order never exceeds what was available."""
        return (quantity / self.step_size).to_integral_value(ROUND_DOWN) * self.step_size


def _spec(symbol: str, base: str, tick: str, step: str, max_qty: str) -> SymbolSpec:
    return SymbolSpec(
        symbol=symbol,
        base_asset=base,
        quote_asset="USDT",
        tick_size=Decimal(tick),
        step_size=Decimal(step),
        min_qty=Decimal(step),
        max_qty=Decimal(max_qty),
        min_notional=Decimal("5"),
        max_notional=Decimal("9000000"),
        min_price=Decimal(tick),
        max_price=Decimal("1000000"),
    )


# Filters as Binance lists them for these pairs.
DEFAULT_SYMBOLS: dict[str, SymbolSpec] = {
    spec.symbol: spec
    for spec in (
        _spec("BTCUSDT", "BTC", "0.01", "0.00001", "9000"),
        _spec("ETHUSDT", "ETH", "0.01", "0.0001", "9000"),
        _spec("BNBUSDT", "BNB", "0.01", "0.001", "9000"),
        _spec("SOLUSDT", "SOL", "0.01", "0.001", "9000"),
    )
}
