from decimal import Decimal as D

import pytest

from numatix.domain.enums import OrderType, Side
from numatix.domain.estimates import walk_visible_book
from numatix.domain.fees import DEFAULT_FEES
from numatix.domain.market import BookLevel
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.domain.sizing import Funds
from numatix.market.hub import MarketHub
from numatix.services.market_data import MarketDataService
from numatix.services.order_entry import OrderEntryService
from tests.unit.exchange.helpers import STANDARD_BOOK, trade

ASKS = (BookLevel(D("100"), D("1")), BookLevel(D("101"), D("2")))


def test_walking_the_visible_book_by_quantity_and_by_quote():
    by_quantity = walk_visible_book(ASKS, quantity=D("2"))
    assert (by_quantity.quantity, by_quantity.quote, by_quantity.complete) == (D("2"), D("201"), True)
    assert by_quantity.average_price == D("100.5")
    by_quote = walk_visible_book(ASKS, quote=D("150"))
    assert by_quote.quote == D("150") and by_quote.quantity == 1 + D("50") / D("101")
    thin = walk_visible_book(ASKS, quantity=D("5"))
    assert thin.quantity == D("3") and not thin.complete


def test_one_fee_rule_charged_in_what_is_received_at_the_commission_precision():
    assert DEFAULT_FEES.on_amounts(Side.BUY, D("2"), D("201"), False, "BTC", "USDT") == (D("0.002"), "BTC")
    assert DEFAULT_FEES.on_amounts(Side.SELL, D("2"), D("201"), False, "BTC", "USDT") == (D("0.201"), "USDT")
    fee, _ = DEFAULT_FEES.on_amounts(Side.BUY, D(1) / D(3), D(100), False, "BTC", "USDT")
    assert fee == D("0.00033333")  # never 33 decimals


class HandFeed:
    """No upstream: the test feeds the hub itself."""

    symbols = ("BTCUSDT",)
    kind = None


@pytest.fixture
def entry():
    hub = MarketHub(HandFeed())
    hub.on_book(STANDARD_BOOK)
    hub.on_trade(trade("50000", "0.01"))
    free = {"USDT": D("1000"), "BTC": D("0.1")}

    async def balances(_user):
        return free

    return OrderEntryService(MarketDataService(hub), free_balances=balances)


def test_preview_speaks_a_traders_words_and_keeps_the_venues(entry):
    tiny = entry.preview(OrderRequest("BTCUSDT", "BUY", "MARKET", quantity="0.0000001"))
    assert (tiny.error_code, tiny.error) == (-1013, "Filter failure: LOT_SIZE")
    assert tiny.message == "Amount must be at least 0.00001 BTC"
    refused = entry.preview(OrderRequest("BTCUSDT", "BUY", "MARKET", quantity="0.000010001"))
    assert (refused.error_code, refused.error) == (-1111, "Parameter 'quantity' has too much precision.")
    assert refused.message == "Amount must be a multiple of 0.00001 BTC"
    small = entry.preview(OrderRequest("BTCUSDT", "BUY", "LIMIT", quantity="0.00001", price="50000",
                                       time_in_force="GTC"))
    assert (small.error, small.message) == ("Filter failure: NOTIONAL", "Minimum order is 5 USDT")
    no_tif = entry.preview(OrderRequest("BTCUSDT", "BUY", "LIMIT", quantity="0.01", price="50000"))
    assert "timeInForce" in no_tif.error and no_tif.message == "Choose a time in force"


def test_preview_estimates_a_market_buy(entry):
    preview = entry.preview(OrderRequest("BTCUSDT", "BUY", "MARKET", quantity="0.04"))
    assert preview.error == "" and preview.cost == D("2000.06") and preview.average_price == D("50001.5")
    assert (preview.fee, preview.fee_asset) == (D("0.00004"), "BTC")
    limit = entry.preview(OrderRequest("BTCUSDT", "SELL", "LIMIT", quantity="0.01", price="51000",
                                       time_in_force="GTC"))
    assert (limit.cost, limit.fee, limit.fee_asset) == (D("510"), D("0.51"), "USDT")
    assert limit.funds == Funds("BTC", D("0.01"))


