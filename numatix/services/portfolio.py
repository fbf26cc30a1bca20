"""Portfolio use cases: balances valued in USDT, positions with P&L, the paper wallet reset.

A position is what the user traded here, by the average-cost method (domain
``Position``): the starting wallet has no entry price, so it is a balance, not a
position. A wallet reset starts the positions afresh too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from numatix.domain.balances import WALLET_RESET, LedgerEntry
from numatix.domain.positions import Position
from numatix.domain.symbols import SymbolSpec
from numatix.exchange.base import Venue
from numatix.services.errors import WalletResetUnavailable
from numatix.services.trading import UserId, identity

VALUATION_ASSET = "USDT"
PriceSource = Callable[[str], Decimal | None]  # symbol -> last price, None when unknown


@dataclass(frozen=True, slots=True)
class BalanceView:
    asset: str
    free: Decimal
    locked: Decimal
    total: Decimal
    value_usdt: Decimal | None  # None when the asset has no USDT price here


@dataclass(frozen=True, slots=True)
class PositionView:
    symbol: str
    base_asset: str
    quote_asset: str
    quantity: Decimal
    average_entry_price: Decimal
    last_price: Decimal | None
    unrealized_pnl: Decimal | None
    realized_pnl: Decimal
    fees_in_quote: Decimal

    @property
    def side(self) -> str:
        return "LONG" if self.quantity > 0 else "FLAT"

    @property
    def unrealized_pnl_percent(self) -> Decimal | None:
        """Unrealized P&L against what the open quantity cost, in percent."""
        cost = self.quantity * self.average_entry_price
        if self.unrealized_pnl is None or not cost:
            return None
        return self.unrealized_pnl / cost * 100


class PortfolioService:
    def __init__(
        self,
        venue: Venue,
        last_price: PriceSource,
        symbols: Mapping[str, SymbolSpec],
        *,
        account_for: Callable[[UserId], Hashable] = identity,
        prices_for: Callable[[UserId], Awaitable[PriceSource]] | None = None,
    ) -> None:
        self.venue = venue
        self._last_price = last_price
        self._prices_for = prices_for  # per user: the market of the venue they trade on
        self._symbols = symbols
        self._account_for = account_for

    async def balances(self, user_id: UserId) -> list[BalanceView]:
        balances = await self.venue.balances(self._account_for(user_id))
        price = await self._prices(user_id)
        return [
            BalanceView(b.asset, b.free, b.locked, b.total, _value_in_usdt(price, b.asset, b.total))
            for b in sorted(balances.values(), key=lambda b: b.asset)
        ]

    async def total_value_usdt(self, user_id: UserId) -> Decimal:
        return total_value(await self.balances(user_id))

    async def positions(self, user_id: UserId) -> list[PositionView]:
        """Symbols traded since the last wallet reset, open or closed, by symbol."""
        account = self._account_for(user_id)
        after_trade_id = _last_reset_trade_id(await self.venue.wallet_ledger(account))
        positions: dict[str, Position] = {}
        for fill in await self.venue.my_trades(account):
            spec = self._symbols.get(fill.symbol)
            if spec is None or fill.trade_id <= after_trade_id:
                continue
            position = positions.get(fill.symbol)
            if position is None:
                position = positions[fill.symbol] = Position(fill.symbol, spec.base_asset, spec.quote_asset)
            position.apply(fill)
        price = await self._prices(user_id)
        return [_view(price, positions[symbol]) for symbol in sorted(positions)]

    async def reset_wallet(self, user_id: UserId) -> None:
        if not self.venue.can_reset_wallet:
            raise WalletResetUnavailable("This venue keeps real balances; only a paper wallet can be reset.")
        await self.venue.reset_wallet(self._account_for(user_id))

    async def ledger(self, user_id: UserId) -> list[LedgerEntry]:
        return await self.venue.wallet_ledger(self._account_for(user_id))

    async def _prices(self, user_id: UserId) -> PriceSource:
        return await self._prices_for(user_id) if self._prices_for is not None else self._last_price


def _view(last_price: PriceSource, position: Position) -> PositionView:
    last = last_price(position.symbol)
    unrealized = position.unrealized_pnl(last) if last is not None else None
    return PositionView(
        position.symbol, position.base_asset, position.quote_asset, position.quantity,
        position.average_entry_price, last, unrealized, position.realized_pnl, position.fees_in_quote,
    )


def _value_in_usdt(last_price: PriceSource, asset: str, amount: Decimal) -> Decimal | None:
    if asset == VALUATION_ASSET:
        return amount
    price = last_price(f"{asset}{VALUATION_ASSET}")
    return None if price is None else amount * price


def total_value(balances: list[BalanceView]) -> Decimal:
    """What the wallet is worth, counting only assets that have a USDT price."""
    return sum((b.value_usdt for b in balances if b.value_usdt is not None), Decimal(0))


def _last_reset_trade_id(ledger: list[LedgerEntry]) -> int:
    resets = [entry.last_trade_id for entry in ledger if entry.kind == WALLET_RESET]
    return max(resets, default=0)
