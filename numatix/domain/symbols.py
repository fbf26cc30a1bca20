"""The tradable symbols and the increments their prices and sizes move in.

The paper venue, the synthetic market and the UI all round with these, so a price shown
on screen is always one the venue would accept.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal


def decimal_places(increment: Decimal) -> int:
    """Digits after the point that an increment such as 0.010 needs (2)."""
    exponent = increment.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


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
        return decimal_places(self.tick_size)

    @property
    def quantity_decimals(self) -> int:
        return decimal_places(self.step_size)

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
        min_notional=Decimal(5),
        max_notional=Decimal(9000000),
        min_price=Decimal(tick),
        max_price=Decimal(1000000),
    )


# Filters as Binance lists them for these pairs.
DEFAULT_SYMBOLS: dict[str, SymbolSpec] = {
    spec.symbol: spec
    for spec in (
        _spec("BTCUSDT", "BTC", "0.01", "0.00001", "9000"),
        _spec("ETHUSDT", "ETH", "0.01", "0.0001", "9000"),
        _spec("BNBUSDT", "BNB", "0.01", "0.001", "9000"),
        _spec("SOLUSDT", "SOL", "0.01", "0.001", "9000"),
        _spec("XRPUSDT", "XRP", "0.0001", "0.1", "9000000"),
        _spec("XLMUSDT", "XLM", "0.0001", "1", "9000000"),
        _spec("ADAUSDT", "ADA", "0.0001", "0.1", "9000000"),
        _spec("TRXUSDT", "TRX", "0.0001", "0.1", "9000000"),
        _spec("LINKUSDT", "LINK", "0.01", "0.01", "900000"),
        _spec("AVAXUSDT", "AVAX", "0.01", "0.01", "900000"),
        _spec("SUIUSDT", "SUI", "0.0001", "0.1", "9000000"),
        _spec("LTCUSDT", "LTC", "0.01", "0.001", "90000"),
        _spec("DOTUSDT", "DOT", "0.001", "0.01", "900000"),
        _spec("BCHUSDT", "BCH", "0.1", "0.001", "90000"),
        _spec("NEARUSDT", "NEAR", "0.001", "0.1", "9000000"),
        _spec("APTUSDT", "APT", "0.001", "0.01", "900000"),
        _spec("UNIUSDT", "UNI", "0.001", "0.01", "900000"),
        _spec("ARBUSDT", "ARB", "0.0001", "0.1", "9000000"),
        _spec("TONUSDT", "TON", "0.001", "0.01", "900000"),
        _spec("OPUSDT", "OP", "0.0001", "0.01", "9000000"),
    )
}