def test_preview_flags_what_the_user_cannot_pay_for_naming_what_is_available(entry):
    free = {"USDT": D("120.5"), "BTC": D("0.1")}
    short = entry.preview(OrderRequest("BTCUSDT", "BUY", "LIMIT", quantity="0.01", price="50000",
                                       time_in_force="GTC"), free=free)
    assert (short.error_code, short.error) == (-2010, "Account has insufficient balance for requested action.")
    assert short.message == "Not enough USDT: this order needs 500 USDT, 120.5 USDT available"
    assert short.cost == D("500") and short.available == D("120.5")
    sell = entry.preview(OrderRequest("BTCUSDT", "SELL", "MARKET", quantity="0.2"), free=free)
    assert sell.message == "Not enough BTC: this order needs 0.2 BTC, 0.1 BTC available"
    fine = entry.preview(OrderRequest("BTCUSDT", "BUY", "LIMIT", quantity="0.002", price="50000",
                                      time_in_force="GTC"), free=free)
    assert fine.error == "" and fine.available == D("120.5")


def test_a_limit_price_far_from_the_market_asks_for_a_confirmation(entry):
    far = entry.preview(OrderRequest("BTCUSDT", "BUY", "LIMIT", quantity="0.01", price="44000",
                                     time_in_force="GTC"))
    assert far.error == "" and far.far_from_market
    assert far.warning == "Your price 44,000 is 12.0% below the market (50,000). Place it anyway?"
    near = entry.preview(OrderRequest("BTCUSDT", "BUY", "LIMIT", quantity="0.01", price="46000",
                                      time_in_force="GTC"))
    assert not near.far_from_market and near.warning == ""


def test_an_oco_preview_checks_both_legs_and_their_order(entry):
    good = entry.preview_oco(OcoRequest("BTCUSDT", "SELL", D("0.01"), D("52000"), D("48000")), free={"BTC": D(1)})
    assert good.error == "" and good.funds == Funds("BTC", D("0.01"))
    wrong = entry.preview_oco(OcoRequest("BTCUSDT", "SELL", D("0.01"), D("48000"), D("52000")))
    assert wrong.error_code == -2010 and wrong.message.startswith("For a sell OCO")
    buy = entry.preview_oco(OcoRequest("BTCUSDT", "BUY", D("0.01"), D("48000"), D("52000")), free={"USDT": D(100)})
    assert buy.message == "Not enough USDT: this order needs 520 USDT, 100 USDT available"


async def test_the_slider_sizes_from_the_users_free_balance(entry):
    quantity, total = await entry.size_for_percent(1, "BTCUSDT", Side.BUY, OrderType.LIMIT, D(50), D("50000"))
    assert (quantity, total) == (D("0.01"), D("500.00"))
    quantity, _ = await entry.size_for_percent(1, "BTCUSDT", Side.SELL, OrderType.LIMIT, D(25), None)
    assert quantity == D("0.025")
    preview = await entry.preview_for(1, OrderRequest("BTCUSDT", "BUY", "LIMIT", quantity="0.03", price="50000",
                                                      time_in_force="GTC"))
    assert preview.message == "Not enough USDT: this order needs 1,500 USDT, 1,000 USDT available"


