"""The simulator's parts, wired once: keys, market, paper engine, limits, faults, user events.

HTTP and WebSocket handlers (``numatix.sim.app``) and the test API (``numatix.sim.testing``)
both talk to this object, so a test that pushes a trade or injects a fault acts on the
very engine a client is trading against. Each API key is one paper account.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from numatix.domain.balances import Balance
from numatix.domain.credentials import SignatureKind
from numatix.domain.market import TradePrint
from numatix.domain.orders import Order
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.exchange.paper import FeeSchedule, InMemoryPaperStore, PaperExchange
from numatix.market.hub import MarketHub
from numatix.market.synthetic import SyntheticFeed
from numatix.sim import errors
from numatix.sim.auth import Authenticator
from numatix.sim.faults import Faults
from numatix.sim.keys import KeyStore, NewKey, SimKey
from numatix.sim.limits import OrderCount, RawRequests, RequestWeight
from numatix.sim.listen_keys import ListenKeys
from numatix.sim.market_view import MarketView
from numatix.sim.quiet_feed import QuietFeed
from numatix.sim.sockets import Connections
from numatix.sim.streams import MarketStreams
from numatix.sim.tape import Tape
from numatix.sim.user_events import UserEvents

MARKETS = ("quiet", "synthetic")

# What a new key's account holds, like a fresh Spot Testnet account.
SIM_STARTING_BALANCES: Mapping[str, Decimal] = {
    "USDT": Decimal(10000),
    "BTC": Decimal(1),
    "ETH": Decimal(10),
    "BNB": Decimal(50),
    "SOL": Decimal(100),
}


@dataclass(frozen=True, slots=True)
class SimOptions:
    """``market="quiet"`` moves only on ``push_trade`` (deterministic tests);
    ``"synthetic"`` runs the live offline market."""

    symbols: tuple[str, ...] = tuple(DEFAULT_SYMBOLS)
    market: str = "quiet"
    seed: int = 7
    history_days: int = 2
    keys_file: Path | None = None
    starting_balances: Mapping[str, Decimal] = field(default_factory=lambda: dict(SIM_STARTING_BALANCES))
    fees: FeeSchedule = field(default_factory=FeeSchedule)
    weight_limit: int = 6000
    raw_requests_limit: int = 300_000
    orders_per_ten_seconds: int = 50
    orders_per_day: int = 160_000

    def __post_init__(self) -> None:
        if self.market not in MARKETS:
            raise ValueError(f"market must be one of {', '.join(MARKETS)}")
        unknown = [symbol for symbol in self.symbols if symbol not in DEFAULT_SYMBOLS]
        if unknown:
            raise ValueError(f"unknown symbols: {', '.join(unknown)}")


@dataclass(frozen=True, slots=True)
class AccountView:
    """One key's account, for test assertions."""

    api_key: str
    account: int
    balances: dict[str, Balance]
    open_orders: list[Order]
    orders: list[Order]  # newest first, open and closed


