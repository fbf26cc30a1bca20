"""The router sends each user to the venue they chose and gives events back by user id.

A second paper exchange stands in for the Binance venue: it takes ``ExchangeCredentials``
as accounts exactly as the Binance venue does, records its stream starts and stops, and
numbers its streams' connections.
"""

import asyncio
from decimal import Decimal

import pytest

from numatix.domain.credentials import ExchangeCredentials, VenueChoice
from numatix.domain.enums import OrderStatus
from numatix.domain.errors import OutcomeUnknown, TransientVenueError
from numatix.domain.events import ExecutionReport
from numatix.domain.requests import OrderRequest
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.services.errors import WalletResetUnavailable
from numatix.services.events import EventBus
from numatix.services.kept_reads import OpenOrders
from numatix.services.portfolio import PortfolioService
from numatix.services.read_cache import KEPT_SECONDS
from numatix.services.trading import TradingService
from numatix.market.hub import MarketHub
from numatix.services.market_data import MarketDataService
from numatix.services.user_venues import UserVenues
from numatix.services.venue_router import VenueRouter
from tests.unit.exchange.helpers import SYMBOL, make_exchange
from tests.unit.market.fakes import ScriptedFeed

PAPER_USER, BINANCE_USER = 1, 2
KEY = ExchangeCredentials(BINANCE_USER, "api-key-1", "secret-1")


class StandInBinance:
    """A paper exchange with Binance's per-account lifecycle and no wallet reset."""

    def __init__(self) -> None:
        self.exchange = make_exchange()
        self.exchange.can_reset_wallet = False
        self.started: list[ExchangeCredentials] = []
        self.stopped: list[ExchangeCredentials] = []
        self.checked: list[ExchangeCredentials] = []
        self.balance_reads = 0
        self.connections: dict[ExchangeCredentials, int] = {}
        self.up: set[ExchangeCredentials] = set()

    async def start_account(self, credentials: ExchangeCredentials) -> None:
        self.started.append(credentials)
        self.connect(credentials)

    def connect(self, credentials: ExchangeCredentials) -> None:
        """The stream (re)connected."""
        self.connections[credentials] = self.connections.get(credentials, 0) + 1
        self.up.add(credentials)

    def listening(self, credentials: ExchangeCredentials) -> int | None:
        return self.connections.get(credentials) if credentials in self.up else None

    async def stop_account(self, credentials: ExchangeCredentials) -> None:
        self.stopped.append(credentials)
        self.up.discard(credentials)

    async def check_credentials(self, credentials: ExchangeCredentials) -> None:
        self.checked.append(credentials)

    async def balances(self, account: ExchangeCredentials):
        self.balance_reads += 1
        return await self.exchange.balances(account)

    def __getattr__(self, name: str):
        return getattr(self.exchange, name)


class Choices:
    def __init__(self) -> None:
        self.by_user = {PAPER_USER: (VenueChoice.PAPER, None), BINANCE_USER: (VenueChoice.BINANCE_TESTNET, KEY)}
        self.lookups = 0

    def __call__(self, user_id: int):
        self.lookups += 1
        return self.by_user[user_id]


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def user_venues(choices: Choices, clock: Clock) -> UserVenues:
    app_market = MarketDataService(MarketHub(ScriptedFeed((SYMBOL,))))
    return UserVenues(choices, app_market, lambda: ScriptedFeed((SYMBOL,)), ttl_seconds=1.0, clock=clock)


@pytest.fixture
def setup():
    paper, binance, choices, clock = make_exchange(), StandInBinance(), Choices(), Clock()
    router = VenueRouter(paper, binance, user_venues(choices, clock), clock=clock, stream_wait_seconds=0.1)
    return router, paper, binance, choices, clock


def market_buy() -> OrderRequest:
    return OrderRequest(SYMBOL, "BUY", "MARKET", quantity="0.01", client_order_id="c-1")


async def test_each_user_trades_on_the_venue_they_chose(setup) -> None:
    router, paper, binance, _choices, _clock = setup
    await router.submit(PAPER_USER, market_buy())
    await router.submit(BINANCE_USER, market_buy())
    assert [o.client_order_id for o in await paper.all_orders(PAPER_USER)] == ["c-1"]
    assert await paper.all_orders(BINANCE_USER) == []
    assert [o.client_order_id for o in await binance.exchange.all_orders(KEY)] == ["c-1"]
    assert binance.started == [KEY]


async def test_events_and_replies_name_the_user_not_the_key(setup) -> None:
    router, *_ = setup
    seen: list[ExecutionReport] = []
    router.add_listener(seen.append)
    report = await router.submit(BINANCE_USER, market_buy())
    assert report.account == BINANCE_USER and report.status is OrderStatus.FILLED
    assert seen and {event.account for event in seen} == {BINANCE_USER}