def test_a_limit_priced_through_the_book_is_estimated_at_the_book_not_at_its_limit(entry):
    """A sell far under the market trades at once against the bids its limit reaches, at their
    prices; the confirmation says so with the numbers (not "20 % below the market")."""
    through = entry.preview(OrderRequest("BTCUSDT", "SELL", "LIMIT", quantity="0.01", price="40000",
                                         time_in_force="GTC"))
    assert through.error == "" and through.far_from_market
    assert through.average_price == D("49999") and through.cost == D("499.99")  # not 0.01 × 40,000
    assert through.at_once is not None and (through.at_once.quantity, through.at_once.rests) == (D("0.01"), 0)
    assert through.warning == ("Your price 40,000 is 20.0% below the market (50,000). It will not wait for "
                               "40,000: all 0.01 BTC fills now at about 49,999.00 (the best bids). Place it anyway?")
    # More than the visible bids: what they take fills now, the rest waits at the limit.
    partly = entry.preview(OrderRequest("BTCUSDT", "SELL", "LIMIT", quantity="1.1", price="44000",
                                        time_in_force="GTC"))
    assert partly.at_once is not None and (partly.at_once.quantity, partly.at_once.rests) == (D("1.05"), D("0.05"))
    assert partly.cost == D("0.02") * 49999 + D("0.03") * 49998 + D("1") * 49990 + D("0.05") * 44000
    assert "1.05 BTC fills now at about 49,990.40 (the best bids); the other 0.05 BTC rests at 44,000" in partly.warning
    ioc = entry.preview(OrderRequest("BTCUSDT", "SELL", "LIMIT", quantity="1.1", price="44000", time_in_force="IOC"))
    assert ioc.quantity == D("1.05") and "the other 0.05 BTC expires" in ioc.warning
    buy = entry.preview(OrderRequest("BTCUSDT", "BUY", "LIMIT", quantity="0.05", price="56000", time_in_force="GTC"))
    assert buy.average_price == D("50001.6") and "(the best asks)" in buy.warning
    # What it must not do: a limit that reaches no level rests whole, at its price, said as before.
    resting = entry.preview(OrderRequest("BTCUSDT", "BUY", "LIMIT", quantity="0.01", price="44000",
                                         time_in_force="GTC"))
    assert resting.at_once is None and resting.average_price == D("44000") and resting.cost == D("440")
    assert "fills now" not in resting.warning
    near = entry.preview(OrderRequest("BTCUSDT", "SELL", "LIMIT", quantity="0.01", price="49999",
                                      time_in_force="GTC"))
    assert near.at_once is not None and near.warning == ""  # through the book but near: no question


def test_a_trigger_on_the_wrong_side_of_the_market_is_refused_before_an_amount(entry):
    stop = entry.preview(OrderRequest("BTCUSDT", "BUY", "STOP_LOSS", stop_price="49000"))  # no amount yet
    assert (stop.error_code, stop.error) == (-2010, "Order would trigger immediately.")
    assert stop.message == ("For a buy stop-market order: stop price above the last price (50,000); "
                            "at 49,000 it would trigger at once")
    assert stop.refused_before_sending
    take_profit = entry.preview(OrderRequest("BTCUSDT", "SELL", "TAKE_PROFIT_LIMIT", quantity="0.01",
                                             price="48900", stop_price="49000", time_in_force="GTC"))
    assert take_profit.message == ("For a sell take-profit-limit order: trigger price above the last price "
                                   "(50,000); at 49,000 it would trigger at once")
    # What it must not do: refuse a trigger on its side, or an OCO's stop leg (the pair's rule speaks).
    fine = entry.preview(OrderRequest("BTCUSDT", "BUY", "STOP_LOSS", quantity="0.01", stop_price="51000"))
    assert fine.error == "" and not fine.refused_before_sending
    assert entry.preview(OrderRequest("BTCUSDT", "SELL", "TAKE_PROFIT", quantity="0.01", stop_price="51000")).error == ""
    wrong = entry.preview_oco(OcoRequest("BTCUSDT", "BUY", D("0.01"), D("52000"), D("48000")))
    assert wrong.message == "For a buy OCO: take-profit price below the last price (50,000), stop price above it"
    missing = entry.preview(OrderRequest("BTCUSDT", "BUY", "TAKE_PROFIT", quantity="0.01"))
    assert missing.message == "Enter the trigger price"


def test_a_market_buy_by_total_is_estimated_as_the_venue_fills_it(entry):
    """quoteOrderQty never breaks LOT_SIZE: the venue spends the total less up to one step's
    worth, and the estimate says that amount, not the total typed."""
    preview = entry.preview(OrderRequest("BTCUSDT", "BUY", "MARKET", quote_order_qty="50"))
    assert preview.quantity == D("0.00099") and preview.cost == D("0.00099") * 50001
    assert not preview.book_too_thin
    assert preview.note == "Spends about 49.50 of 50 USDT: BTC is bought in whole steps of 0.00001 BTC"
    exact = entry.preview(OrderRequest("BTCUSDT", "BUY", "MARKET", quote_order_qty="500.01"))  # 0.01 × 50,001
    assert exact.cost == D("500.01") and exact.note == ""  # nothing left over: nothing to say
