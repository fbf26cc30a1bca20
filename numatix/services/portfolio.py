"""Portfolio use cases: balances valued in USDT, positions with P&L, the paper wallet reset.

A position is what the user holds of a symbol's base asset, by the average-cost method
(domain ``Position``): the holdings the wallet started with (or was reset to) enter at
the price of that moment, then every fill since moves it. A wallet reset starts the
positions afresh.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from numatix.domain.balances import WALLET_RESET, LedgerEntry
from numatix.domain.market import Interval
from numatix.domain.orders import Fill
from numatix.domain.positions import Position
from numatix.domain.symbols import SymbolSpec
from numatix.exchange.base import Venue
from numatix.services.errors import WalletResetUnavailable
from numatix.services.trading import UserId, identity

VALUATION_ASSET = "USDT"
PriceSource = Callable[[str], Decimal | None]  # symbol -> last price, None when unknown
# user -> when their wallet started and with what (None: a venue whose wallet is not ours)
StartingWallet = Callable[[UserId], Awaitable["Opening | None"]]
PriceAt = Callable[[UserId, str, int], Awaitable[Decimal | None]]  # user, symbol, time -> price then


@dataclass(frozen=True, slots=True)
class Opening:
    """Holdings that arrived without a trade: the start of the wallet or its last reset."""

    time_ms: int
    holdings: Mapping[str, Decimal]
    after_trade_id: int = 0  # fills up to this one came before


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
    fees_in_quote: Decimal  # fees in the base or quote asset, valued at their fills' prices

    @property
    def side(self) -> str:
        """As the original platform named it: BUY while bought and held, SELL once sold back to flat."""
        return "BUY" if self.quantity > 0 else "SELL"

    @property
    def direction(self) -> str:
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
        starting_wallet: StartingWallet | None = None,
        price_at: PriceAt | None = None,
    ) -> None:
        self.venue = venue
        self._last_price = last_price
        self._prices_for = prices_for  # per user: the market of the venue they trade on
        self._symbols = symbols
        self._account_for = account_for
        self._starting_wallet = starting_wallet
        self._price_at = price_at
        self._opening_prices: dict[tuple[Hashable, str, int], Decimal] = {}
        self._after_reset: list[Callable[[UserId], Awaitable[None]]] = []

    async def balances(self, user_id: UserId) -> list[BalanceView]:
        balances = await self.venue.balances(self._account_for(user_id))
        price = await self._prices(user_id)
        return [
            BalanceView(b.asset, b.free, b.locked, b.total, _value_in_usdt(price, b.asset, b.total))
            for b in sorted(balances.values(), key=lambda b: b.asset)
        ]

    async def total_value_usdt(self, user_id: UserId) -> Decimal:
        return total_value(await self.balances(user_id))

    async def complete_value_usdt(self, user_id: UserId) -> Decimal | None:
        """The wallet's value, or None while an asset it holds that trades here has no price yet:
        a partial sum would show as a drop that never happened."""
        balances = await self.balances(user_id)
        traded = {spec.base_asset for spec in self._symbols.values() if spec.quote_asset == VALUATION_ASSET}
        if any(b.total > 0 and b.value_usdt is None and b.asset in traded for b in balances):
            return None
        return total_value(balances)

    async def positions(self, user_id: UserId) -> list[PositionView]:
        """Every symbol held or traded since the wallet started (or was last reset)."""
        account = self._account_for(user_id)
        opening = await self._opening(user_id, await self.venue.wallet_ledger(account))
        positions = await self._opened(user_id, opening)
        after_trade_id = opening.after_trade_id if opening else 0
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

    async def fills_since_opening(self, user_id: UserId) -> list[Fill]:
        """The fills the positions are made of: those since the wallet's last reset, oldest first."""
        account = self._account_for(user_id)
        opening = await self._opening(user_id, await self.venue.wallet_ledger(account))
        after_trade_id = opening.after_trade_id if opening else 0
        return [fill for fill in await self.venue.my_trades(account) if fill.trade_id > after_trade_id]

    async def _opening(self, user_id: UserId, ledger: list[LedgerEntry]) -> Opening | None:
        resets = [entry for entry in ledger if entry.kind == WALLET_RESET]
        if resets:
            last = resets[-1]
            return Opening(last.time_ms, last.balances_after, last.last_trade_id)
        return await self._starting_wallet(user_id) if self._starting_wallet is not None else None

    async def _opened(self, user_id: UserId, opening: Opening | None) -> dict[str, Position]:
        """The positions the opening holdings make, each at its symbol's price at that time."""
        positions: dict[str, Position] = {}
        if opening is None or self._price_at is None:
            return positions
        for symbol, spec in self._symbols.items():
            quantity = opening.holdings.get(spec.base_asset, Decimal(0))
            price = await self._opening_price(user_id, symbol, opening.time_ms) if quantity > 0 else None
            if price is not None:
                positions[symbol] = Position(symbol, spec.base_asset, spec.quote_asset)
                positions[symbol].open_with(quantity, price)
        return positions

    async def _opening_price(self, user_id: UserId, symbol: str, time_ms: int) -> Decimal | None:
        key = (self._account_for(user_id), symbol, time_ms)
        if key not in self._opening_prices:
            price = await self._price_at(user_id, symbol, time_ms) if self._price_at else None
            if price is None:
                return None
            self._opening_prices[key] = price
        return self._opening_prices[key]

    async def reset_wallet(self, user_id: UserId) -> None:
        if not self.venue.can_reset_wallet:
            raise WalletResetUnavailable("This venue keeps real balances; only a paper wallet can be reset.")
        await self.venue.reset_wallet(self._account_for(user_id))
        for listener in self._after_reset:
            await listener(user_id)

    def on_wallet_reset(self, listener: Callable[[UserId], Awaitable[None]]) -> None:
        """``await listener(user_id)`` after each wallet reset (the value curve starts afresh)."""
        self._after_reset.append(listener)

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


async def price_at_minute(market, symbol: str, time_ms: int) -> Decimal | None:
    """The price at ``time_ms``: the open of the minute it falls in (fixed once that minute
    starts, so an entry made from it never moves)."""
    candles = await market.candles(symbol, Interval.M1, end_time_ms=time_ms, limit=1)
    return candles[-1].open if candles else None
