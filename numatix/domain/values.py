"""Numbers from outside become ``Decimal`` here, and never from a float.

A float has already lost the digits a venue checks against its tick and step, so building
an amount from one is a TypeError. Amounts are plain ``Decimal`` everywhere (the symbol's
filters round them); the asset an amount is in travels with it in the types that hold it
(``Balance``, ``Fill.commission_asset``).
"""

from __future__ import annotations

import math
import re
from decimal import Context, Decimal, InvalidOperation

MAX_DIGITS = 20  # Binance's rule for an amount: at most 20 digits before and 20 after the point
LIMIT = Decimal(10) ** MAX_DIGITS
PLAIN_NUMBER = re.compile(r"[0-9]{1,20}(\.[0-9]{1,20})?")  # ASCII only: no "１２", "1_000", "1e9", "NaN"
_WIDE = Context(prec=60)  # normalize() in the default 28-digit context would round a NUMERIC(38, 18)
NUMBER_RULE = "a plain number like 0.001 (digits and one point, at most 20 digits before and after it)"


def to_decimal(value: object, name: str = "value") -> Decimal:
    """The single entry point for numbers from outside: str, int or Decimal, never float."""
    if isinstance(value, (bool, float)):
        raise TypeError(f"{name} must be str, int or Decimal, not {type(value).__name__}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, (str, int)):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{name} is not a number: {value!r}") from None
    else:
        raise TypeError(f"{name} must be str, int or Decimal, not {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{name} must be finite: {value!r}")
    return result


def plain_decimal(value: object, name: str = "value") -> Decimal:
    """A number from outside as Binance accepts one (``^([0-9]{1,20})(\\.[0-9]{1,20})?$``), so
    nothing past the edge meets an exponent in the billions, an infinity or a digit of another
    script. A JSON number arrives as a float: its own shortest text is what is checked."""
    text = _plain_text(value)
    if text is None or not PLAIN_NUMBER.fullmatch(text):
        raise ValueError(f"{name} must be {NUMBER_RULE}")
    return Decimal(text)


def _plain_text(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f") if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else None
    if isinstance(value, int):
        return str(value)
    return value.strip() if isinstance(value, str) else None


def within_bounds(amount: Decimal) -> bool:
    """Below 10^20: what any filter can multiply and round without overflowing."""
    return amount.is_finite() and abs(amount) < LIMIT


def without_trailing_zeros(value: Decimal) -> Decimal:
    """``1.50`` as ``1.5`` and ``4E+4`` as ``40000``: one number reads one way, whether the
    engine rounded it to a step (0.00100) or the database normalised it (0.001)."""
    normalised = value.normalize(_WIDE)
    if normalised == normalised.to_integral():
        return normalised.quantize(Decimal(1), context=_WIDE)
    return normalised