async def test_the_services_work_unchanged_over_the_router(setup) -> None:
    router, *_ = setup
    bus = EventBus()
    trading = TradingService(router, bus)
    router.add_listener(trading.on_venue_event)
    with bus.subscribe(BINANCE_USER) as events:
        order = await trading.place_order(BINANCE_USER, market_buy())
        assert order.status is OrderStatus.FILLED
        delivered = events.drain()
        assert delivered and {event.account for event in delivered} == {BINANCE_USER}
    portfolio = PortfolioService(router, lambda _symbol: Decimal("50000"), DEFAULT_SYMBOLS)
    positions = await portfolio.positions(BINANCE_USER)
    assert [p.symbol for p in positions] == [SYMBOL]  # the Binance account's fill, less its fee
    assert Decimal("0.0099") < positions[0].quantity < Decimal("0.01")
    with pytest.raises(WalletResetUnavailable):
        await portfolio.reset_wallet(BINANCE_USER)
    await portfolio.reset_wallet(PAPER_USER)


async def test_choice_is_cached_for_a_moment_and_forgotten_on_change(setup) -> None:
    router, paper, _binance, choices, clock = setup
    await router.balances(BINANCE_USER)
    await router.balances(BINANCE_USER)
    assert choices.lookups == 1
    choices.by_user[BINANCE_USER] = (VenueChoice.PAPER, KEY)
    router.forget(BINANCE_USER)
    await router.submit(BINANCE_USER, market_buy())
    assert [o.client_order_id for o in await paper.all_orders(BINANCE_USER)] == ["c-1"]
    clock.now = 5.0
    choices.by_user[BINANCE_USER] = (VenueChoice.BINANCE_TESTNET, KEY)
    assert (await router.route(BINANCE_USER)).account == KEY  # another worker's change, seen after the ttl


async def test_a_new_key_restarts_the_users_stream(setup) -> None:
    router, _paper, binance, choices, _clock = setup
    await router.balances(BINANCE_USER)
    await router.balances(BINANCE_USER)
    new_key = ExchangeCredentials(BINANCE_USER, "api-key-2", "secret-2")
    choices.by_user[BINANCE_USER] = (VenueChoice.BINANCE_TESTNET, new_key)
    router.forget(BINANCE_USER)
    await router.balances(BINANCE_USER)  # a read starts the new key's stream
    await router.route(BINANCE_USER)  # an order waits for it
    assert binance.started == [KEY, new_key] and binance.stopped == [KEY]


async def test_keys_are_checked_by_the_binance_venue(setup) -> None:
    router, _paper, binance, *_ = setup
    await router.check_credentials(KEY)
    assert binance.checked == [KEY]


async def test_binance_reads_are_kept_until_the_users_next_event(setup) -> None:
    """Each Binance read costs request weight; a page revalues every two seconds."""
    router, _paper, binance, _choices, clock = setup
    await router.route(BINANCE_USER)  # the user's stream is up: its events say when a kept read is stale
    first = await router.balances(BINANCE_USER)
    assert await router.balances(BINANCE_USER) == first and binance.balance_reads == 1
    await router.submit(BINANCE_USER, market_buy())  # the fill changes the balances...
    after_fill = await router.balances(BINANCE_USER)
    assert after_fill != first and after_fill == await binance.exchange.balances(KEY)
    assert binance.balance_reads == 1  # ...and the stream's balance update says how
    clock.now += KEPT_SECONDS  # a change never reported cannot stay on screen for long
    await router.balances(BINANCE_USER)
    assert binance.balance_reads == 2


async def test_the_streams_events_are_applied_to_the_kept_reads_without_asking_again(setup) -> None:
    """A fill made elsewhere (only the stream tells): the kept balances take the stream's new
    balances and the kept trades its fill, with no request; other symbols' reads stay as read."""
    router, _paper, binance, _choices, _clock = setup
    await router.route(BINANCE_USER)  # the user's stream is up
    before = await router.balances(BINANCE_USER)
    assert await router.my_trades(BINANCE_USER, SYMBOL) == []
    other_symbol = "ETHUSDT"
    await router.open_orders(BINANCE_USER, other_symbol)
    trade_reads = []
    original_my_trades = binance.exchange.my_trades

    async def counted_my_trades(account, symbol=None):
        trade_reads.append(symbol)
        return await original_my_trades(account, symbol)

    binance.exchange.my_trades = counted_my_trades
    await binance.exchange.submit(KEY, market_buy())  # as if placed elsewhere
    after = await router.balances(BINANCE_USER)
    assert binance.balance_reads == 1  # no second balance request: the stream's update was applied
    assert after == await binance.exchange.balances(KEY) and after != before
    assert await router.my_trades(BINANCE_USER, SYMBOL) == await original_my_trades(KEY, SYMBOL)
    assert trade_reads == []
    assert router._reads.kept(BINANCE_USER, OpenOrders(other_symbol)) == []


def test_one_answer_for_which_venue_and_a_host_without_binance_keeps_everyone_on_paper() -> None:
    choices, clock = Choices(), Clock()
    venues = user_venues(choices, clock)
    assert (venues.venue_name(PAPER_USER), venues.venue_name(BINANCE_USER)) == ("paper", "binance")
    assert venues.binance_credentials(BINANCE_USER) == KEY and venues.binance_credentials(PAPER_USER) is None
    assert not venues.on_binance(None)  # signed out: the app's market
    choices.by_user[PAPER_USER] = (VenueChoice.BINANCE_TESTNET, None)  # chose Binance, no key stored
    venues.forget(PAPER_USER)
    assert venues.venue_name(PAPER_USER) == "paper"
    app_market = MarketDataService(MarketHub(ScriptedFeed((SYMBOL,))))
    without_binance = UserVenues(choices, app_market, None)
    assert without_binance.venue_name(BINANCE_USER) == "paper"


