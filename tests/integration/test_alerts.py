"""Price alerts on a real database: validation, firing once, isolation, unseen on return."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest

from numatix.domain.market import TradePrint
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.services.alerts import AlertService, AlertTriggered
from numatix.services.errors import NotFound, ValidationFailed
from numatix.services.events import EventBus
from numatix.store.alerts_repository import SqlAlertStore
from numatix.store.db import make_engine
from numatix.store.tables.accounts import UserRow
from numatix.store.db import session_scope

PRICES = {"BTCUSDT": D("50000")}


def trade(price, symbol="BTCUSDT", trade_id=1):
    return TradePrint(symbol, trade_id, D(price), D("0.01"), 1_800_000_000_000, False)


@pytest.fixture
def world(database_url):
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        for n in (1, 2):
            session.add(UserRow(id=n, email=f"u{n}@example.com", password_hash="x", created_time_ms=0,
                                password_changed_ms=0))
    bus = EventBus()
    service = AlertService(SqlAlertStore(engine), bus, DEFAULT_SYMBOLS, PRICES.get)
    yield service, bus, engine
    engine.dispose()


async def test_creating_checks_symbol_direction_price_and_where_the_market_is(world):
    service, *_ = world
    for kwargs, field in [
        ({"symbol": "DOGEUSDT", "direction": "above", "price": "1"}, "symbol"),
        ({"symbol": "BTCUSDT", "direction": "sideways", "price": "1"}, "direction"),
        ({"symbol": "BTCUSDT", "direction": "above", "price": "abc"}, "price"),
        ({"symbol": "BTCUSDT", "direction": "above", "price": "-5"}, "price"),
        ({"symbol": "BTCUSDT", "direction": "above", "price": "49000"}, "price"),  # already above
    ]:
        with pytest.raises(ValidationFailed) as refused:
            await service.create(1, **kwargs)
        assert refused.value.field == field
    alert = await service.create(1, "btcusdt", "above", "51000.005")
    assert (alert.symbol, alert.price, alert.active) == ("BTCUSDT", D("51000"), True)  # rounded to the tick


async def test_an_alert_fires_once_to_its_owner_only(world):
    service, bus, _ = world
    alice, bob = bus.subscribe(1), bus.subscribe(2)
    above = await service.create(1, "BTCUSDT", "above", "51000")
    below = await service.create(1, "BTCUSDT", "below", "49000")
    service.on_trade(trade("50999.99"))
    await service.settled()
    assert alice.drain() == []
    service.on_trade(trade("51000"))
    await service.settled()
    service.on_trade(trade("51500", trade_id=2))
    await service.settled()
    [fired] = alice.drain()
    assert isinstance(fired, AlertTriggered) and fired.alert.id == above.id
    assert fired.alert.triggered_price == D("51000") and bob.drain() == []
    service.on_trade(trade("48000", trade_id=3))
    await service.settled()
    assert [e.alert.id for e in alice.drain()] == [below.id]
    assert [a.active for a in await service.of_user(1)] == [False, False]


async def test_a_restarted_checker_neither_refires_nor_forgets(world):
    service, bus, engine = world
    fired = await service.create(1, "BTCUSDT", "above", "51000")
    waiting = await service.create(1, "BTCUSDT", "below", "40000")
    service.on_trade(trade("51000"))
    await service.settled()
    restarted = AlertService(SqlAlertStore(engine), bus, DEFAULT_SYMBOLS, PRICES.get)
    reader = bus.subscribe(1)
    restarted.on_trade(trade("52000", trade_id=2))
    await restarted.settled()
    assert reader.drain() == []
    restarted.on_trade(trade("39000", trade_id=3))
    await restarted.settled()
    assert [e.alert.id for e in reader.drain()] == [waiting.id]
    assert fired.id not in [e.alert.id for e in reader.drain()]


async def test_fired_while_away_is_shown_once_on_return(world):
    service, *_ = world
    alert = await service.create(1, "BTCUSDT", "above", "51000")
    service.on_trade(trade("51000"))
    await service.settled()
    assert [a.id for a in await service.unseen(1)] == [alert.id]
    assert await service.unseen(1) == []


async def test_one_user_cannot_delete_anothers_alert(world):
    service, *_ = world
    alert = await service.create(1, "BTCUSDT", "above", "51000")
    with pytest.raises(NotFound):
        await service.delete(2, alert.id)
    assert await service.of_user(2) == []
    await service.delete(1, alert.id)
    service.on_trade(trade("52000"))
    await service.settled()
    assert await service.of_user(1) == []


async def test_each_users_alerts_fire_on_the_market_of_their_venue(world):
    """User 2 trades on Binance Testnet: the testnet's prints fire their alerts, the app's do not."""
    service, bus, _ = world
    on_binance = {2}.__contains__
    app_market = service.listener(lambda user_id: not on_binance(user_id))
    testnet_market = service.listener(on_binance)
    paper_user, binance_user = bus.subscribe(1), bus.subscribe(2)
    await service.create(1, "BTCUSDT", "above", "51000")
    await service.create(2, "BTCUSDT", "above", "51000")
    testnet_market(trade("52000"))
    await service.settled()
    assert paper_user.drain() == [] and len(binance_user.drain()) == 1
    app_market(trade("52000", trade_id=2))
    await service.settled()
    assert len(paper_user.drain()) == 1 and binance_user.drain() == []


async def test_already_there_is_judged_on_the_users_own_market(world):
    _, bus, engine = world
    testnet_prices = {"BTCUSDT": D("40000")}

    async def last_price_for(user_id: int, symbol: str):
        return (testnet_prices if user_id == 2 else PRICES).get(symbol)

    service = AlertService(SqlAlertStore(engine), bus, DEFAULT_SYMBOLS, PRICES.get, last_price_for=last_price_for)
    await service.create(2, "BTCUSDT", "above", "45000")  # the app's market is at 50,000; this user's at 40,000
    with pytest.raises(ValidationFailed):
        await service.create(1, "BTCUSDT", "above", "45000")


async def test_the_service_never_waits_on_the_database_in_the_event_loop(world):
    """Every store call but the start-up load runs in a worker thread, firing included."""
    _, bus, engine = world
    loop_thread, calls = threading.get_ident(), []

    class Watched(SqlAlertStore):
        def __getattribute__(self, name):
            found = super().__getattribute__(name)
            if name.startswith("_") or not callable(found):
                return found

            def watched(*args, **kwargs):
                calls.append((name, threading.get_ident() == loop_thread))
                return found(*args, **kwargs)
            return watched

    service = AlertService(Watched(engine), bus, DEFAULT_SYMBOLS, PRICES.get)
    alert = await service.create(1, "BTCUSDT", "above", "51000")
    service.on_trade(trade("51000"))
    await service.settled()
    await service.unseen(1)
    await service.mark_seen(1, alert.id)
    await service.of_user(1)
    await service.delete(1, alert.id)
    assert [name for name, _ in calls] == ["active", "add", "claim", "take_unseen", "mark_seen", "of_user",
                                           "delete"]
    assert [name for name, on_loop in calls if on_loop] == ["active"]
