"""Balances and the rules for moving funds between free and locked.

A ``Wallet`` refuses any change that would take free or locked below zero, so an order
that cannot be paid for is rejected at placement and never discovered at fill time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from numatix.domain.errors import insufficient_balance

ZERO = Decimal(0)

# What a new paper account starts with (Binance testnet-like amounts, kept small).
PAPER_STARTING_BALANCES: Mapping[str, Decimal] = {
    "USDT": Decimal(10000),
    "BTC": Decimal("0.1"),
    "ETH": Decimal(1),
    "BNB": Decimal(10),
}


def amounts_in_words(amounts: Mapping[str, Decimal] = PAPER_STARTING_BALANCES) -> str:
    """"10,000 USDT, 0.1 BTC, 1 ETH and 10 BNB": what the pages say a paper wallet starts with."""
    words = [f"{amount.normalize():,f} {asset}" for asset, amount in amounts.items()]
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


@dataclass(frozen=True, slots=True)
class Balance:
    asset: str
    free: Decimal
    locked: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.free + self.locked


class Wallet:
    """One account's balances. Every mutation checks its rule before changing anything."""

    __slots__ = ("_changed", "_free", "_locked")

    def __init__(self, balances: Iterable[Balance] = ()) -> None:
        self._free: dict[str, Decimal] = {}
        self._locked: dict[str, Decimal] = {}
        self._changed: set[str] = set()
        for balance in balances:
            self._free[balance.asset] = balance.free
            self._locked[balance.asset] = balance.locked

    @classmethod
    def starting(cls, amounts: Mapping[str, Decimal] = PAPER_STARTING_BALANCES) -> Wallet:
        return cls(Balance(asset, amount) for asset, amount in amounts.items())

    def free(self, asset: str) -> Decimal:
        return self._free.get(asset, ZERO)

    def locked(self, asset: str) -> Decimal:
        return self._locked.get(asset, ZERO)

    def balance(self, asset: str) -> Balance:
        return Balance(asset, self.free(asset), self.locked(asset))

    def balances(self) -> dict[str, Balance]:
        assets = set(self._free) | set(self._locked)
        return {asset: self.balance(asset) for asset in sorted(assets)}

    def can_lock(self, asset: str, amount: Decimal) -> bool:
        return amount <= self.free(asset)

    def lock(self, asset: str, amount: Decimal) -> None:
        """Free → locked; -2010 insufficient balance if free does not cover it."""
        if amount < 0:
            raise ValueError("lock amount must not be negative")
        if amount > self.free(asset):
            raise insufficient_balance()
        self._free[asset] = self.free(asset) - amount
        self._locked[asset] = self.locked(asset) + amount
        self._changed.add(asset)

    def unlock(self, asset: str, amount: Decimal) -> None:
        """Locked → free, when an order ends or needs less than it reserved."""
        if amount < 0 or amount > self.locked(asset):
            raise ValueError(f"cannot unlock {amount} {asset}; locked {self.locked(asset)}")
        self._locked[asset] = self.locked(asset) - amount
        self._free[asset] = self.free(asset) + amount
        self._changed.add(asset)

    def spend_locked(self, asset: str, amount: Decimal) -> None:
        """A fill pays out of the funds its order locked."""
        if amount < 0 or amount > self.locked(asset):
            raise ValueError(f"cannot spend {amount} {asset}; locked {self.locked(asset)}")
        self._locked[asset] = self.locked(asset) - amount
        self._changed.add(asset)

    def credit(self, asset: str, amount: Decimal) -> None:
        """A fill delivers the asset bought (net of the fee charged in it)."""
        if self.free(asset) + amount < 0:
            raise ValueError(f"credit of {amount} {asset} would make free negative")
        self._free[asset] = self.free(asset) + amount
        self._locked.setdefault(asset, ZERO)
        self._changed.add(asset)

    def take_changed(self) -> list[Balance]:
        """Balances changed since the last call (what an outboundAccountPosition carries)."""
        changed = [self.balance(asset) for asset in sorted(self._changed)]
        self._changed.clear()
        return changed


WALLET_RESET = "wallet_reset"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A wallet change that is not a trade (a reset): what the account held before and after."""

    time_ms: int
    kind: str
    balances_before: dict[str, Decimal]
    balances_after: dict[str, Decimal]
    last_trade_id: int = 0  # fills up to this id came before the entry (times can tie)
