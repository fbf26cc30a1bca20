"""Two paper engines on one database, as when a paused cluster leader wakes up after another
worker has taken the engine over: the newer engine owns the books, the older one can write
nothing (SQLite and PostgreSQL), and says so instead of overwriting what the newer one did.

Issue 19: the old leader finished its step with ids it had allocated before the new leader
restored its counters, so one order id was given to two users' orders (the upsert kept the
second) and a fill was dropped (its trade id was taken).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from decimal import Decimal as D

import pytest

from numatix.domain.balances import PAPER_STARTING_BALANCES, Balance
from numatix.domain.enums import OrderStatus, Side
from numatix.domain.orders import Fill
from numatix.domain.requests import OrderRequest
from numatix.exchange.paper import EngineDeposed, FakeClock, PaperExchange
from numatix.exchange.paper.store import FencedOut, StoreUnavailable
from numatix.store.db import make_engine
from numatix.store.paper_repository import SqlPaperStore
from tests.support.database import POSTGRES_URL, migrated_database_url
from tests.unit.exchange.helpers import STANDARD_BOOK, SYMBOL, trade

OLD_USER, NEW_USER = 10, 11
HANG_GUARD = 30.0  # only so a claim that never gets through fails the test instead of hanging it


@pytest.fixture
def engines(database_url):
    made = []

    def engine():
        made.append(make_engine(database_url))
        return made[-1]
    yield engine
    for each in made:
        each.dispose()


def started(engine, clock) -> PaperExchange:
    """An engine as a new leader starts one: restored from the database, then fed the market."""
    exchange = PaperExchange(SqlPaperStore(engine), clock=clock)
    exchange.on_book(STANDARD_BOOK)
    exchange.on_trade(trade("50000", "0.001", trade_id=0))
    return exchange


def market(side: str, client_order_id: str) -> OrderRequest:
    return OrderRequest(SYMBOL, side, "MARKET", quantity="0.001", client_order_id=client_order_id)


def resting_buy(client_order_id: str) -> OrderRequest:
    return OrderRequest(SYMBOL, "BUY", "LIMIT", quantity="0.001", price="49000", time_in_force="GTC",
                        client_order_id=client_order_id)


def a_fill(trade_id: int) -> Fill:
    return Fill(trade_id, 1, "c1", SYMBOL, Side.BUY, D(50000), D("0.001"), D(50), D("0.000001"), "BTC",
                False, 5)


def books_balance(store: SqlPaperStore, account: int) -> None:
    """Every asset's total is the starting amount plus what the stored fills did."""
    expected = dict(PAPER_STARTING_BALANCES)
    for fill in store.load_fills(account):
        quantity, quote = (fill.quantity, -fill.quote_quantity) if fill.side.value == "BUY" else (
            -fill.quantity, fill.quote_quantity)
        expected["BTC"] += quantity
        expected["USDT"] += quote
        expected[fill.commission_asset] -= fill.commission
    totals = {balance.asset: balance.total for balance in store.load_balances(account) or []}
    assert totals == {asset: D(amount) for asset, amount in expected.items()}


async def test_an_engine_taken_over_by_a_newer_one_cannot_overwrite_its_orders_or_drop_its_fills(engines):
    clock = FakeClock()
    old = started(engines(), clock)
    told: list[str] = []
    old.on_deposed(lambda: told.append("deposed"))
    resting = await old.submit(OLD_USER, resting_buy("old-rest"))  # the old leader's last good step

    new = started(engines(), clock)  # another worker took over: restored from the database
    taken = await new.submit(NEW_USER, market("BUY", "new-market"))
    assert taken.status is OrderStatus.FILLED

    refusal = None
    try:  # the old leader wakes up and carries on with the ids it had allocated
        await old.submit(OLD_USER, market("SELL", "old-market"))
    except Exception as error:  # noqa: BLE001 (whatever it does, the books are checked below)
        refusal = error

    books = SqlPaperStore(engines())
    new_order = books.load_order_by_id(NEW_USER, taken.venue_order_id)
    assert new_order is not None, f"order {taken.venue_order_id} no longer belongs to the user who placed it"
    assert new_order.client_order_id == "new-market" and new_order.status is OrderStatus.FILLED
    fills = books.load_fills(NEW_USER)
    assert len(fills) == 1 and new_order.trade_ids == {fills[0].trade_id}
    assert sum(fill.quantity for fill in fills) == new_order.executed_quantity == D("0.001")
    assert [o.client_order_id for o in books.load_orders(OLD_USER)] == ["old-rest"]
    assert books.load_fills(OLD_USER) == []
    books_balance(books, NEW_USER)
    books_balance(books, OLD_USER)
    assert books.load_order_by_id(OLD_USER, resting.venue_order_id).status is OrderStatus.NEW

    assert isinstance(refusal, EngineDeposed), f"the old engine was not refused: {refusal!r}"
    assert told == ["deposed"]
    with pytest.raises(EngineDeposed):  # and from then on it refuses everything
        await old.open_orders(OLD_USER)


