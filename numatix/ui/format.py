"""Turning Decimals into the strings a trader reads: at the symbol's precision, grouped."""

from __future__ import annotations

from decimal import Decimal

from numatix.domain.market import Candle


def fixed(value: Decimal | None, decimals: int, grouped: bool = True) -> str:
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-decimals)
    rounded = value.quantize(quantum)
    return f"{rounded:,.{decimals}f}" if grouped else f"{rounded:.{decimals}f}"


def compact(value: Decimal | None) -> str:
    """Large volumes as 1.23K / 4.56M / 7.89B, as exchanges show them."""
    if value is None:
        return "—"
    for limit, suffix in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "K")):
        if abs(value) >= limit:
            return f"{(value / limit).quantize(Decimal('0.01'))}{suffix}"
    return f"{value.quantize(Decimal('0.01'))}"


def signed_percent(value: Decimal) -> str:
    return f"{'+' if value > 0 else ''}{value.quantize(Decimal('0.01'))}%"


def candle_for_chart(candle: Candle) -> dict[str, str | int]:
    """Chart payload: time in epoch seconds, prices as plain decimal strings."""
    return {
        "time": candle.open_time_ms // 1000,
        "open": format(candle.open, "f"),
        "high": format(candle.high, "f"),
        "low": format(candle.low, "f"),
        "close": format(candle.close, "f"),
        "volume": format(candle.volume, "f"),
    }


def utc_time(time_ms: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(time_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
