"""For this user: which venue, which market. The one place that answers it.

A user trades on paper unless they chose the Binance Spot Testnet and their key is stored
(and this host can reach a Binance venue at all). Their orders then go to that venue, and
everything they see priced (the page's chart and book, the REST market endpoints, the
event socket's prices, valuations, alerts) comes from that venue's market: the testnet's
own feed for a Binance user, the app's feed for everybody else. The venue router, the
pages, the API and the socket all ask here, so they cannot disagree.

A choice is looked up from the accounts store, in a worker thread, and kept for
``ttl_seconds``: other workers see a change within that time; this worker sees it at once
(``forget``). The database is never asked on the event loop: every async way in awaits
``refresh``, and a synchronous caller (a metrics label, the alert checker on each print) gets
what memory holds while a look it starts runs in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from decimal import Decimal

from numatix.domain.credentials import ExchangeCredentials, VenueChoice
from numatix.market.feed import MarketFeed
from numatix.market.hub import MarketHub
from numatix.services.market_data import MarketDataService
from numatix.services.venue_markets import VenueMarkets

logger = logging.getLogger(__name__)
UserChoice = tuple[VenueChoice, ExchangeCredentials | None]
PAPER, BINANCE = "paper", "binance"  # the venue's name in metrics and logs
ON_PAPER: UserChoice = (VenueChoice.PAPER, None)


class UserVenues:
    def __init__(
        self,
        choice_of: Callable[[int], UserChoice],
        app_market: MarketDataService,
        binance_feed: Callable[[], MarketFeed] | None,
        *,
        ttl_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``binance_feed`` is None on a host without a Binance venue: everybody trades on paper."""
        self._choice_of = choice_of
        self._binance_enabled = binance_feed is not None
        self._ttl = ttl_seconds
        self._clock = clock
        self._choices: dict[int, tuple[float, UserChoice]] = {}
        self._looking: dict[int, asyncio.Task[None]] = {}  # looks started by synchronous callers
        self._versions: dict[int, int] = {}  # bumped by forget
        self._market_listeners: list[Callable[[MarketHub], None]] = []
        self.markets = VenueMarkets(app_market, binance_feed or _no_feed, self.on_binance,
                                    on_start=self._binance_market_started)

    @property
    def app_market(self) -> MarketDataService:
        return self.markets.app_market

    # ------------------------------------------------------------ which venue
    async def refresh(self, user_id: int) -> None:
        """Look the choice up in a worker thread (it reads the database) unless it is fresh, so
        the answers below come from memory. Every async way in (routing an order, a page's or
        the API's market, the socket) calls this first."""
        if self._fresh(user_id) is None:
            await self._look_up(user_id)

    async def _look_up(self, user_id: int) -> None:
        """A look that started before ``forget`` may have read the old choice: it is not kept."""
        version = self._versions.get(user_id, 0)
        choice = await asyncio.to_thread(self._choice_of, user_id)
        if self._versions.get(user_id, 0) == version:
            self._choices[user_id] = (self._clock(), choice)
        elif self._fresh(user_id) is None:
            await self._look_up(user_id)

    def choice(self, user_id: int) -> UserChoice:
        """From memory; paper for a user never looked up, until the look this starts comes back."""
        known = self.known_choice(user_id)
        return known if known is not None else ON_PAPER

    def known_choice(self, user_id: int) -> UserChoice | None:
        """What the last look found, even when it is older than the ttl (a new look then starts in
        a worker thread); None while the user was never looked up. Never the database on the event
        loop; without a running loop (a script) the look is made here."""
        cached = self._choices.get(user_id)
        if cached is not None and self._clock() - cached[0] < self._ttl:
            return cached[1]
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            choice = self._choice_of(user_id)
            self._choices[user_id] = (self._clock(), choice)
            return choice
        if user_id not in self._looking:
            self._looking[user_id] = loop.create_task(self._look_up_later(user_id))
        return cached[1] if cached is not None else None

    async def _look_up_later(self, user_id: int) -> None:
        try:
            await self._look_up(user_id)
        except Exception:  # the next caller starts another look; a deleted user has no choice
            logger.warning("could not look up the venue of user %s", user_id, exc_info=True)
        finally:
            self._looking.pop(user_id, None)

    def _fresh(self, user_id: int) -> UserChoice | None:
        cached = self._choices.get(user_id)
        return cached[1] if cached is not None and self._clock() - cached[0] < self._ttl else None

    def binance_credentials(self, user_id: int) -> ExchangeCredentials | None:
        """The user's key when their orders go to Binance; None when they go to paper."""
        venue_choice, credentials = self.choice(user_id)
        if venue_choice is VenueChoice.BINANCE_TESTNET and self._binance_enabled:
            return credentials
        return None

    def on_binance(self, user_id: int | None) -> bool:
        return bool(user_id) and self.binance_credentials(user_id or 0) is not None

    def venue_name(self, user_id: int) -> str:
        return BINANCE if self.on_binance(user_id) else PAPER

    def trades_on(self, user_id: int) -> str | None:
        """``venue_name`` from memory, or None while this user's choice is not known yet (the
        alert checker then leaves their alert for the next print instead of guessing a market)."""
        known = self.known_choice(user_id)
        if known is None:
            return None
        venue_choice, credentials = known
        on_binance = venue_choice is VenueChoice.BINANCE_TESTNET and self._binance_enabled and credentials
        return BINANCE if on_binance else PAPER

    async def look_up(self, user_ids: Iterable[int]) -> None:
        """Know these users' choices before a synchronous caller asks (the owners of alerts)."""
        for user_id in user_ids:
            try:
                await self.refresh(user_id)
            except Exception:
                logger.warning("could not look up the venue of user %s", user_id, exc_info=True)

    def forget(self, user_id: int) -> None:
        """The user changed venue or key in this worker: look again on the next request (a
        synchronous caller meanwhile gets the old answer and starts that look)."""
        self._versions[user_id] = self._versions.get(user_id, 0) + 1
        cached = self._choices.get(user_id)
        if cached is not None:
            self._choices[user_id] = (float("-inf"), cached[1])

    # ------------------------------------------------------------ which market
    async def market_for(self, user_id: int | None) -> MarketDataService:
        """Signed out (``None``): the app's market."""
        if user_id:
            await self.refresh(user_id)
        return await self.markets.for_user(user_id)

    async def prices_for(self, user_id: int | None) -> Callable[[str], Decimal | None]:
        """``symbol -> last price`` on the market this user trades on."""
        return (await self.market_for(user_id)).last_price

    def last_price_now(self, user_id: int, symbol: str) -> Decimal | None:
        """The same without starting anything: None while the user's market is not running."""
        return self.markets.last_price_now(user_id, symbol)

    def on_binance_market_start(self, listener: Callable[[MarketHub], None]) -> None:
        """``listener(hub)`` when the testnet's market starts (it starts with its first user)."""
        self._market_listeners.append(listener)

    def _binance_market_started(self, hub: MarketHub) -> None:
        for listener in self._market_listeners:
            listener(hub)

    async def stop(self) -> None:
        for task in list(self._looking.values()):
            task.cancel()
        await asyncio.gather(*self._looking.values(), return_exceptions=True)
        await self.markets.stop()


def _no_feed() -> MarketFeed:
    raise RuntimeError("no Binance venue on this host")  # never asked: nobody is on Binance
