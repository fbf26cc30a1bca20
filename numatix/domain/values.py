"""Money and size value types, and typed identifiers.

``Price`` and ``Quantity`` are ``Decimal`` subclasses so that arithmetic and comparison stay
exact and cheap; building one from a float is a TypeError because a float has already lost
the digits a venue would check against its tick and step.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NewType

ClientOrderId = NewType("ClientOrderId", str)
VenueOrderId = NewType("VenueOrderId", int)
TradeId = NewType("TradeId", int)

DecimalInput = str | int | Decimal


def to_decimal(value: object, name: str = "value") -> Decimal:
    """The single entry point for numbers from outside: str, int or Decimal, never float."""
    if isinstance(value, bool) or isinstance(value, float):
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


class Price(Decimal):
    """A price in quote asset per unit of base asset."""

    __slots__ = ()

    def __new__(cls, value: DecimalInput) -> "Price":
        return super().__new__(cls, to_decimal(value, "price"))


class Quantity(Decimal):
    """An amount of the base asset."""

    __slots__ = ()

    def __new__(cls, value: DecimalInput) -> "Quantity":
        return super().__new__(cls, to_decimal(value, "quantity"))


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of a named asset, so that USDT is never added to BTC by accident."""

    amount: Decimal
    asset: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount, "amount"))

    def __add__(self, other: "Money") -> "Money":
        self._same_asset(other)
        return Money(self.amount + other.amount, self.asset)

    def __sub__(self, other: "Money") -> "Money":
        self._same_asset(other)
        return Money(self.amount - other.amount, self.asset)

    def _same_asset(self, other: "Money") -> None:
        if not isinstance(other, Money):
            raise TypeError("Money can only be combined with Money")
        if other.asset != self.asset:
            raise ValueError(f"cannot combine {self.asset} with {other.asset}")
