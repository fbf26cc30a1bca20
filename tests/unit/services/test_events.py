import asyncio
from decimal import Decimal as D

from numatix.domain.balances import Balance
from numatix.domain.events import AccountUncertain, BalanceUpdate
from numatix.services.events import EventBus, EventsMissed


def update(n, account=1):
    return BalanceUpdate(account, n, n, (Balance("USDT", D(n)),))


async def test_a_reader_gets_its_users_events_in_order_and_no_one_elses():
    bus = EventBus()
    alice, bob = bus.subscribe(1), bus.subscribe(2)
    for n in range(3):
        bus.publish(1, update(n))
    assert [await anext(alice) for _ in range(3)] == [update(0), update(1), update(2)]
    assert bob.drain() == []


async def test_a_waiting_reader_wakes_on_publish():
    bus = EventBus()
    reader = bus.subscribe(1)
    waiting = asyncio.create_task(reader.next_batch())
    await asyncio.sleep(0)
    assert not waiting.done()
    bus.publish(1, update(5))
    assert await asyncio.wait_for(waiting, 10) == [update(5)]  # 10 s: a guard, not a target


async def test_a_slow_reader_is_told_how_much_it_missed_and_keeps_the_newest():
    bus = EventBus(capacity=3)
    reader = bus.subscribe(1)
    for n in range(5):
        bus.publish(1, update(n))
    assert await anext(reader) == EventsMissed(2)
    assert reader.drain() == [update(2), update(3), update(4)]


async def test_an_account_the_venue_is_unsure_of_makes_its_readers_reload_and_no_one_elses():
    bus = EventBus()
    reader, other = bus.subscribe(1), bus.subscribe(2)
    bus.publish(1, update(1))
    bus.publish(1, AccountUncertain(1, 5))
    assert await anext(reader) == EventsMissed(1)  # before what it already holds: reload first
    assert reader.drain() == [update(1)]
    assert other.drain() == []


def test_closing_unsubscribes():
    bus = EventBus()
    with bus.subscribe(1):
        assert bus.reader_count(1) == 1
    assert bus.reader_count() == 0
    bus.publish(1, update(1))  # nobody listening: nothing kept
