"""The simulator's tape: aggregate trades as Binance makes them, trades from an id, one-second bars."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from numatix.domain.market import TradePrint
from numatix.sim.tape import SymbolTape, Tape


def trade(trade_id: int, price: str, time_ms: int, quantity: str = "1", buyer_is_maker: bool = False):
    return TradePrint("BTCUSDT", trade_id, Decimal(price), Decimal(quantity), time_ms, buyer_is_maker)


def test_one_takers_prints_at_one_price_are_one_aggregate_and_the_listeners_hear_of_it_when_done():
    tape, heard = Tape(("BTCUSDT",)), []
    tape.add_listener(lambda symbol, aggregates: heard.append((symbol, aggregates)))
    for print_ in (trade(10, "100", 5), trade(11, "100", 5, "2"), trade(12, "101", 5), trade(13, "101", 5)):
        tape.on_trade(print_)
    tape.on_trade(trade(14, "101", 5, buyer_is_maker=True))  # the other side: another taker
    assert heard == []  # nothing is final until the batch is over
    tape.flush()
    (symbol, aggregates), = heard
    assert symbol == "BTCUSDT"
    assert [(a.agg_id, a.price, a.quantity, a.first_id, a.last_id) for a in aggregates] == [
        (10, Decimal(100), Decimal(3), 10, 11), (11, Decimal(101), Decimal(2), 12, 13),
        (12, Decimal(101), Decimal(1), 14, 14)]
    tape.on_trade(trade(15, "101", 5, buyer_is_maker=True))  # same moment, but after the batch ended
    tape.flush()
    assert [(a.agg_id, a.first_id) for a in heard[1][1]] == [(13, 15)]


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.booleans(), st.integers(1, 5)),
                max_size=60))
def test_aggregates_cover_every_trade_once_in_order(prints):
    tape, time_ms = SymbolTape(), 0
    for index, (pause, price, maker, size) in enumerate(prints, start=1):
        time_ms += pause
        tape.add(trade(index, str(100 + price), time_ms, str(size), maker))
    tape.close()
    aggregates = list(tape.aggregates)
    covered = [i for a in aggregates for i in range(a.first_id, a.last_id + 1)]
    assert covered == list(range(1, len(prints) + 1))
    assert [a.agg_id for a in aggregates] == list(range(1, len(aggregates) + 1))
    assert sum((a.quantity for a in aggregates), Decimal(0)) == sum(size for *_, size in prints)
    by_id = {index: print_ for index, print_ in enumerate(prints, start=1)}
    for aggregate in aggregates:
        members = [by_id[i] for i in range(aggregate.first_id, aggregate.last_id + 1)]
        assert len({(100 + price, maker) for _, price, maker, _ in members}) == 1


def test_aggregates_are_selected_as_binance_selects_them():
    tape = SymbolTape()
    for index in range(1, 11):
        tape.add(trade(index, str(100 + index % 2), index * 1000))
    tape.close()
    assert [a.agg_id for a in tape.aggregate_list(None, None, None, 3)] == [8, 9, 10]  # the newest
    assert [a.agg_id for a in tape.aggregate_list(4, None, None, 3)] == [4, 5, 6]  # from an id, inclusive
    assert [a.agg_id for a in tape.aggregate_list(None, 2000, 4000, 10)] == [2, 3, 4]  # both ends inclusive
    assert [a.agg_id for a in tape.aggregate_list(None, None, 4000, 2)] == [3, 4]


def test_trades_from_an_id_and_the_most_recent():
    tape = SymbolTape(keep=5)
    for index in range(1, 9):
        tape.add(trade(index, "100", index))
    assert [t.trade_id for t in tape.from_id(5, 2)] == [5, 6]
    assert [t.trade_id for t in tape.from_id(1, 10)] == [4, 5, 6, 7, 8]  # older than the tape: its oldest
    assert [t.trade_id for t in tape.recent(3)] == [6, 7, 8]


def test_one_second_bars_hold_their_prints_and_an_empty_second_repeats_the_close():
    tape = SymbolTape()
    tape.add(trade(1, "100", 10_100, "1"))
    tape.add(trade(2, "103", 10_900, "2", buyer_is_maker=True))
    tape.add(trade(3, "99", 12_000, "4"))
    bars = tape.seconds(None, None, 10, now_ms=12_500)
    assert [bar.open_time_ms for bar in bars] == [10_000, 11_000, 12_000]
    first, empty, last = bars
    assert (first.open, first.high, first.low, first.close) == (100, 103, 100, 103)
    assert (first.volume, first.taker_buy_volume, first.taker_buy_quote_volume) == (3, 1, 100)
    assert (first.first_trade_id, first.last_trade_id, first.trade_count) == (1, 2, 2)
    assert (empty.open, empty.close, empty.volume, empty.trade_count) == (103, 103, 0, 0)
    assert (last.open, last.first_trade_id, last.close_time_ms) == (99, 3, 12_999)
    assert [bar.open_time_ms for bar in tape.seconds(10_500, None, 1, now_ms=12_500)] == [11_000]
    assert [bar.open_time_ms for bar in tape.seconds(None, 11_999, 1, now_ms=12_500)] == [11_000]
