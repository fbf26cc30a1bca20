"""Per-symbol activity: round trips, win rate after fees, traded value and fees, on worked examples."""

from decimal import Decimal

from numatix.domain.enums import Side
from numatix.domain.orders import Fill
from numatix.domain.performance import activity_by_symbol, totals
from numatix.domain.symbols import DEFAULT_SYMBOLS

D = Decimal
_ids = iter(range(1, 10_000))


def fill(symbol: str, side: str, quantity: str, price: str, fee: str, fee_asset: str, time_ms: int) -> Fill:
    trade_id = next(_ids)
    return Fill(trade_id, trade_id, f"c{trade_id}", symbol, Side(side), D(price), D(quantity),
                D(price) * D(quantity), D(fee), fee_asset, False, time_ms)


def test_two_round_trips_one_won_one_lost_after_fees_and_an_open_one():
    fills = [
        fill("ETHUSDT", "BUY", "1", "100", "0.1", "USDT", 1),
        fill("ETHUSDT", "SELL", "0.5", "110", "0.055", "USDT", 2),  # +5
        fill("ETHUSDT", "SELL", "0.5", "99.9", "0.04995", "USDT", 3),  # -0.05: trip 1 made 4.95, paid 0.20495
        fill("ETHUSDT", "BUY", "2", "50", "0.1", "USDT", 4),
        fill("ETHUSDT", "SELL", "2", "50.05", "0.1001", "USDT", 5),  # +0.1, paid 0.2001: lost after fees
        fill("ETHUSDT", "BUY", "1", "70", "0.07", "USDT", 6),  # open
    ]
    [eth] = activity_by_symbol(fills, DEFAULT_SYMBOLS)
    assert [(t.opened_ms, t.closed_ms, t.realized_pnl, t.fees_in_quote, t.net_pnl) for t in eth.round_trips] == [
        (1, 3, D("4.95"), D("0.20495"), D("4.74505")), (4, 5, D("0.1"), D("0.2001"), D("-0.1001"))]
    assert (eth.wins, eth.losses, eth.win_rate) == (1, 1, D("50.00"))
    assert eth.round_trip_pnl == D("4.64495")
    assert eth.fees_in_quote == D("0.47505")
    assert (eth.fills, eth.buys, eth.sells, eth.volume_quote) == (6, 3, 3, D("475.05"))


def test_dust_left_by_a_fee_in_the_base_asset_still_closes_the_round_trip():
    fills = [
        fill("BTCUSDT", "BUY", "0.001", "50000", "0.000001", "BTC", 10),  # receives 0.000999
        fill("BTCUSDT", "SELL", "0.00099", "60000", "0.0594", "USDT", 20),  # 0.000009 left: below a step
    ]
    [btc] = activity_by_symbol(fills, DEFAULT_SYMBOLS)
    assert len(btc.round_trips) == 1 and btc.round_trips[0].won
    assert btc.round_trips[0].fees_in_quote == D("0.1094")  # 0.000001 BTC at 50000 + 0.0594 USDT


def test_selling_what_the_wallet_started_with_opens_and_closes_no_round_trip():
    [btc] = activity_by_symbol([fill("BTCUSDT", "SELL", "0.01", "50000", "0.5", "USDT", 1)], DEFAULT_SYMBOLS)
    assert btc.round_trips == [] and btc.win_rate is None and btc.sells == 1 and btc.fees_in_quote == D("0.5")


def test_totals_add_up_symbols_and_unknown_symbols_are_left_out():
    fills = [
        fill("ETHUSDT", "BUY", "1", "100", "0", "USDT", 1),
        fill("BTCUSDT", "BUY", "0.01", "100", "0", "USDT", 2),
        fill("ETHUSDT", "SELL", "1", "101", "0", "USDT", 3),
        fill("BTCUSDT", "SELL", "0.01", "90", "0", "USDT", 4),
        fill("XYZUSDT", "BUY", "1", "1", "0", "USDT", 5),
    ]
    rows = activity_by_symbol(fills, DEFAULT_SYMBOLS)
    assert [r.symbol for r in rows] == ["BTCUSDT", "ETHUSDT"]
    total = totals(rows)
    assert (len(total.round_trips), total.wins, total.win_rate) == (2, 1, D("50.00"))
    assert total.round_trip_pnl == D("0.9")
    assert [t.symbol for t in total.round_trips] == ["ETHUSDT", "BTCUSDT"]  # by closing time
