"""When the database does not take an engine step: nothing of the step is stored or reported,
the caller is told whether to retry or to look the order up, the engine reloads its books
from the database, and a retry with the same client order id makes exactly one order."""

from __future__ import annotations

import logging
from decimal import Decimal as D

import pytest

from numatix.domain.enums import OrderStatus
from numatix.domain.errors import OutcomeUnknown, TransientVenueError
from numatix.domain.events import AccountUncertain, ExecutionReport
from numatix.domain.requests import OrderRequest
from numatix.exchange.paper import EngineDeposed, FakeClock, PaperExchange, engine
from numatix.exchange.paper.store import RecordCollision, StoreError, StoreUnavailable
from numatix.store.db import make_engine
from numatix.store.paper_repository import SqlPaperStore
from tests.unit.exchange.helpers import STANDARD_BOOK, SYMBOL, trade

USER = 7


class FlakyStore(SqlPaperStore):
    """A real store whose next fill write, or next commit, fails as told."""

    fill_fails: StoreError | None = None
    commit_is_lost = False

    def insert_fill(self, account, fill) -> None:
        failure, self.fill_fails = self.fill_fails, None
        if failure is not None:
            raise failure
        super().insert_fill(account, fill)

    def _end(self, commit: bool) -> None:
        super()._end(commit)  # committed...
        if commit and self.commit_is_lost:
            self.commit_is_lost = False
            # ...but the answer never came back
            raise StoreUnavailable("the connection went away during COMMIT", maybe_committed=True)


@pytest.fixture
def exchange(database_url, monkeypatch):
    monkeypatch.setattr(engine, "RESTORE_PAUSE_SECONDS", 0.0)
    database = make_engine(database_url)
    # Failures come only from the test: PostgreSQL must not also end a step of an engine that a
    # busy machine left idle in its transaction for the default 5 s (the fence's guard).
    exchange = PaperExchange(FlakyStore(database, idle_seconds=120), clock=FakeClock())
    exchange.on_book(STANDARD_BOOK)
    exchange.on_trade(trade("50000", "0.001", trade_id=0))
    yield exchange
    database.dispose()


def reports_of(exchange: PaperExchange) -> list[ExecutionReport]:
    heard: list = []
    exchange.add_listener(heard.append)
    return heard


def buy(client_order_id: str) -> OrderRequest:
    return OrderRequest(SYMBOL, "BUY", "MARKET", quantity="0.001", client_order_id=client_order_id)


async def test_a_step_the_database_did_not_take_is_not_stored_nor_reported_and_a_retry_makes_one(exchange):
    resting = await exchange.submit(USER, OrderRequest(SYMBOL, "BUY", "LIMIT", quantity="0.001",
                                                       price="40000", time_in_force="GTC",
                                                       client_order_id="rest"))
    heard = reports_of(exchange)
    exchange.store.fill_fails = StoreUnavailable("connection refused")
    with pytest.raises(TransientVenueError) as refused:
        await exchange.submit(USER, buy("market"))
    assert refused.value.retry_after and "database" in refused.value.message
    assert heard == []  # not even the NEW of an order that was never stored
    assert [o.client_order_id for o in exchange.store.load_orders(USER)] == ["rest"]

    again = await exchange.submit(USER, buy("market"))  # the books are reloaded; the retry goes through
    assert again.status is OrderStatus.FILLED
    assert [o.client_order_id for o in exchange.store.load_orders(USER)] == ["market", "rest"]
    assert len(exchange.fills(USER)) == 1
    assert [o.venue_order_id for o in await exchange.open_orders(USER)] == [resting.venue_order_id]
    balances = exchange.balances_now(USER)
    assert balances["USDT"].locked == D(40)  # the resting order's funds, restored with it
    assert balances["BTC"].total == D("0.1") + D("0.001") - exchange.fills(USER)[0].commission


async def test_a_collision_stops_the_step_loudly_and_stores_nothing_of_it(exchange, caplog):
    heard = reports_of(exchange)
    exchange.store.fill_fails = RecordCollision("trade id 1 is already taken")
    with caplog.at_level(logging.ERROR), pytest.raises(TransientVenueError):
        await exchange.submit(USER, buy("market"))
    assert any("trade id 1 is already taken" in record.getMessage() for record in caplog.records
               if record.levelno >= logging.ERROR)
    assert heard == [] and exchange.store.load_orders(USER) == [] and exchange.fills(USER) == []
    assert (await exchange.submit(USER, buy("market"))).status is OrderStatus.FILLED


async def test_a_commit_whose_answer_was_lost_is_looked_up_by_client_order_id(exchange):
    exchange.store.commit_is_lost = True
    with pytest.raises(OutcomeUnknown) as unknown:
        await exchange.submit(USER, buy("market"))
    assert unknown.value.client_order_id == "market"
    found = await exchange.query_order(USER, SYMBOL, "market")  # it was stored: once
    assert found.status is OrderStatus.FILLED and len(exchange.fills(USER)) == 1


async def test_an_account_changed_by_a_commit_whose_answer_was_lost_is_told_to_be_reloaded(exchange):
    """Its reports were dropped with the answer, but the order may be stored as filled: the
    pages and sockets showing the account must hear that and reload, or miss the fill."""
    heard = reports_of(exchange)
    exchange.store.commit_is_lost = True
    with pytest.raises(OutcomeUnknown):
        await exchange.submit(USER, buy("market"))
    assert heard == [AccountUncertain(USER, heard[0].event_time_ms)]


async def test_a_step_refused_before_its_commit_tells_nobody_anything(exchange):
    heard = reports_of(exchange)
    exchange.store.fill_fails = StoreUnavailable("the connection went away", maybe_committed=False)
    with pytest.raises(TransientVenueError):
        await exchange.submit(USER, buy("market"))
    assert heard == []


async def test_books_dropped_are_restored_only_while_allowed(exchange):
    """Restoring claims the books, fencing out whoever has them: a cluster worker that no
    longer holds the lease must not, so it refuses instead (it did nothing)."""
    allowed = [False]
    exchange.restore_only_while(lambda: allowed[0])
    term = exchange.term
    exchange.store.fill_fails = StoreUnavailable("connection refused")
    with pytest.raises(TransientVenueError):
        await exchange.submit(USER, buy("market"))
    with pytest.raises(EngineDeposed):
        await exchange.submit(USER, buy("market"))
    assert exchange.store.load_orders(USER) == []
    allowed[0] = True
    assert (await exchange.submit(USER, buy("market"))).status is OrderStatus.FILLED
    assert exchange.term > term  # restored under a term of its own
