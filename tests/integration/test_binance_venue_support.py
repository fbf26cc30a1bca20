"""Shared set-up for the Binance venue's integration tests (no tests here).

One simulator per test module; each test trades with a fresh key (a fresh account) on a
``BinanceVenue`` with short timeouts, so a fault costs a second, not the real defaults.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from decimal import Decimal as D

import pytest_asyncio

from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.enums import ExecutionType, OrderStatus
from numatix.domain.events import ExecutionReport, VenueEvent
from numatix.exchange.base import EventSubscription
from numatix.exchange.binance import BinanceOptions, BinanceVenue
from numatix.sim.testing import running_simulator

SYMBOL = "BTCUSDT"
PRICE = D("50000")
WAIT_SECONDS = 30.0  # a guard against hanging, not a speed target
FAST = BinanceOptions(
    recv_window_ms=1_000,
    request_timeout_seconds=1.5,
    retry_base_seconds=0.05,
    retry_cap_seconds=0.2,
    stream_backoff_base_seconds=0.05,
    stream_backoff_cap_seconds=0.2,
    stream_open_timeout_seconds=3.0,
    start_timeout_seconds=5.0,
)


@dataclass
class Trader:
    sim: object
    venue: BinanceVenue
    account: ExchangeCredentials
    subscription: EventSubscription
    events: list[VenueEvent] = field(default_factory=list)

    async def until(self, condition: Callable[[list[VenueEvent]], bool]) -> list[VenueEvent]:
        """Wait until the account's stream has delivered what ``condition`` looks for."""
        async def collect() -> None:
            while not condition(self.events):
                self.events.append(await self.subscription.__anext__())

        await asyncio.wait_for(collect(), WAIT_SECONDS)
        return self.events

    def reports_of(self, client_order_id: str, events: list[VenueEvent] | None = None) -> list[ExecutionReport]:
        return [event for event in (self.events if events is None else events)
                if isinstance(event, ExecutionReport) and client_order_id
                in (event.client_order_id, event.original_client_order_id)]

    def statuses(self, client_order_id: str, events: list[VenueEvent] | None = None) -> list[OrderStatus]:
        return [report.status for report in self.reports_of(client_order_id, events)]

    async def fills_of(self, client_order_id: str, quantity: D) -> list[ExecutionReport]:
        """The order's TRADE reports once they add up to ``quantity``."""
        def trades(events: list[VenueEvent]) -> list[ExecutionReport]:
            return [r for r in self.reports_of(client_order_id, events) if r.execution_type is ExecutionType.TRADE]

        await self.until(lambda events: sum((r.last_quantity for r in trades(events)), D(0)) >= quantity)
        found = trades(self.events)
        assert len({r.trade_id for r in found}) == len(found), "a fill was delivered twice"
        assert sum((r.last_quantity for r in found), D(0)) == quantity
        return found


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def simulator() -> AsyncIterator[object]:
    async with running_simulator() as sim:
        yield sim


@pytest_asyncio.fixture(loop_scope="module")
async def trader(simulator: object) -> AsyncIterator[Trader]:
    sim = simulator
    sim.faults.clear()
    sim.push_trade(SYMBOL, str(PRICE), "0.001")
    venue = BinanceVenue(sim.rest_url, sim.ws_api_url, [SYMBOL], options=FAST)
    account = sim.create_key(kind="hmac")
    subscription = venue.reports(account)
    await venue.start_account(account)
    await venue.exchange_info()  # cached now, so a one-shot fault hits the request a test aims it at
    yield Trader(sim, venue, account, subscription)
    sim.faults.clear()
    subscription.close()
    await venue.close()
