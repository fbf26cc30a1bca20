"""The synthetic market's order book: price-time priority, one trade per resting order, never crossed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.market.synthetic.book import OrderBook
from numatix.market.synthetic.process import VolatilityProcess
from numatix.market.synthetic.profiles import PROFILES, symbol_seed
from numatix.market.synthetic.simulation import MarketSimulation

START = 1_764_000_000_000 - 1_764_000_000_000 % 60_000


def test_a_taker_fills_the_oldest_order_at_the_best_price_first_one_trade_per_order():
    book = OrderBook()
    first = book.place(False, 101, [3])
    second = book.place(False, 101, [2, 4])  # a quote of two orders
    book.place(False, 103, [10])
    executions = book.take(buyer=True, size=7)
    assert [(e.price, e.size) for e in executions] == [(101, 3), (101, 2), (101, 2)]
    assert executions[0].maker is first and executions[1].maker is second
    assert book.asks.best == 101 and book.asks.totals[101] == 2
    executions = book.take(buyer=True, size=5)
    assert [(e.price, e.size) for e in executions] == [
        (101, 2),
        (103, 3),
    ]  # the level ran out: the price moves
    assert book.asks.best == 103


def test_a_taker_stops_at_its_limit_and_a_pulled_level_is_gone():
    book = OrderBook()
    book.place(True, 100, [5])
    book.place(True, 99, [5])
    book.place(True, 90, [5])
    assert [(e.price, e.size) for e in book.take(buyer=False, size=100, limit=95)] == [(100, 5), (99, 5)]
    book.pull(True, 90)
    assert book.bids.best is None and book.bids.totals == {}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),
            st.integers(90, 110),
            st.lists(st.integers(1, 50), min_size=1, max_size=4),
            st.integers(0, 3),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_totals_match_the_orders_and_takers_only_meet_the_best_price(operations):
    book = OrderBook()
    placed = []
    for is_bid, price, parts, action in operations:
        if action == 0 and placed:
            book.cancel(placed.pop(0))
        elif action == 1:
            best = book.side(is_bid).best  # a seller meets the bids, a buyer the asks
            executions = book.take(buyer=not is_bid, size=sum(parts))
            if executions:
                assert executions[0].price == best
                prices = [e.price for e in executions]
                assert prices == sorted(prices, reverse=is_bid)
        else:
            placed.append(book.place(is_bid, price, parts))
        for side in (book.bids, book.asks):
            for level, queue in side.levels.items():
                assert side.totals[level] == sum(order.size for order in queue) > 0
                assert all(order.size == sum(order.parts) for order in queue)


def simulation(symbol: str = "BTCUSDT", seed: int = 7) -> MarketSimulation:
    profile, spec = PROFILES[symbol], DEFAULT_SYMBOLS[symbol]
    rng = np.random.default_rng(symbol_seed(seed, symbol))
    process = VolatilityProcess(rng, profile.volatility_scale)
    return MarketSimulation(profile, spec, process, rng, int(profile.start_price / spec.tick_size), START, 0)


def test_every_print_is_at_the_touch_and_consumes_it_and_the_book_never_crosses():
    market = simulation()
    book = market.book
    takers = 0
    while market.next_event()[0] < START + 60_000:
        best_bid, best_ask = book.bids.best, book.asks.best
        shown = dict(book.asks.depth(50)), dict(book.bids.depth(50))
        prints = market.step()  # news moves the book before its taker trades: one event at a time
        if prints:
            takers += 1
            buyer = not prints[0].buyer_is_maker
            assert prints[0].price == (best_ask if buyer else best_bid)  # at the touch
            prices = [p.price for p in prints]
            assert prices == sorted(prices, reverse=not buyer)  # walking away from it
            levels, now = (shown[0], book.asks.totals) if buyer else (shown[1], book.bids.totals)
            for price in set(prices):
                taken = sum(p.size for p in prints if p.price == price)
                assert now.get(price, 0) <= levels[price] - taken  # consumed (and nothing added by a taker)
        if book.bids.best is not None and book.asks.best is not None:
            assert book.bids.best < book.asks.best
    assert takers > 50


def test_the_same_seed_gives_the_same_tape_and_book():
    a, b = simulation(seed=3), simulation(seed=3)
    assert a.advance(START + 60_000) == b.advance(START + 60_000)
    assert a.book.bids.depth(200) == b.book.bids.depth(200) and a.book.update_id == b.book.update_id
    assert simulation(seed=4).advance(START + 60_000) != a.advance(START + 120_000)


@pytest.mark.parametrize("symbol", ["BTCUSDT", "ETHUSDT"])
def test_the_book_moves_with_trades_so_the_last_price_stays_at_the_touch(symbol):
    """Read at any moment, the last price is at (or a tick from) the best bid or ask, and the touch
    moves only with a trade or by a tick: news reaches the book with the taker who brings it."""
    market = simulation(symbol)
    book = market.book
    last = None
    moments = at_touch = moves = quiet_jumps = 0
    touch, traded = (book.bids.best, book.asks.best), False
    while market.next_event()[0] < START + 180_000:
        time_ms = market.next_event()[0]
        prints = market.step()
        if prints:
            last, traded = prints[-1].price, True
        if market.next_event()[0] == time_ms or last is None:
            continue  # nobody can see a state that does not last a millisecond
        bid, ask = book.bids.best, book.asks.best
        moments += 1
        at_touch += bid - 1 <= last <= ask + 1
        if (bid, ask) != touch:
            moves += 1
            quiet_jumps += not traded and max(abs(bid - touch[0]), abs(ask - touch[1])) > 1
            touch = bid, ask
        traded = False
    assert moments > 1000 and at_touch / moments >= 0.99
    assert moves > 100 and quiet_jumps / moves <= 0.05
