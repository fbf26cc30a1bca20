"""Invariants over random order sequences against random market paths."""

import asyncio
import dataclasses
from collections import defaultdict
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from numatix.domain.enums import ExecutionType, OrderStatus, SelfTradePreventionMode, Side
from numatix.domain.errors import OrderRejected
from numatix.domain.events import ExecutionReport
from numatix.domain.orders import TRANSITIONS
from numatix.domain.requests import OrderRequest
from numatix.exchange.paper import FakeClock, PaperExchange
from tests.unit.exchange.helpers import SYMBOL, book, trade

ACCOUNTS = (1, 2)
TYPES = ["LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT", "LIMIT_MAKER"]

offsets = st.integers(min_value=-300, max_value=300)
sizes = st.integers(min_value=1, max_value=3000)  # in steps of 0.00001

book_action = st.tuples(st.just("book"), offsets, st.integers(1, 20), sizes)
trade_action = st.tuples(st.just("trade"), offsets, sizes)
order_action = st.tuples(
    st.just("order"), st.sampled_from(ACCOUNTS), st.sampled_from(["BUY", "SELL"]), st.sampled_from(TYPES),
    st.sampled_from(["GTC", "IOC", "FOK"]), offsets, offsets, sizes, st.booleans(),
    st.sampled_from([mode.value for mode in SelfTradePreventionMode]),
)
cancel_action = st.tuples(st.just("cancel"), st.sampled_from(ACCOUNTS), st.integers(0, 50))
actions = st.lists(st.one_of(book_action, trade_action, order_action, cancel_action), min_size=5, max_size=40)


def price_at(offset: int) -> D:
    return D(50000) + D(offset)


def make_book(offset, spread, size):
    mid = price_at(offset)
    quantity = D(size) * D("0.00001")
    bids = [(str(mid - spread - i), str(quantity * (i + 1))) for i in range(5)]
    asks = [(str(mid + spread + i), str(quantity * (i + 1))) for i in range(5)]
    return book(bids, asks)


def make_request(side, order_type, tif, price_offset, stop_offset, size, by_quote, stp="EXPIRE_MAKER"):
    request = _request(side, order_type, tif, price_offset, stop_offset, size, by_quote)
    return dataclasses.replace(request, self_trade_prevention=stp)


def _request(side, order_type, tif, price_offset, stop_offset, size, by_quote):
    quantity = str(D(size) * D("0.0001"))
    price, stop = str(price_at(price_offset)), str(price_at(stop_offset))
    if order_type == "MARKET":
        if by_quote:
            return OrderRequest(SYMBOL, side, order_type, quote_order_qty=str(D(size) / 10 + 5))
        return OrderRequest(SYMBOL, side, order_type, quantity=quantity)
    if order_type in ("STOP_LOSS", "TAKE_PROFIT"):
        return OrderRequest(SYMBOL, side, order_type, quantity=quantity, stop_price=stop)
    if order_type == "LIMIT_MAKER":
        return OrderRequest(SYMBOL, side, order_type, quantity=quantity, price=price)
    if order_type == "LIMIT":
        return OrderRequest(SYMBOL, side, order_type, quantity=quantity, price=price, time_in_force=tif)
    return OrderRequest(SYMBOL, side, order_type, quantity=quantity, price=price, stop_price=stop,
                        time_in_force=tif)


class Checker:
    def __init__(self, exchange: PaperExchange) -> None:
        self.exchange = exchange
        self.statuses: dict[int, OrderStatus] = {}
        self.filled: dict[int, D] = defaultdict(D)
        self.step_events: list = []
        exchange.add_listener(self.step_events.append)

    def totals(self, account):
        balances = self.exchange.balances_now(account)
        return {asset: b.free + b.locked for asset, b in balances.items()}, balances

    def check_step(self, before):
        expected = {account: defaultdict(D) for account in ACCOUNTS}
        for event in self.step_events:
            if isinstance(event, ExecutionReport):
                self.check_report(event, expected[event.account])
        self.step_events.clear()
        resting: dict = defaultdict(lambda: ([], []))
        for entry in self.exchange._core._open.values():  # white box: the queue estimate of each open order
            assert entry.place.ahead >= 0
            assert entry.place.shown is None or entry.place.ahead <= entry.place.shown
            if entry.order.is_working and entry.order.order_type.has_limit_price:
                resting[entry.account][entry.order.side is Side.SELL].append(entry.order.price)
        for bids, asks in resting.values():  # self-trade prevention: no account is crossed against itself
            assert not bids or not asks or max(bids) < min(asks), (bids, asks)
        for account in ACCOUNTS:
            totals, balances = self.totals(account)
            assert all(b.free >= 0 and b.locked >= 0 for b in balances.values())
            for asset in set(totals) | set(before[account]):
                change = totals.get(asset, D(0)) - before[account].get(asset, D(0))
                assert change == expected[account][asset], (asset, change, expected[account][asset])

    def check_report(self, report: ExecutionReport, expected):
        previous = self.statuses.get(report.venue_order_id)
        if previous is not None and report.status is not previous:
            assert report.status in TRANSITIONS[previous], (previous, report.status)
        self.statuses[report.venue_order_id] = report.status
        if report.execution_type is not ExecutionType.TRADE:
            return
        if report.price:  # priced order: never filled through its limit
            assert report.last_price <= report.price if report.side is Side.BUY else report.last_price >= report.price
        self.filled[report.venue_order_id] += report.last_quantity
        assert self.filled[report.venue_order_id] == report.cumulative_quantity
        fee = report.commission
        if report.side is Side.BUY:
            expected["BTC"] += report.last_quantity - (fee if report.commission_asset == "BTC" else 0)
            expected["USDT"] -= report.last_quote
        else:
            expected["BTC"] -= report.last_quantity
            expected["USDT"] += report.last_quote - (fee if report.commission_asset == "USDT" else 0)


async def run_actions(sequence):
    clock = FakeClock()
    exchange = PaperExchange(clock=clock)
    exchange.on_book(make_book(0, 1, 1000))
    checker = Checker(exchange)
    open_ids = {account: [] for account in ACCOUNTS}
    for action in sequence:
        before = {account: checker.totals(account)[0] for account in ACCOUNTS}
        clock.set(clock.now_ms() + 250)
        kind = action[0]
        if kind == "book":
            exchange.on_book(make_book(*action[1:]))
        elif kind == "trade":
            exchange.on_trade(trade(str(price_at(action[1])), str(D(action[2]) * D("0.00001"))))
        elif kind == "order":
            account = action[1]
            try:
                report = await exchange.submit(account, make_request(*action[2:]))
                open_ids[account].append(report.client_order_id)
            except OrderRejected:
                pass
        else:
            account, index = action[1], action[2]
            if open_ids[account]:
                try:
                    await exchange.cancel(account, SYMBOL, client_order_id=open_ids[account][index % len(open_ids[account])])
                except OrderRejected:
                    pass
        checker.check_step(before)
    for account in ACCOUNTS:  # locked funds equal what open orders need
        open_orders = await exchange.open_orders(account)
        if not open_orders:
            assert all(b.locked == 0 for b in exchange.balances_now(account).values())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions)
def test_random_orders_against_random_markets_keep_the_invariants(sequence):
    asyncio.run(run_actions(sequence))