async def test_a_binance_wallet_reset_is_refused_without_waiting_for_the_users_stream(setup) -> None:
    """The refusal needs no events: a stream still connecting (a busy testnet) must not hold it up."""
    router, _, binance, _, _ = setup
    with pytest.raises(WalletResetUnavailable):
        await router.reset_wallet(BINANCE_USER)
    assert binance.started == []


async def test_a_users_stream_that_is_slow_to_start_holds_up_no_other_user(setup) -> None:
    router, _, binance, choices, _ = setup
    other = ExchangeCredentials(3, "api-key-3", "secret-3")
    choices.by_user[3] = (VenueChoice.BINANCE_TESTNET, other)
    release = asyncio.Event()

    async def slow_start(credentials: ExchangeCredentials) -> None:
        binance.started.append(credentials)
        if credentials == KEY:
            await release.wait()

    binance.start_account = slow_start
    slow = asyncio.create_task(router.route(BINANCE_USER))  # an order waits for its user's stream
    await asyncio.sleep(0)
    assert (await asyncio.wait_for(router.route(3), 10)).account == other  # not behind the slow start
    assert not slow.done()
    release.set()
    await asyncio.wait_for(slow, 10)


async def test_a_first_read_waits_a_moment_for_the_stream_and_is_kept(setup) -> None:
    """Right after the key is saved the page reads everything: read before the stream is up,
    it could not be kept, and the page would be paid for twice."""
    router, _, binance, _, _ = setup
    router._stream_wait = 30.0  # a guard against hanging, not a speed target
    release = asyncio.Event()

    async def start_when_released(credentials: ExchangeCredentials) -> None:
        binance.started.append(credentials)
        await release.wait()
        binance.connect(credentials)

    binance.start_account = start_when_released
    reading = asyncio.create_task(router.balances(BINANCE_USER))
    await asyncio.sleep(0.05)
    assert not reading.done() and binance.balance_reads == 0  # waiting for the stream, not reading
    release.set()
    await asyncio.wait_for(reading, 10)
    await router.balances(BINANCE_USER)
    assert binance.started == [KEY] and binance.balance_reads == 1  # kept


async def test_a_stream_slow_to_start_holds_reads_only_a_moment_and_none_is_kept(setup) -> None:
    router, _, binance, _, _ = setup
    release = asyncio.Event()

    async def slow_start(credentials: ExchangeCredentials) -> None:
        binance.started.append(credentials)
        await release.wait()
        binance.connect(credentials)

    binance.start_account = slow_start
    await asyncio.wait_for(router.balances(BINANCE_USER), 10)
    await asyncio.wait_for(router.balances(BINANCE_USER), 10)
    assert binance.started == [KEY] and binance.balance_reads == 2  # no stream yet: nothing kept
    release.set()
    await asyncio.wait_for(router.route(BINANCE_USER), 10)
    await router.balances(BINANCE_USER)
    await router.balances(BINANCE_USER)
    assert binance.balance_reads == 3


async def test_a_reconnect_drops_the_kept_reads_and_nothing_is_kept_while_the_stream_is_down(setup) -> None:
    """Events may have been missed while it was down: what was kept before is not shown again."""
    router, _, binance, _, _ = setup
    await router.route(BINANCE_USER)
    await router.balances(BINANCE_USER)
    await router.balances(BINANCE_USER)
    assert binance.balance_reads == 1
    binance.up.discard(KEY)  # dropped, reconnecting
    await router.balances(BINANCE_USER)
    await router.balances(BINANCE_USER)
    assert binance.balance_reads == 3
    binance.connect(KEY)
    await router.balances(BINANCE_USER)
    await router.balances(BINANCE_USER)
    assert binance.balance_reads == 4


@pytest.mark.parametrize("error, dropped", [
    (OutcomeUnknown("Binance did not confirm the order"), True),
    (TransientVenueError("Service unavailable", -1001), True),
    (TransientVenueError("Too much request weight used", -1003, retry_after=30), False),
])
async def test_an_order_the_exchange_did_not_answer_drops_the_kept_reads(setup, error, dropped) -> None:
    """The stream still says the account did not change, but the page must learn that the
    exchange is not answering: its next read asks. A throttled order says when to come back:
    reading everything again then would only spend more of the weight that ran out."""
    router, _, binance, _, _ = setup
    await router.route(BINANCE_USER)
    await router.balances(BINANCE_USER)

    async def unanswered(*_args, **_kwargs):
        raise error

    binance.submit = unanswered
    with pytest.raises(type(error)):
        await router.submit(BINANCE_USER, market_buy())
    await router.balances(BINANCE_USER)
    assert binance.balance_reads == (2 if dropped else 1)
