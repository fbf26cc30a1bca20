"""Per-symbol character of the synthetic market: price level, volatility, trade flow, book depth.

Sizes are notional (USDT), so one law serves every symbol and converts to each one's steps
at its price. BTCUSDT's touch holds whole bitcoins, as on Binance; the others are scaled to
their own (thinner) books.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class MarketProfile:
    symbol: str
    start_price: Decimal
    volatility_scale: float  # relative to BTC's ~11 bps per minute
    median_trade_notional: float  # a taker order's median size, in quote (USDT)
    trades_per_second: float  # taker orders per second at average activity
    touch_depth_notional: float  # what market makers keep at the best price, in quote
    depth_notional_per_bps: float  # resting liquidity per basis point from the price, per side, in quote


PROFILES: dict[str, MarketProfile] = {
    p.symbol: p
    for p in (
        MarketProfile("BTCUSDT", Decimal("97000.00"), 1.0, 480.0, 4.0, 150_000.0, 180_000.0),
        MarketProfile("ETHUSDT", Decimal("3400.00"), 1.28, 240.0, 2.8, 90_000.0, 110_000.0),
        MarketProfile("BNBUSDT", Decimal("650.00"), 1.25, 120.0, 1.4, 25_000.0, 30_000.0),
        MarketProfile("SOLUSDT", Decimal("180.00"), 1.45, 160.0, 2.0, 40_000.0, 45_000.0),
        # The rest of Binance's 20 most traded USDT pairs: thinner books, fewer and smaller trades.
        MarketProfile("XRPUSDT", Decimal("2.3000"), 1.5, 110.0, 1.4, 30_000.0, 35_000.0),
        MarketProfile("XLMUSDT", Decimal("0.2600"), 1.6, 60.0, 0.6, 10_000.0, 12_000.0),
        MarketProfile("ADAUSDT", Decimal("0.4500"), 1.6, 70.0, 0.8, 15_000.0, 18_000.0),
        MarketProfile("TRXUSDT", Decimal("0.2800"), 0.9, 60.0, 0.6, 12_000.0, 15_000.0),
        MarketProfile("LINKUSDT", Decimal("14.50"), 1.6, 80.0, 0.8, 12_000.0, 14_000.0),
        MarketProfile("AVAXUSDT", Decimal("14.00"), 1.7, 70.0, 0.7, 10_000.0, 12_000.0),
        MarketProfile("SUIUSDT", Decimal("1.7000"), 1.9, 80.0, 0.9, 12_000.0, 14_000.0),
        MarketProfile("LTCUSDT", Decimal("85.00"), 1.4, 70.0, 0.6, 10_000.0, 12_000.0),
        MarketProfile("DOTUSDT", Decimal("2.300"), 1.6, 50.0, 0.5, 8_000.0, 9_000.0),
        MarketProfile("BCHUSDT", Decimal("520.0"), 1.4, 70.0, 0.5, 9_000.0, 10_000.0),
        MarketProfile("NEARUSDT", Decimal("1.800"), 1.8, 50.0, 0.5, 7_000.0, 8_000.0),
        MarketProfile("APTUSDT", Decimal("2.200"), 1.8, 50.0, 0.4, 6_000.0, 7_000.0),
        MarketProfile("UNIUSDT", Decimal("6.200"), 1.7, 50.0, 0.4, 6_000.0, 7_000.0),
        MarketProfile("ARBUSDT", Decimal("0.2200"), 1.9, 40.0, 0.4, 5_000.0, 6_000.0),
        MarketProfile("TONUSDT", Decimal("1.600"), 1.5, 40.0, 0.4, 5_000.0, 6_000.0),
        MarketProfile("OPUSDT", Decimal("0.3500"), 1.9, 40.0, 0.4, 5_000.0, 6_000.0),
    )
}


def symbol_seed(seed: int, symbol: str) -> int:
    """A stable per-symbol seed (``hash()`` of a str changes between processes)."""
    return (seed * 1_000_003 + zlib.crc32(symbol.encode())) & 0xFFFFFFFF
