"""Which venue a user is on, asked from the event loop: the database is never read there.

The accounts store blocks, so every look runs in a worker thread: an async caller awaits it,
a synchronous one (a metrics label after an order, the alert checker on every print) gets
what memory holds and starts the look.
"""

from __future__ import annotations

import asyncio
import threading

from numatix.domain.credentials import ExchangeCredentials, VenueChoice
from numatix.market.hub import MarketHub
from numatix.services.market_data import MarketDataService
from numatix.services.user_venues import UserVenues
from tests.unit.exchange.helpers import SYMBOL
from tests.unit.market.fakes import ScriptedFeed

PAPER_USER, BINANCE_USER = 1, 2
KEY = ExchangeCredentials(BINANCE_USER, "api-key-1", "secret-1")


class WatchedChoices:
    """The accounts store's answer, noting which thread asked."""

    def __init__(self) -> None:
        self.by_user = {PAPER_USER: (VenueChoice.PAPER, None), BINANCE_USER: (VenueChoice.BINANCE_TESTNET, KEY)}
        self.threads: list[int] = []

    def __call__(self, user_id: int):
        self.threads.append(threading.get_ident())
        return self.by_user[user_id]


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def user_venues(choices: WatchedChoices, clock: Clock) -> UserVenues:
    app_market = MarketDataService(MarketHub(ScriptedFeed((SYMBOL,))))
    return UserVenues(choices, app_market, lambda: ScriptedFeed((SYMBOL,)), ttl_seconds=1.0, clock=clock)


async def looked_up(venues: UserVenues) -> None:
    while venues._looking:
        await asyncio.sleep(0.001)


async def test_synchronous_callers_never_read_the_database_on_the_event_loop() -> None:
    choices, clock = WatchedChoices(), Clock()
    venues = user_venues(choices, clock)
    loop_thread = threading.get_ident()
    # never looked up: the alert checker does not guess, the metrics label says paper, nothing blocks
    assert venues.trades_on(BINANCE_USER) is None
    assert venues.venue_name(BINANCE_USER) == "paper" and venues.last_price_now(BINANCE_USER, SYMBOL) is None
    await looked_up(venues)
    assert venues.trades_on(BINANCE_USER) == "binance" and venues.venue_name(BINANCE_USER) == "binance"
    looks = len(choices.threads)
    # older than the ttl: the old answer while a new look runs in a thread
    clock.now = 5.0
    choices.by_user[BINANCE_USER] = (VenueChoice.PAPER, None)
    assert venues.venue_name(BINANCE_USER) == "binance" and venues.on_binance(BINANCE_USER)
    await looked_up(venues)
    assert venues.venue_name(BINANCE_USER) == "paper" and len(choices.threads) == looks + 1
    # the async ways in await their look
    await venues.refresh(PAPER_USER)
    await venues.market_for(PAPER_USER)
    assert choices.threads and loop_thread not in choices.threads
    await venues.stop()


async def test_a_look_that_read_the_choice_before_a_change_is_not_kept() -> None:
    """The user switched venue in this worker while a synchronous caller's look was reading."""
    choices, clock = WatchedChoices(), Clock()
    venues = user_venues(choices, clock)
    started, release = threading.Event(), threading.Event()
    slow_reads = {"on": True}

    def slow(user_id: int):
        answer = choices(user_id)
        if slow_reads["on"]:
            started.set()
            release.wait(5)
        return answer

    venues._choice_of = slow
    venues.trades_on(PAPER_USER)  # starts a look that reads "paper"
    await asyncio.to_thread(started.wait, 5)
    choices.by_user[PAPER_USER] = (VenueChoice.BINANCE_TESTNET, KEY)
    slow_reads["on"] = False
    venues.forget(PAPER_USER)
    release.set()
    await looked_up(venues)
    await venues.refresh(PAPER_USER)
    assert venues.binance_credentials(PAPER_USER) == KEY  # not the stale "paper" the first look read
    await venues.stop()


async def test_the_owners_of_alerts_are_known_before_the_first_print() -> None:
    choices, clock = WatchedChoices(), Clock()
    venues = user_venues(choices, clock)
    await venues.look_up([PAPER_USER, BINANCE_USER, 99])  # 99: a user deleted meanwhile, logged and skipped
    assert (venues.trades_on(PAPER_USER), venues.trades_on(BINANCE_USER)) == ("paper", "binance")
    assert threading.get_ident() not in choices.threads
    await venues.stop()
