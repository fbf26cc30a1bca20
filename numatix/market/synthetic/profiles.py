"""Per-symbol character of the synthetic market: price level, volatility, trade flow."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class MarketProfile:
    symbol: str
    start_price: Decimal
    volatility_scale: float  # relative to BTC's ~11 bps per minute
    median_trade_notional: float  # in quote (USDT); sizes are lognormal around it
    trades_per_second: float  # at average activity
    touch_depth_notional: float  # typical displayed size at the best price, in quote


PROFILES: dict[str, MarketProfile] = {
    p.symbol: p
    for p in (
        MarketProfile("BTCUSDT", Decimal("97000.00"), 1.0, 290.0, 6.0, 60_000.0),
        MarketProfile("ETHUSDT", Decimal("3400.00"), 1.28, 180.0, 4.0, 40_000.0),
        MarketProfile("BNBUSDT", Decimal("650.00"), 1.25, 90.0, 2.0, 15_000.0),
        MarketProfile("SOLUSDT", Decimal("180.00"), 1.45, 120.0, 3.0, 20_000.0),
    )
}


def symbol_seed(seed: int, symbol: str) -> int:
    """A stable per-symbol seed (``hash()`` of a str changes between processes)."""
    return (seed * 1_000_003 + zlib.crc32(symbol.encode())) & 0xFFFFFFFF
