"""Turning Decimals into the strings a trader reads: at the symbol's precision, grouped."""

from __future__ import annotations

from datetime import UTC
from decimal import ROUND_DOWN, Context, Decimal

from numatix.domain.market import Candle
from numatix.domain.symbols import DEFAULT_SYMBOLS

QUOTE_DECIMALS = 2  # USDT amounts a person reads: cents


def fixed(value: Decimal | None, decimals: int, grouped: bool = True) -> str:
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-decimals)
    # wide enough for any digits a field accepts (the default 28 would raise on 30 of them)
    rounded = value.quantize(quantum, context=Context(prec=max(28, value.adjusted() + decimals + 2)))
    rounded = abs(rounded) if not rounded else rounded  # never "-0.00"
    return f"{rounded:,.{decimals}f}" if grouped else f"{rounded:.{decimals}f}"


def signed(value: Decimal | None, decimals: int = 2) -> str:
    """A gain or loss: "+" only when what is shown is above zero (never "+0.00" or "-0.00")."""
    text = fixed(value, decimals)
    return "+" + text if value is not None and Decimal(text.replace(",", "")) > 0 else text


def asset_decimals(asset: str) -> int:
    """How many decimals an amount of ``asset`` is shown with: the step of the pair that
    trades it, cents for the quote asset, 8 (Binance's precision) for anything else."""
    for spec in DEFAULT_SYMBOLS.values():
        if spec.base_asset == asset:
            return spec.quantity_decimals
        if spec.quote_asset == asset:
            return QUOTE_DECIMALS
    return 8


def amount(value: Decimal | None, asset: str) -> str:
    """An amount of ``asset`` as the page shows it everywhere (balances, fees, estimates): at
    the asset's decimals, and exactly when it has more (a fee of 0.000001 BTC), up to 8."""
    if value is None:
        return "—"
    exponent = value.normalize().as_tuple().exponent
    needed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return fixed(value, min(8, max(asset_decimals(asset), needed)))


def price_text(value: Decimal | None, symbol: str) -> str:
    """A price of ``symbol`` at its tick's decimals, grouped (8 for a symbol not known here)."""
    spec = DEFAULT_SYMBOLS.get(symbol)
    return fixed(value, spec.price_decimals if spec else 8)


def available(free: Decimal, asset: str) -> str:
    """What can be spent, down (never up) to the asset's decimals: what an order can use."""
    decimals = asset_decimals(asset)
    return fixed(free.quantize(Decimal(1).scaleb(-decimals), ROUND_DOWN), decimals)


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
    from datetime import datetime

    return datetime.fromtimestamp(time_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
