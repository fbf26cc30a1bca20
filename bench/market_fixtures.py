"""A steady 20-level book around a mid price, shared by the engine and service benchmarks."""

from __future__ import annotations

from decimal import Decimal

from numatix.domain.market import BookLevel, BookSnapshot

SYMBOL = "BTCUSDT"


def make_book(update_id: int, mid: Decimal, symbol: str = SYMBOL) -> BookSnapshot:
    bids = tuple(BookLevel(mid - Decimal(i + 1), Decimal("0.5")) for i in range(20))
    asks = tuple(BookLevel(mid + Decimal(i + 1), Decimal("0.5")) for i in range(20))
    return BookSnapshot(symbol, update_id, 0, bids, asks)