class Simulator:
    def __init__(self, options: SimOptions | None = None) -> None:
        self.options = options or SimOptions()
        self.faults = Faults()
        self.keys = KeyStore(self.options.keys_file)
        if self.options.market == "quiet":
            self.feed: QuietFeed | SyntheticFeed = QuietFeed(self.options.symbols, self.options.seed,
                                                             self.options.history_days)
        else:
            self.feed = SyntheticFeed(self.options.symbols, seed=self.options.seed,
                                      history_days=self.options.history_days)
        self.hub = MarketHub(self.feed)
        self.exchange = PaperExchange(
            InMemoryPaperStore(),
            symbols={symbol: DEFAULT_SYMBOLS[symbol] for symbol in self.options.symbols},
            fees=self.options.fees,
            starting_balances=self.options.starting_balances,
        )
        self.tape = Tape(self.options.symbols)
        full_book = self.feed.depth if isinstance(self.feed, SyntheticFeed) else None
        self.market = MarketView(self.hub, self.tape, self.now_ms, full_book)
        self.auth = Authenticator(self.keys, self.now_ms)
        self.weight = RequestWeight(self.options.weight_limit, self.now_ms)
        self.raw_requests = RawRequests(self.options.raw_requests_limit, self.now_ms)
        self.order_count = OrderCount(self.options.orders_per_ten_seconds, self.options.orders_per_day,
                                      self.now_ms)
        self.user_events = UserEvents(self.now_ms)
        self.listen_keys = ListenKeys(self.now_ms)
        self.streams = MarketStreams(self.market, self.now_ms)
        self.connections = Connections()
        self.faults.on_drop(self.connections.drop_all)
        self.list_lock = asyncio.Lock()  # one OCO at a time, so its list name meets its list id
        self.stopping = asyncio.Event()
        self._pacer: asyncio.Task[None] | None = None
        self._pushed_trade_id = 10**12  # far above any feed's ids

    # ---------------------------------------------------------------- life
    async def start(self) -> None:
        self.hub.add_listener(self.exchange.on_market_event)
        self.hub.add_listener(self.tape.on_market_event)
        self.tape.add_listener(self.streams.on_aggregates)
        self.hub.add_listener(self.streams.on_market_event)
        self.exchange.add_listener(self.user_events.on_venue_event)
        await self.hub.start()
        self._pacer = asyncio.create_task(self.streams.run(), name="sim-stream-pace")
        if isinstance(self.feed, QuietFeed):
            await self._wait_for_first_prints()

    async def _wait_for_first_prints(self) -> None:
        for _ in range(200):
            if all(self.hub.snapshot(symbol).last_trade for symbol in self.options.symbols):
                return
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.stopping.set()
        if self._pacer is not None:
            self._pacer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pacer
            self._pacer = None
        await self.hub.stop()

    # ---------------------------------------------------------------- time
    def now_ms(self) -> int:
        """Server time: the wall clock plus any injected skew."""
        return time.time_ns() // 1_000_000 + self.faults.skew_ms

    # ---------------------------------------------------------------- keys
    def create_key(self, kind: SignatureKind | str = SignatureKind.HMAC_SHA256) -> NewKey:
        return self.keys.create(parse_kind(kind))

    def key(self, api_key: str) -> SimKey:
        key = self.keys.lookup(api_key)
        if key is None:
            raise errors.api_key_rejected()
        return key

    # -------------------------------------------------------------- market
    def push_trade(self, symbol: str, price: Decimal | str, quantity: Decimal | str,
                   buyer_is_maker: bool = False) -> TradePrint:
        """A market print now: resting orders at or through ``price`` fill, stops trigger."""
        self.market.check_symbol(symbol)
        price, quantity = Decimal(str(price)), Decimal(str(quantity))
        if price <= 0 or quantity <= 0:
            raise ValueError("price and quantity must be positive")
        wall = time.time_ns() // 1_000_000
        if isinstance(self.feed, QuietFeed):
            return self.feed.print_trade(symbol, price, quantity, wall, buyer_is_maker)
        self._pushed_trade_id += 1
        trade = TradePrint(symbol, self._pushed_trade_id, price, quantity, wall, buyer_is_maker)
        self.hub.on_trade(trade)
        return trade

    # ------------------------------------------------------------- accounts
    async def account_of(self, api_key: str) -> AccountView:
        key = self.key(api_key)
        return AccountView(
            api_key=api_key,
            account=key.account,
            balances=self.exchange.balances_now(key.account),
            open_orders=await self.exchange.open_orders(key.account),
            orders=await self.exchange.all_orders(key.account, limit=10_000),
        )


def parse_kind(kind: SignatureKind | str) -> SignatureKind:
    """``hmac``/``ed25519`` (CLI and admin spelling) or the enum itself."""
    if isinstance(kind, SignatureKind):
        return kind
    spelled = {"hmac": SignatureKind.HMAC_SHA256, "hmac_sha256": SignatureKind.HMAC_SHA256,
               "ed25519": SignatureKind.ED25519}
    try:
        return spelled[kind.lower()]
    except KeyError:
        raise ValueError("kind must be hmac or ed25519") from None