async def test_a_print_reaching_an_engine_taken_over_fills_nothing(engines):
    clock = FakeClock()
    old = started(engines(), clock)
    await old.submit(OLD_USER, resting_buy("rest"))

    new = started(engines(), clock)
    await new.cancel(OLD_USER, SYMBOL, client_order_id="rest")  # cancelled on the new leader

    old.on_trade(trade("48990", "0.01", trade_id=1))  # the old leader still sees the market: no error out

    books = SqlPaperStore(engines())
    [order] = books.load_orders(OLD_USER)
    assert order.status is OrderStatus.CANCELED and order.executed_quantity == 0
    assert books.load_fills(OLD_USER) == []
    books_balance(books, OLD_USER)
    assert all(balance.locked == 0 for balance in books.load_balances(OLD_USER))

    new.on_trade(trade("48990", "0.01", trade_id=2))  # the new leader goes on as before
    assert await new.open_orders(OLD_USER) == []


def test_the_older_engines_writes_are_refused_once_a_newer_one_has_claimed(engines):
    old, new = SqlPaperStore(engines()), SqlPaperStore(engines())
    first = old.claim()
    old.save_balances(OLD_USER, [Balance("USDT", D(1))])
    assert new.claim() > first
    for write in (lambda: old.save_balances(OLD_USER, [Balance("USDT", D(2))]),
                  lambda: old.insert_fill(OLD_USER, a_fill(1))):
        with pytest.raises(FencedOut), old.transaction():
            write()
    assert [b.free for b in new.load_balances(OLD_USER)] == [D(1)] and new.load_fills(OLD_USER) == []
    new.save_balances(OLD_USER, [Balance("USDT", D(3))])  # the newest engine writes as before
    assert [b.free for b in old.load_balances(OLD_USER)] == [D(3)]


@pytest.fixture
def postgres_engines(tmp_path):
    """PostgreSQL only: SQLite has one writer at a time, so a claim just waits for the write lock."""
    if not POSTGRES_URL:
        pytest.skip("NUMATIX_TEST_POSTGRES_URL is not set")
    made = []
    urls = migrated_database_url("postgres", tmp_path)
    url = next(urls)

    def engine():
        made.append(make_engine(url))
        return made[-1]
    yield engine
    for each in made:
        each.dispose()
    next(urls, None)  # drops the schema


@pytest.mark.postgres
def test_a_claim_waits_for_the_older_engines_transaction_under_way(postgres_engines):
    engines = postgres_engines
    old, new = SqlPaperStore(engines()), SqlPaperStore(engines())
    old.claim()
    with ThreadPoolExecutor(1) as claiming:
        with old.transaction():
            old.save_balances(OLD_USER, [Balance("USDT", D(1))])  # the fence row is held from here
            claim = claiming.submit(new.claim)
            with pytest.raises(FuturesTimeout):
                claim.result(timeout=1.0)  # (a slow machine only makes it wait longer)
        new_term = claim.result(timeout=HANG_GUARD)  # it went in before the claim: committed, and seen
    assert [b.free for b in new.load_balances(OLD_USER)] == [D(1)]
    assert new_term > old._fence.term


@pytest.mark.postgres
def test_a_paused_engine_loses_its_transaction_and_the_claim_goes_through(postgres_engines):
    engines = postgres_engines
    old, new = SqlPaperStore(engines(), idle_seconds=1.0), SqlPaperStore(engines())
    old.claim()
    with ThreadPoolExecutor(1) as claiming, pytest.raises(StoreUnavailable) as lost, old.transaction():
        old.save_balances(OLD_USER, [Balance("USDT", D(1))])
        # Paused mid-transaction (a stop-the-world pause, SIGSTOP): the server ends the
        # silent transaction after idle_seconds, and the waiting claim goes through.
        claiming.submit(new.claim).result(timeout=HANG_GUARD)
    assert lost.value.maybe_committed  # from where the paused engine stands, it cannot know
    assert new.load_balances(OLD_USER) is None  # ... but nothing of it was stored
    with pytest.raises(FencedOut):
        old.save_balances(OLD_USER, [Balance("USDT", D(2))])
